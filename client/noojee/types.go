package noojee

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Direction is the direction of a call, as the Direction field gives it.
type Direction int

// Directions, numbered as the document numbers them ("For inbound calls this
// is set to 0, for outbound 1 and for Internal calls 2"). The by-hour form
// writes them as words instead ("Inbound").
const (
	DirectionUnknown Direction = -1
	Inbound          Direction = 0
	Outbound         Direction = 1
	Internal         Direction = 2
)

var directionNames = []string{"Inbound", "Outbound", "Internal"}

// String gives the direction as a word (the by-hour form's spelling).
func (d Direction) String() string {
	if d >= Inbound && d <= Internal {
		return directionNames[d]
	}
	return "Unknown"
}

// Code gives the direction as the metadata form writes it: "0", "1" or "2".
func (d Direction) Code() string {
	if d >= Inbound && d <= Internal {
		return strconv.Itoa(int(d))
	}
	return ""
}

// ParseDirection reads a direction in either style: the number ("2") or the
// word ("Internal", case-insensitive).
func ParseDirection(s string) (Direction, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n >= int(Inbound) && n <= int(Internal) {
			return Direction(n), nil
		}
		return DirectionUnknown, fmt.Errorf("unknown direction %d (want 0 inbound, 1 outbound, 2 internal)", n)
	}
	for i, name := range directionNames {
		if strings.EqualFold(s, name) {
			return Direction(i), nil
		}
	}
	return DirectionUnknown, fmt.Errorf("unknown direction %q (want 0/1/2 or Inbound/Outbound/Internal)", excerpt(s, 40))
}

// WireLeg is one entry of a metadata response exactly as the server writes
// it: every value is a JSON string. The simulator writes these, and Leg.Raw
// keeps what the client received, so `--json` can print the API's own form.
type WireLeg struct {
	Source       string `json:"Source"`
	Leg          string `json:"Leg"`
	Start        string `json:"Start"`
	Tag          string `json:"Tag"`
	Duration     string `json:"Duration"`
	Username     string `json:"Username"`
	CallRecordID string `json:"CallRecordId"`
	UniqueID     string `json:"UniqueId"`
	DID          string `json:"DID"`
	Direction    string `json:"Direction"`
	Destination  string `json:"Destination"`
	// CallEnd is only in the by-hour form.
	CallEnd string `json:"callend,omitempty"`
}

// Leg is one recording leg of a call, decoded. A call is split into legs at
// each transition (queue, answer, transfer); Leg numbers them from 1.
type Leg struct {
	Source string // caller id (inbound) or extension (outbound)
	Leg    int    // 1 for the first leg
	// Start is zero when the server's text could not be read; Raw.Start
	// keeps the text either way.
	Start        time.Time
	Tag          string
	Duration     time.Duration
	Username     string
	CallRecordID string // the leg's database record id
	UniqueID     string // the call's unique id, shared by all its legs
	DID          string // the number dialled (inbound) or "internal"
	Direction    Direction
	Destination  string
	// CallEnd is the end of the whole call; only the by-hour form has it.
	CallEnd time.Time
	// TimeProblem says why Start or CallEnd could not be read (e.g. a zone
	// abbreviation outside the built-in table and not the configured
	// zone's), "" when both were. The time is then zero and shown as the
	// server wrote it: callers report this rather than leave it unread.
	TimeProblem string
	// Raw is the entry as received (values as strings).
	Raw WireLeg
}

// End is when the leg ended (Start + Duration), zero when Start is unknown.
func (l Leg) End() time.Time {
	if l.Start.IsZero() {
		return time.Time{}
	}
	return l.Start.Add(l.Duration)
}

// TimeProblems lists the distinct TimeProblems of legs, in order.
func TimeProblems(legs []Leg) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range legs {
		if l.TimeProblem != "" && !seen[l.TimeProblem] {
			seen[l.TimeProblem] = true
			out = append(out, l.TimeProblem)
		}
	}
	return out
}

// flexString accepts a JSON string, number, boolean or null as text: the
// document shows strings, but a server that writes numbers should not make
// the whole answer unreadable.
type flexString string

