package voipnow

// SeedResponseFixed is seed 002's response with only its missing comma
// added (fuzz_test.go), for the external tests.
var SeedResponseFixed = seedFixed
