package akixi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/recdeck/recdeck/client/safetext"
)

// Property names of a Call Recording Integration entry (seed 003).
const (
	PropGUID           = "CallRecIntGUID" // read-only after creation
	PropType           = "CallRecIntType" // read-only after creation
	PropPartitionGUID  = "PartitionGUID"
	PropTelSysID       = "TelSysID"
	PropPartIDInTelSys = "PartIDInTelSys"
	PropDescription    = "Description"
	PropIPAddrOrHost1  = "IPAddrOrHost1"
	PropIPAddrOrHost2  = "IPAddrOrHost2"
	PropAuthUserID1    = "AuthUserID1"
	PropAuthUserID2    = "AuthUserID2"
	PropAPIParameter1  = "APIParameter1"
	PropAPIParameter2  = "APIParameter2"
	// PropFields is the List request's comma-separated list of properties
	// to return besides CallRecIntGUID and Description.
	PropFields = "CallRecIntFields"
)

// TypeDubber is the only integration type the seed knows of.
const TypeDubber = "Dubber"

// DemoEntryGUID and DemoEntryDescription name the entry the Akixi Service
// creates by default to play back demonstration-simulator recordings. The
// seed warns against deleting it.
const (
	DemoEntryGUID        = "d7ae7ea9bf56ebdc:-3f5d0705:1559c8e762d:-8000"
	DemoEntryDescription = "[Dubber: Demonstration Simulator]"
)

// ReadOnlyReason is what the user is told about CallRecIntGUID and
// CallRecIntType.
const ReadOnlyReason = "cannot be changed after the entry is created"

// PropertyInfo describes one property: where it goes on the wire and how to
// show it.
type PropertyInfo struct {
	Name      string // the wire name, e.g. "IPAddrOrHost1"
	Label     string // a label for people, e.g. "API host 1"
	Container string // "" or ContainerAPI
	// ReadOnly properties are set at creation and never sent as changes.
	ReadOnly bool
	field    func(*Entry) *string
}

// Properties lists every property in the seed's order: read-only, general,
// then API communication settings.
var Properties = []PropertyInfo{
	{Name: PropGUID, Label: "GUID", ReadOnly: true, field: func(e *Entry) *string { return &e.GUID }},
	{Name: PropType, Label: "Type", ReadOnly: true, field: func(e *Entry) *string { return &e.Type }},
	{Name: PropPartitionGUID, Label: "Partition GUID", field: func(e *Entry) *string { return &e.PartitionGUID }},
	{Name: PropTelSysID, Label: "Telephony server ID", field: func(e *Entry) *string { return &e.TelSysID }},
	{Name: PropPartIDInTelSys, Label: "Partition ID in server", field: func(e *Entry) *string { return &e.PartIDInTelSys }},
	{Name: PropDescription, Label: "Description", field: func(e *Entry) *string { return &e.Description }},
	{Name: PropIPAddrOrHost1, Label: "API host 1", Container: ContainerAPI, field: func(e *Entry) *string { return &e.IPAddrOrHost1 }},
	{Name: PropIPAddrOrHost2, Label: "API host 2", Container: ContainerAPI, field: func(e *Entry) *string { return &e.IPAddrOrHost2 }},
	{Name: PropAuthUserID1, Label: "Auth user ID 1", Container: ContainerAPI, field: func(e *Entry) *string { return &e.AuthUserID1 }},
	{Name: PropAuthUserID2, Label: "Auth user ID 2", Container: ContainerAPI, field: func(e *Entry) *string { return &e.AuthUserID2 }},
	{Name: PropAPIParameter1, Label: "API parameter 1", Container: ContainerAPI, field: func(e *Entry) *string { return &e.APIParameter1 }},
	{Name: PropAPIParameter2, Label: "API parameter 2", Container: ContainerAPI, field: func(e *Entry) *string { return &e.APIParameter2 }},
}