func (f *flexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return errors.New("empty value")
	case data[0] == '"':
		// Most values are plain text: take it as is, without a second decode.
		if inner := data[1 : len(data)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			*f = flexString(inner)
			return nil
		}
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(data) == "null":
		*f = ""
	case data[0] == '{' || data[0] == '[':
		return fmt.Errorf("want a string, got %s", excerpt(string(data), 40))
	default: // number or boolean: keep its literal text
		*f = flexString(data)
	}
	return nil
}

// wireLegIn is WireLeg as decoded: lenient about value types. encoding/json
// matches keys case-insensitively, so "callend" and "CallEnd" both land.
type wireLegIn struct {
	Source       flexString `json:"Source"`
	Leg          flexString `json:"Leg"`
	Start        flexString `json:"Start"`
	Tag          flexString `json:"Tag"`
	Duration     flexString `json:"Duration"`
	Username     flexString `json:"Username"`
	CallRecordID flexString `json:"CallRecordId"`
	UniqueID     flexString `json:"UniqueId"`
	DID          flexString `json:"DID"`
	Direction    flexString `json:"Direction"`
	Destination  flexString `json:"Destination"`
	CallEnd      flexString `json:"callend"`
}

func (w wireLegIn) wire() WireLeg {
	return WireLeg{
		Source: string(w.Source), Leg: string(w.Leg), Start: string(w.Start), Tag: string(w.Tag),
		Duration: string(w.Duration), Username: string(w.Username), CallRecordID: string(w.CallRecordID),
		UniqueID: string(w.UniqueID), DID: string(w.DID), Direction: string(w.Direction),
		Destination: string(w.Destination), CallEnd: string(w.CallEnd),
	}
}

// knownFields tells a single leg object from a map of legs.
var knownFields = []string{"Source", "Leg", "Start", "Tag", "Duration", "Username",
	"CallRecordId", "UniqueId", "DID", "Direction", "Destination", "callend"}

// maxNesting bounds how deep DecodeLegs looks for legs inside arrays and maps.
const maxNesting = 3

// DecodeLegs reads a metadata response: "a json encoded array/map containing
// any matching calls", one entry per leg. It accepts an array of legs, a
// single leg object, or a map (or array) whose values are legs or arrays of
// legs. Times without a zone are read in loc (nil: time.Local). The legs come
// back sorted by SortLegs.
//
// Leg must be a positive integer and Duration a number of seconds: an entry
// without them cannot be shown in order, so the response is refused with an
// error naming the entry. Start, callend and Direction are lenient: a value
// in neither documented style leaves the parsed field zero/unknown and the
// text in Raw.
func DecodeLegs(data []byte, loc *time.Location) ([]Leg, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	if data[0] != '[' && data[0] != '{' {
		return nil, fmt.Errorf("want a JSON array or object of legs, got %s", excerpt(string(data), 60))
	}
	var legs []Leg
	if err := collectLegs(data, loc, 0, &legs); err != nil {
		return nil, err
	}
	SortLegs(legs)
	return legs, nil
}

func collectLegs(data []byte, loc *time.Location, depth int, out *[]Leg) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	if depth > maxNesting {
		return errors.New("legs nested too deeply")
	}
	switch data[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return fmt.Errorf("not valid JSON: %w", err)
		}
		for _, it := range items {
			if err := collectLegs(it, loc, depth+1, out); err != nil {
				return err
			}
		}
		return nil
	case '{':
		// Fast path: an object that decodes as a leg with some field set is
		// one. Anything else goes the slow way, which tells a leg (with a
		// bad value) from a map of legs by its keys.
		var in wireLegIn
		if err := json.Unmarshal(data, &in); err == nil && in.wire() != (WireLeg{}) {
			leg, err := legFromWire(in.wire(), loc)
			if err != nil {
				return err
			}
			*out = append(*out, leg)
			return nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("not valid JSON: %w", err)
		}
		if looksLikeLeg(m) {
			var in wireLegIn
			if err := json.Unmarshal(data, &in); err != nil {
				return fmt.Errorf("leg entry: %w", err)
			}
			leg, err := legFromWire(in.wire(), loc)
			if err != nil {
				return err
			}
			*out = append(*out, leg)
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := collectLegs(m[k], loc, depth+1, out); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("want a leg object, got %s", excerpt(string(data), 40))
	}
}

