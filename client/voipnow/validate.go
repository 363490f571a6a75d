package voipnow

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/recdeck/recdeck/client/safetext"
)

// Special path values of seed 002.
const (
	UserMe     = "@me"     // the authenticated user (the default)
	UserViewer = "@viewer" // also the authenticated user
	UserOwner  = "@owner"  // the user owning the extension of the call
	ExtSelf    = "@self"   // every extension of the user
)

// Limits of the List PhoneCalls query (UAPI: "Maximum value 5000").
const (
	MaxCount      = 5000
	MaxStartIndex = 5000
)

// FilterBy values the UAPI documents for List PhoneCalls ("Records can be
// filtered by PhoneCall id and published date").
var FilterFields = []string{"id", "published"}

// FilterOps are the comparison operators of the UAPI's standard request
// parameters (filterOp); empty means the server's default (equals).
// inArray matches any of a comma-separated list of values.
var FilterOps = []string{"equals", "contains", "startsWith", "greaterThan", "lessThan", "present", "inArray"}

// SortOrders are the UAPI's sortOrder values.
var SortOrders = []string{"ascending", "descending"}

// reField is a PhoneCall field name for the fields parameter.
var reField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,40}$`) })

var (
	// ASSUMPTION: a numeric user id or a letters/digits one; the documents
	// only say "the unique identifier of the User".
	reUserID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })
	// Extension numbers in the seed's style: "0003*210", or a short "210".
	reExtension = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,20}(\*[0-9]{1,20})?$`) })
	// Seed 002: phoneCallId "must be set to an alpha-numeric value".
	reObjectID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`) })
	reViewID   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })
)

// ValidateUserID accepts @me, @viewer, @owner or a user id.
func ValidateUserID(s string) error {
	switch s {
	case UserMe, UserViewer, UserOwner:
		return nil
	}
	if !reUserID().MatchString(s) {
		return &ValidationError{Field: "user id", Value: safetext.Clean(s, 40), Reason: "is not valid: use @me, @viewer, @owner or a user id such as 12"}
	}
	return nil
}

// ValidateExtension accepts @self or an extension number such as 0003*210.
func ValidateExtension(s string) error {
	if s == ExtSelf || reExtension().MatchString(s) {
		return nil
	}
	return &ValidationError{Field: "extension", Value: safetext.Clean(s, 40), Reason: "is not valid: use @self or an extension number such as 0003*210"}
}

// ValidatePhoneCallID accepts an alpha-numeric id, as seed 002 requires.
func ValidatePhoneCallID(s string) error {
	if reObjectID().MatchString(s) {
		return nil
	}
	if s == "" {
		return &ValidationError{Field: "phone call id", Reason: "is required (see `recdeck voipnow calls`)"}
	}
	return &ValidationError{Field: "phone call id", Value: safetext.Clean(s, 40), Reason: "is not valid: it is alpha-numeric, e.g. b817d2618fe6f1804333"}
}

// ValidateViewID accepts a phoneCallView id such as "01".
func ValidateViewID(s string) error {
	if reViewID().MatchString(s) {
		return nil
	}
	if s == "" {
		return &ValidationError{Field: "phone call view id", Reason: "is required (e.g. 01; see `recdeck voipnow calls`)"}
	}
	return &ValidationError{Field: "phone call view id", Value: safetext.Clean(s, 40), Reason: "is not valid: use letters and digits, e.g. 01"}
}

// Validate checks every field of the list query before it is sent.
func (p ListParams) Validate() error {
	if err := ValidateUserID(p.userID()); err != nil {
		return err
	}
	if err := ValidateExtension(p.extension()); err != nil {
		return err
	}
	if p.Count < 0 || p.Count > MaxCount {
		return &ValidationError{Field: "count", Value: itoa(p.Count), Reason: "is out of range: use 1 to 5000 (0 for the server's default)"}
	}
	if p.StartIndex < 0 || p.StartIndex > MaxStartIndex {
		return &ValidationError{Field: "start index", Value: itoa(p.StartIndex), Reason: "is out of range: use 0 to 5000"}
	}
	for _, f := range p.Fields {
		if !reField().MatchString(f) {
			return &ValidationError{Field: "field", Value: safetext.Clean(f, 40), Reason: "is not a PhoneCall field name (e.g. id, status, recording)"}
		}
	}
	if p.SortOrder != "" && !slices.Contains(SortOrders, p.SortOrder) {
		return &ValidationError{Field: "sort order", Value: safetext.Clean(p.SortOrder, 40), Reason: "is not valid: use ascending or descending"}
	}
	if p.FilterBy == "" {
		if p.FilterValue != "" || p.FilterOp != "" {
			return &ValidationError{Field: "filter value", Reason: "needs a filter field (filterBy id or published)"}
		}
		return nil
	}
	if !slices.Contains(FilterFields, p.FilterBy) {
		return &ValidationError{Field: "filter field", Value: safetext.Clean(p.FilterBy, 40), Reason: "is not one the PBX filters by: use id or published"}
	}
	if p.FilterOp != "" && !slices.Contains(FilterOps, p.FilterOp) {
		return &ValidationError{Field: "filter operator", Value: safetext.Clean(p.FilterOp, 40), Reason: "is not valid: use " + strings.Join(FilterOps, ", ")}
	}
	if p.FilterValue == "" && p.FilterOp != "present" {
		return &ValidationError{Field: "filter value", Reason: "is required with a filter field"}
	}
	if len(p.FilterValue) > 256 {
		return &ValidationError{Field: "filter value", Value: safetext.Clean(p.FilterValue, 40), Reason: "is too long (256 bytes at most)"}
	}
	return nil
}

// Validate checks a recording request before it is sent. The format is
// checked only for StartRecording (StopRecording takes none).
func (r RecordParams) Validate(start bool) error {
	if err := ValidateUserID(r.userID()); err != nil {
		return err
	}
	if err := ValidateExtension(r.extension()); err != nil {
		return err
	}
	if err := ValidatePhoneCallID(r.PhoneCallID); err != nil {
		return err
	}
	if err := ValidateViewID(r.ViewID); err != nil {
		return err
	}
	if start {
		if _, err := ParseFormat(string(r.Format)); err != nil {
			return err
		}
	}
	return nil
}