// LookupProperty finds a property by its wire name (case-insensitive).
func LookupProperty(name string) (PropertyInfo, bool) {
	for _, p := range Properties {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return PropertyInfo{}, false
}

// IsReadOnly reports whether the named property cannot be changed after
// creation (CallRecIntGUID, CallRecIntType).
func IsReadOnly(name string) bool {
	p, ok := LookupProperty(name)
	return ok && p.ReadOnly
}

// Entry is one Call Recording Integration entry. JSON uses the wire names.
// A List answer fills only the properties asked for.
type Entry struct {
	GUID           string `json:"CallRecIntGUID,omitempty"`
	Type           string `json:"CallRecIntType,omitempty"`
	PartitionGUID  string `json:"PartitionGUID,omitempty"`
	TelSysID       string `json:"TelSysID,omitempty"`
	PartIDInTelSys string `json:"PartIDInTelSys,omitempty"`
	Description    string `json:"Description,omitempty"`
	IPAddrOrHost1  string `json:"IPAddrOrHost1,omitempty"`
	IPAddrOrHost2  string `json:"IPAddrOrHost2,omitempty"`
	AuthUserID1    string `json:"AuthUserID1,omitempty"`
	AuthUserID2    string `json:"AuthUserID2,omitempty"`
	APIParameter1  string `json:"APIParameter1,omitempty"`
	APIParameter2  string `json:"APIParameter2,omitempty"`
}

// Get returns the value of the named property ("" if unknown).
func (e Entry) Get(name string) string {
	p, ok := LookupProperty(name)
	if !ok {
		return ""
	}
	return *p.field(&e)
}

// Set sets the named property; it reports false for an unknown name.
func (e *Entry) Set(name, value string) bool {
	p, ok := LookupProperty(name)
	if !ok {
		return false
	}
	*p.field(e) = value
	return true
}

// Scope returns the component the entry is attached to.
func (e Entry) Scope() Scope {
	return Scope{PartitionGUID: e.PartitionGUID, TelSysID: e.TelSysID, PartIDInTelSys: e.PartIDInTelSys}
}

// IsDemo reports whether e is the demonstration-simulator entry the seed
// says not to delete.
func (e Entry) IsDemo() bool {
	return e.GUID == DemoEntryGUID || e.Description == DemoEntryDescription
}

// EntryFromContainer reads an entry from a container of properties: a List
// item or an Info answer. Properties of nested containers (normally
// APICommunicationSettings) are read too; unknown names are skipped.
func EntryFromContainer(c *Container) Entry {
	var e Entry
	if c == nil {
		return e
	}
	var read func(c *Container, depth int)
	read = func(c *Container, depth int) {
		for _, p := range c.Properties {
			e.Set(p.Name, strings.TrimSpace(p.Value))
		}
		if depth < 3 {
			for i := range c.Containers {
				read(&c.Containers[i], depth+1)
			}
		}
	}
	read(c, 0)
	return e
}

// Container writes the properties of e that want accepts, in the seed's
// order, with the API communication settings in their nested
// <Container Name="APICommunicationSettings">: the shape of the seed's
// Add, Change and Info examples. The client builds request payloads with
// it and the simulator its answers, so the two cannot drift.
func (e Entry) Container(want func(p PropertyInfo, value string) bool) *Container {
	c := &Container{}
	api := Container{Name: ContainerAPI}
	for _, p := range Properties {
		v := *p.field(&e)
		if !want(p, v) {
			continue
		}
		if p.Container == ContainerAPI {
			api.Add(p.Name, v)
		} else {
			c.Add(p.Name, v)
		}
	}
	if len(api.Properties) > 0 {
		c.Containers = append(c.Containers, api)
	}
	return c
}

// payload builds an OperationPayload from the named properties of e; an
// empty value is sent too (it clears the property on Change).
func payload(e Entry, names map[string]bool) *Container {
	return e.Container(func(p PropertyInfo, _ string) bool { return names[p.Name] })
}

// Scope is the component an entry is attached to, or a List request's
// target. The zero Scope is application-wide (all telephony servers);
// TelSysID alone is one telephony server; TelSysID with PartIDInTelSys, or
// PartitionGUID, is one partition.
type Scope struct {
	PartitionGUID  string `json:"PartitionGUID,omitempty"`
	TelSysID       string `json:"TelSysID,omitempty"`
	PartIDInTelSys string `json:"PartIDInTelSys,omitempty"`
}

// IsApplicationWide reports whether s names no component.
func (s Scope) IsApplicationWide() bool {
	return s.PartitionGUID == "" && s.TelSysID == "" && s.PartIDInTelSys == ""
}

// String describes the scope in words.
func (s Scope) String() string {
	switch {
	case s.PartitionGUID != "" && s.TelSysID != "" && s.PartIDInTelSys != "":
		return fmt.Sprintf("partition %s of telephony server %s", s.PartIDInTelSys, s.TelSysID)
	case s.PartitionGUID != "":
		return "partition " + s.PartitionGUID
	case s.TelSysID != "" && s.PartIDInTelSys != "":
		return fmt.Sprintf("partition %s of telephony server %s", s.PartIDInTelSys, s.TelSysID)
	case s.TelSysID != "":
		return "telephony server " + s.TelSysID
	case s.PartIDInTelSys != "":
		return "partition " + s.PartIDInTelSys + " (no telephony server)"
	}
	return "application-wide"
}

// Short is a compact form for table cells: "all", "TS 1", "TS 1/2", or the
// partition GUID.
func (s Scope) Short() string {
	switch {
	case s.TelSysID != "" && s.PartIDInTelSys != "":
		return "TS " + s.TelSysID + "/" + s.PartIDInTelSys
	case s.PartitionGUID != "":
		return s.PartitionGUID
	case s.TelSysID != "":
		return "TS " + s.TelSysID
	}
	return "all"
}

// Spec is the text ParseScope reads back.
func (s Scope) Spec() string {
	switch {
	case s.PartitionGUID != "":
		return s.PartitionGUID
	case s.TelSysID != "" && s.PartIDInTelSys != "":
		return s.TelSysID + "/" + s.PartIDInTelSys
	case s.TelSysID != "":
		return s.TelSysID
	}
	return "all"
}

// ScopeSyntax explains ParseScope's input, for prompts and errors.
const ScopeSyntax = `"all" (application-wide), a telephony server ID ("1"), server/partition ("1/2"), or a partition GUID`

// ParseScope reads a scope typed by a person: "" or "all" is
// application-wide, "1" is telephony server 1, "1/2" is partition 2 of
// telephony server 1, and a GUID is a partition.
func ParseScope(text string) (Scope, error) {
	t := strings.TrimSpace(text)
	var s Scope
	switch {
	case t == "" || strings.EqualFold(t, "all") || strings.EqualFold(t, "app"):
	case strings.Contains(t, ":"):
		s.PartitionGUID = t
	case strings.Contains(t, "/"):
		s.TelSysID, s.PartIDInTelSys, _ = strings.Cut(t, "/")
		s.TelSysID = strings.TrimSpace(s.TelSysID)
		s.PartIDInTelSys = strings.TrimSpace(s.PartIDInTelSys)
		if s.PartIDInTelSys == "" {
			return Scope{}, &ValidationError{Field: "scope", Value: clip(t, 40), Reason: "names no partition after the \"/\"; want " + ScopeSyntax}
		}
	default:
		s.TelSysID = t
	}
	if err := s.Validate(); err != nil {
		return Scope{}, err
	}
	return s, nil
}

// Validate checks the scope's values before they are sent.
func (s Scope) Validate() error {
	if s.PartitionGUID != "" {
		if err := ValidateGUID(PropPartitionGUID, s.PartitionGUID); err != nil {
			return err
		}
	}
	if s.TelSysID != "" {
		if err := ValidateTelSysID(s.TelSysID); err != nil {
			return err
		}
	}
	if s.PartIDInTelSys != "" {
		if s.TelSysID == "" && s.PartitionGUID == "" {
			return &ValidationError{Field: PropPartIDInTelSys, Value: clip(s.PartIDInTelSys, 40),
				Reason: "needs TelSysID too (a partition ID is only unique within its telephony server)"}
		}
		if err := validateText(PropPartIDInTelSys, s.PartIDInTelSys, maxIDLen); err != nil {
			return err
		}
	}
	return nil
}

// payloadInto adds the scope's non-empty properties to c, in the seed's
// order (PartitionGUID, TelSysID, PartIDInTelSys).
func (s Scope) payloadInto(c *Container) {
	if s.PartitionGUID != "" {
		c.Add(PropPartitionGUID, s.PartitionGUID)
	}
	if s.TelSysID != "" {
		c.Add(PropTelSysID, s.TelSysID)
	}
	if s.PartIDInTelSys != "" {
		c.Add(PropPartIDInTelSys, s.PartIDInTelSys)
	}
}

// Limits on values typed by people. ASSUMPTION: the seed gives none; these
// are generous bounds that catch pasted garbage.
const (
	maxIDLen   = 128
	maxTextLen = 1024
)

// guidPattern is the seed's GUID shape, e.g.
// "6917876061b72704:62272b78:17c939e2202:-7d6f": four colon-separated
// (optionally negative) hexadecimal numbers.
var guidPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{1,16}:-?[0-9a-fA-F]{1,8}:[0-9a-fA-F]{1,16}:-?[0-9a-fA-F]{1,4}$`)
})

// ValidGUID reports whether s has the seed's GUID shape.
func ValidGUID(s string) bool { return guidPattern().MatchString(s) }

// ValidateGUID checks a CallRecIntGUID or PartitionGUID (field names which).
func ValidateGUID(field, s string) error {
	if s == "" {
		return &ValidationError{Field: field, Reason: "is required"}
	}
	if !ValidGUID(s) {
		return &ValidationError{Field: field, Value: clip(s, 60),
			Reason: `is not an Akixi GUID (four colon-separated hex numbers, e.g. "6917876061b72704:62272b78:17c939e2202:-7d6f")`}
	}
	return nil
}

// ValidateTelSysID checks a telephony server ID. ASSUMPTION: it is a
// positive whole number, as every example in the seed is.
func ValidateTelSysID(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || len(s) > 10 {
		return &ValidationError{Field: PropTelSysID, Value: clip(s, 40), Reason: "must be a positive whole number"}
	}
	return nil
}

// validateText checks free text: valid UTF-8, no control characters, at
// most max bytes.
func validateText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return &ValidationError{Field: field, Reason: "is not valid UTF-8 text"}
	}
	if len(s) > max {
		return &ValidationError{Field: field, Value: clip(s, 40), Reason: fmt.Sprintf("is longer than %d bytes", max)}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return &ValidationError{Field: field, Value: clip(s, 40), Reason: "contains a control character"}
		}
	}
	return nil
}

// validateValue checks one property value for Add or Change.
func validateValue(name, v string) error {
	switch name {
	case PropGUID, PropPartitionGUID:
		if v == "" && name == PropPartitionGUID {
			return nil
		}
		return ValidateGUID(name, v)
	case PropTelSysID:
		if v == "" {
			return nil
		}
		return ValidateTelSysID(v)
	case PropType, PropPartIDInTelSys:
		return validateText(name, v, maxIDLen)
	}
	return validateText(name, v, maxTextLen)
}

// ValidateNew checks an entry before CallRecIntAdd: a type and a
// description are required (ASSUMPTION: the seed marks nothing as
// mandatory, but an entry without them cannot be told apart or used), a
// GUID must not be given (the service assigns it), and every value must be
// well formed.
func ValidateNew(e Entry) error {
	if e.GUID != "" {
		return &ValidationError{Field: PropGUID, Value: clip(e.GUID, 60), Reason: "is assigned by the Akixi Service: leave it empty when adding"}
	}
	if strings.TrimSpace(e.Type) == "" {
		return &ValidationError{Field: PropType, Reason: `is required (the seed knows "Dubber")`}
	}
	if strings.TrimSpace(e.Description) == "" {
		return &ValidationError{Field: PropDescription, Reason: "is required"}
	}
	for _, p := range Properties[1:] {
		if err := validateValue(p.Name, *p.field(&e)); err != nil {
			return err
		}
	}
	return e.Scope().Validate()
}

// Changes maps property names to their new values for CallRecIntChange.
// Only the properties present are sent; an empty value clears one.
type Changes map[string]string

// Validate checks the changes: known names, no read-only property, well
// formed values, and at least one change.
func (ch Changes) Validate() error {
	if len(ch) == 0 {
		return &ValidationError{Reason: "nothing to change: give at least one property"}
	}
	for name, v := range ch {
		p, ok := LookupProperty(name)
		if !ok {
			return &ValidationError{Field: safetext.Clean(name, 40), Reason: "is not a Call Recording Integration property"}
		}
		if p.ReadOnly {
			return &ValidationError{Field: p.Name, Reason: ReadOnlyReason}
		}
		if p.Name == PropDescription && strings.TrimSpace(v) == "" {
			return &ValidationError{Field: p.Name, Reason: "cannot be made empty"}
		}
		if err := validateValue(p.Name, v); err != nil {
			return err
		}
	}
	return nil
}

// Diff returns the changes that turn old into updated, ignoring read-only
// properties.
func Diff(old, updated Entry) Changes {
	ch := Changes{}
	for _, p := range Properties {
		if p.ReadOnly {
			continue
		}
		if nv := *p.field(&updated); nv != *p.field(&old) {
			ch[p.Name] = nv
		}
	}
	return ch
}

// ParseFields splits a CallRecIntFields value ("TelSysID, PartIDInTelSys").
func ParseFields(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var fieldPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`) })

// validateFields checks CallRecIntFields names: plain identifiers. Names
// outside Properties are allowed, in case a newer service knows more.
func validateFields(fields []string) error {
	for _, f := range fields {
		if !fieldPattern().MatchString(f) {
			return &ValidationError{Field: PropFields, Value: clip(f, 40), Reason: "must be property names separated by commas"}
		}
	}
	return nil
}