func looksLikeLeg(m map[string]json.RawMessage) bool {
	for k := range m {
		for _, f := range knownFields {
			if strings.EqualFold(k, f) {
				return true
			}
		}
	}
	return false
}

// legFromWire parses the values of one entry.
func legFromWire(w WireLeg, loc *time.Location) (Leg, error) {
	who := "leg entry"
	if w.UniqueID != "" {
		who = fmt.Sprintf("leg entry of call %s", excerpt(w.UniqueID, 40))
	}
	n, err := strconv.Atoi(strings.TrimSpace(w.Leg))
	if err != nil || n < 1 {
		return Leg{}, fmt.Errorf("%s: Leg %q is not a positive whole number", who, excerpt(w.Leg, 20))
	}
	dur, err := ParseSeconds(w.Duration)
	if err != nil {
		return Leg{}, fmt.Errorf("%s (leg %d): Duration: %w", who, n, err)
	}
	leg := Leg{
		Source: w.Source, Leg: n, Tag: w.Tag, Duration: dur, Username: w.Username,
		CallRecordID: w.CallRecordID, UniqueID: w.UniqueID, DID: w.DID,
		Destination: w.Destination, Raw: w,
	}
	var errStart, errEnd error
	leg.Start, errStart = ParseTime(w.Start, loc)
	leg.CallEnd, errEnd = ParseTime(w.CallEnd, loc)
	if err := errors.Join(errStart, errEnd); err != nil {
		leg.TimeProblem = strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	leg.Direction, _ = ParseDirection(w.Direction)
	return leg, nil
}

// ParseSeconds reads a Duration value: seconds, whole or decimal.
func ParseSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil // a leg still being recorded may have no duration yet
	}
	f, err := strconv.ParseFloat(s, 64)
	// A week bounds any one leg and keeps the conversion far from overflow.
	if err != nil || math.IsNaN(f) || f < 0 || f > 7*24*3600 {
		return 0, fmt.Errorf("%q is not a number of seconds", excerpt(s, 20))
	}
	return time.Duration(math.Round(f*1000)) * time.Millisecond, nil
}

// Layouts of the two date styles. The metadata form is Java's
// Timestamp.toString ("2014-02-13 17:06:52.0", the server's local time, no
// zone); the by-hour form is Java's Date.toString ("Tue Sep 14 15:03:30 AEST
// 2021").
const (
	timestampLayout = "2006-01-02 15:04:05"
	javaDateLayout  = "Mon Jan 02 15:04:05 MST 2006"
)

// zoneOffsets maps the zone abbreviations a Noojee server (Australian) is
// likely to print to their offsets. Go cannot know them: an abbreviation
// it does not know parses as UTC+0, which would be silently wrong.
var zoneOffsets = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0,
	"AEST": 10 * 3600, "AEDT": 11 * 3600,
	"ACST": 9*3600 + 1800, "ACDT": 10*3600 + 1800,
	"AWST": 8 * 3600, "AWDT": 9 * 3600,
	"ACWST": 8*3600 + 2700,
	"NZST":  12 * 3600, "NZDT": 13 * 3600,
}

// ParseTime reads a Start or callend value in either style. Times without a
// zone are in loc (nil: time.Local). An empty string gives the zero time.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(timestampLayout, s, loc); err == nil {
		return t, nil // Go accepts the optional fraction (".0") after the seconds
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	f := strings.Fields(s)
	if len(f) != 6 {
		return time.Time{}, fmt.Errorf("unreadable time %q", excerpt(s, 40))
	}
	// Weekday Month Day hh:mm:ss Zone Year. The weekday is not checked: it
	// only repeats the date.
	rest := f[1] + " " + f[2] + " " + f[3] + " " + f[5]
	const restLayout = "Jan 2 15:04:05 2006"
	zone := strings.ToUpper(f[4])
	if off, ok := zoneOffsets[zone]; ok {
		return time.ParseInLocation(restLayout, rest, time.FixedZone(zone, off))
	}
	// The configured zone may use this abbreviation (e.g. PST): accept it
	// when loc's own name for that moment matches.
	t, err := time.ParseInLocation(restLayout, rest, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("unreadable time %q", excerpt(s, 40))
	}
	if name, _ := t.Zone(); name == zone {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("time %q: unknown zone %q", excerpt(s, 40), excerpt(f[4], 10))
}

// FormatTimestamp writes t as the metadata form does (Java
// Timestamp.toString): "2014-02-13 17:06:52.0", in t's location.
func FormatTimestamp(t time.Time) string {
	frac := strings.TrimRight(fmt.Sprintf("%09d", t.Nanosecond()), "0")
	if frac == "" {
		frac = "0"
	}
	return t.Format(timestampLayout) + "." + frac
}

// FormatJavaDate writes t as the by-hour form does (Java Date.toString):
// "Tue Sep 14 15:03:30 AEST 2021", in t's location.
func FormatJavaDate(t time.Time) string { return t.Format(javaDateLayout) }

// SortLegs orders legs call by call (calls by their earliest start, then
// unique id) and, within a call, by Leg.
func SortLegs(legs []Leg) {
	first := map[string]time.Time{}
	for _, l := range legs {
		if l.Start.IsZero() {
			continue
		}
		if t, ok := first[l.UniqueID]; !ok || l.Start.Before(t) {
			first[l.UniqueID] = l.Start
		}
	}
	sort.SliceStable(legs, func(i, j int) bool {
		a, b := legs[i], legs[j]
		if a.UniqueID != b.UniqueID {
			ta, tb := first[a.UniqueID], first[b.UniqueID]
			if !ta.Equal(tb) {
				if ta.IsZero() || tb.IsZero() {
					return tb.IsZero() // calls with no readable start go last
				}
				return ta.Before(tb)
			}
			return a.UniqueID < b.UniqueID
		}
		if a.Leg != b.Leg {
			return a.Leg < b.Leg
		}
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.CallRecordID < b.CallRecordID
	})
}

// Call is one call's legs, in order.
type Call struct {
	UniqueID string
	Legs     []Leg
}

// GroupCalls splits legs (as DecodeLegs returns them, sorted) into calls.
func GroupCalls(legs []Leg) []Call {
	var calls []Call
	index := map[string]int{}
	for _, l := range legs {
		i, ok := index[l.UniqueID]
		if !ok {
			i = len(calls)
			index[l.UniqueID] = i
			calls = append(calls, Call{UniqueID: l.UniqueID})
		}
		calls[i].Legs = append(calls[i].Legs, l)
	}
	return calls
}

// Start is the earliest leg start (zero if none is known).
func (c Call) Start() time.Time {
	var t time.Time
	for _, l := range c.Legs {
		if !l.Start.IsZero() && (t.IsZero() || l.Start.Before(t)) {
			t = l.Start
		}
	}
	return t
}

// Duration is the sum of the legs' durations: what each leg's share is of.
func (c Call) Duration() time.Duration {
	var d time.Duration
	for _, l := range c.Legs {
		d += l.Duration
	}
	return d
}

// Share is leg i's fraction (0..1) of the call's duration.
func (c Call) Share(i int) float64 {
	total := c.Duration()
	if i < 0 || i >= len(c.Legs) || total <= 0 {
		return 0
	}
	return float64(c.Legs[i].Duration) / float64(total)
}

// Tag is the first non-empty tag of the call's legs.
func (c Call) Tag() string {
	for _, l := range c.Legs {
		if l.Tag != "" {
			return l.Tag
		}
	}
	return ""
}

// Direction is the first leg's direction.
func (c Call) Direction() Direction {
	if len(c.Legs) == 0 {
		return DirectionUnknown
	}
	return c.Legs[0].Direction
}

// End is the call's end: callend when the server gave it, else the last
// leg's start plus its duration.
func (c Call) End() time.Time {
	var end time.Time
	for _, l := range c.Legs {
		e := l.CallEnd
		if e.IsZero() && !l.Start.IsZero() {
			e = l.Start.Add(l.Duration)
		}
		if e.After(end) {
			end = e
		}
	}
	return end
}

// excerpt shortens s for an error message.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}
