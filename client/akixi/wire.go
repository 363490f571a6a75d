package akixi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/recdeck/recdeck/client/safetext"
)

// Operation names: the seed's five CallRecInt operations, plus CreateSession,
// which every other operation needs first.
const (
	OpCreateSession = "CreateSession"
	OpAdd           = "CallRecIntAdd"
	OpChange        = "CallRecIntChange"
	OpDelete        = "CallRecIntDelete"
	OpInfo          = "CallRecIntInfo"
	OpList          = "CallRecIntList"
	// OpLogout closes a session. ASSUMPTION: the WS API's own name for it
	// is not public (the REST API's is "Logout"); Config.LogoutOperation
	// changes it.
	OpLogout = "Logout"
)

// Operations lists the CallRecInt operations in the seed's order.
var Operations = []string{OpAdd, OpChange, OpDelete, OpInfo, OpList}

// Result attribute values of <Response Result="...">.
const (
	ResultSuccess = "Success"
	ResultFail    = "Fail"
)

// ContainerAPI is the name of the container holding the API communication
// properties (IPAddrOrHost1 ... APIParameter2).
const ContainerAPI = "APICommunicationSettings"

// Request is one WS API request, as the seed writes it:
//
//	<Request Operation="CallRecIntList">
//	  <InvokeID>10</InvokeID>
//	  <SessionID>19397C98...</SessionID>
//	  <Offset>100</Offset>
//	  <Limit>20</Limit>
//	  <OperationPayload>
//	    <Property Name="...">...</Property>
//	    <Container Name="APICommunicationSettings">...</Container>
//	  </OperationPayload>
//	</Request>
//
// Offset and Limit are kept as text so that the simulator can answer a bad
// value with an error code instead of failing to decode the whole request.
type Request struct {
	XMLName   xml.Name   `xml:"Request"`
	Operation string     `xml:"Operation,attr"`
	InvokeID  string     `xml:"InvokeID"`
	SessionID string     `xml:"SessionID,omitempty"`
	Offset    string     `xml:"Offset,omitempty"`
	Limit     string     `xml:"Limit,omitempty"`
	Payload   *Container `xml:"OperationPayload"`
}

// Container is a bag of properties and nested containers. It is used for
// <OperationPayload>, <Success>, each entry of a list, and
// <Container Name="APICommunicationSettings">.
type Container struct {
	Name       string      `xml:"Name,attr,omitempty"`
	Properties []Property  `xml:"Property"`
	Containers []Container `xml:"Container"`
}

// Property is <Property Name="...">value</Property>.
type Property struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

// Response is one WS API response. On success, Success carries the result
// (absent for Add, Change and Delete). On failure the Fail element, whose
// name is not public (see FailNames), lands in Other.
type Response struct {
	XMLName  xml.Name `xml:"Response"`
	Result   string   `xml:"Result,attr"`
	InvokeID string   `xml:"InvokeID"`
	// SessionID is accepted here as well as in Success for CreateSession
	// (the answer's shape is not public: see the package doc).
	SessionID string     `xml:"SessionID,omitempty"`
	Success   *Container `xml:"Success,omitempty"`
	Other     []Node     `xml:",any"`
}

// Node is any XML element, kept whole: used for the Fail element, whose
// element names are configurable.
type Node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []Node     `xml:",any"`
}

// FailNames are the element names of a Fail response's error, which the
// seed does not show. The defaults give
//
//	<Response Result="Fail">
//	  <InvokeID>00007</InvokeID>
//	  <Fail>
//	    <ErrorCode>10302</ErrorCode>
//	    <ErrorDescription>The session has expired...</ErrorDescription>
//	  </Fail>
//	</Response>
type FailNames struct {
	Element string // the element holding the error; default "Fail"
	Code    string // default "ErrorCode"
	Message string // default "ErrorDescription"
}

// DefaultFailNames is what the simulator writes and the client expects by
// default.
var DefaultFailNames = FailNames{Element: "Fail", Code: "ErrorCode", Message: "ErrorDescription"}

// withDefaults fills empty names from DefaultFailNames.
func (n FailNames) withDefaults() FailNames {
	if n.Element == "" {
		n.Element = DefaultFailNames.Element
	}
	if n.Code == "" {
		n.Code = DefaultFailNames.Code
	}
	if n.Message == "" {
		n.Message = DefaultFailNames.Message
	}
	return n
}

// FailNode builds the Fail element for code and message with these names
// (the simulator's encoder).
func (n FailNames) FailNode(code int, message string) Node {
	n = n.withDefaults()
	return Node{
		XMLName: xml.Name{Local: n.Element},
		Nodes: []Node{
			{XMLName: xml.Name{Local: n.Code}, Text: strconv.Itoa(code)},
			{XMLName: xml.Name{Local: n.Message}, Text: message},
		},
	}
}

// Fail reads the error code and message of a Fail response. It looks for
// the configured element (or, failing that, reads the Response itself),
// takes the code and message from child elements or attributes with the
// configured names, and falls back to any child whose name ends in "Code"
// and "Message" or "Description", so that a server spelling them slightly
// differently still yields a useful error. code is 0 when no number was
// found; codeText is then what was found, if anything.
func (r *Response) Fail(names FailNames) (code int, codeText, message string) {
	names = names.withDefaults()
	holder := Node{Nodes: r.Other}
	for _, n := range r.Other {
		if n.XMLName.Local == names.Element {
			holder = n
			break
		}
	}
	codeText = holder.find(names.Code, "Code")
	message = holder.find(names.Message, "Message", "Description", "Text")
	if n, err := strconv.Atoi(strings.TrimSpace(codeText)); err == nil {
		code = n
	}
	return code, strings.TrimSpace(codeText), strings.TrimSpace(message)
}

// find returns the text of the child element or attribute called name,
// else of the first child (searched depth-first) whose name ends with one
// of the suffixes.
func (n Node) find(name string, suffixes ...string) string {
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			return c.Text
		}
	}
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	var walk func(Node, int) (string, bool)
	walk = func(n Node, depth int) (string, bool) {
		if depth > 4 {
			return "", false
		}
		for _, c := range n.Nodes {
			for _, s := range suffixes {
				if strings.HasSuffix(c.XMLName.Local, s) && len(c.Nodes) == 0 {
					return c.Text, true
				}
			}
			if t, ok := walk(c, depth+1); ok {
				return t, true
			}
		}
		return "", false
	}
	t, _ := walk(n, 0)
	return t
}

// Property returns the value of the first property called name and whether
// there was one.
func (c *Container) Property(name string) (string, bool) {
	if c == nil {
		return "", false
	}
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Add appends a property.
func (c *Container) Add(name, value string) {
	c.Properties = append(c.Properties, Property{Name: name, Value: value})
}

// errNotXML marks a body that is not the expected XML document.
var errNotXML = errors.New("not an Akixi WS API XML document")

// DecodeResponse parses a response body. It refuses anything whose root
// element is not <Response> or whose Result is neither Success nor Fail.
func DecodeResponse(body []byte) (*Response, error) {
	var r Response
	if err := decodeXML(body, &r); err != nil {
		// Akixi describes its WS API with a WSDL, so a SOAP stack may wrap
		// the <Response> in an Envelope and Body: find it there.
		inner, ok := findResponse(body)
		if !ok {
			return nil, err
		}
		if err := decodeXML(inner, &r); err != nil {
			return nil, err
		}
	}
	// Result is compared without regard to case ("success", "SUCCESS").
	switch {
	case strings.EqualFold(strings.TrimSpace(r.Result), ResultSuccess):
		r.Result = ResultSuccess
	case strings.EqualFold(strings.TrimSpace(r.Result), ResultFail):
		r.Result = ResultFail
	default:
		return nil, fmt.Errorf("%w: Result is %q, want Success or Fail", errNotXML, clip(r.Result, 40))
	}
	r.InvokeID = strings.TrimSpace(r.InvokeID)
	r.SessionID = strings.TrimSpace(r.SessionID)
	return &r, nil
}

// findResponse returns the first <Response> element of a document whose
// root is not one (a SOAP Envelope), re-encoded as a document of its own
// in UTF-8. ok is false when there is none.
func findResponse(body []byte) ([]byte, bool) {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	d.CharsetReader = charsetReader
	for depth := 0; depth < 64; {
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Response" {
				var n Node
				if err := d.DecodeElement(&n, &t); err != nil {
					return nil, false
				}
				n.XMLName = xml.Name{Local: "Response"}
				for i := range n.Attrs {
					n.Attrs[i].Name.Space = ""
				}
				stripSpace(&n)
				out, err := xml.Marshal(n)
				return out, err == nil
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil, false
}

// stripSpace drops the namespaces of a SOAP body's elements, so the
// Response decodes as if it had been sent bare.
func stripSpace(n *Node) {
	n.XMLName.Space = ""
	for i := range n.Nodes {
		stripSpace(&n.Nodes[i])
	}
}

// DecodeRequest parses a request body (the simulator's decoder). It refuses
// anything whose root element is not <Request>; checking the operation and
// InvokeID is left to the caller, which answers them with error codes.
func DecodeRequest(body []byte) (*Request, error) {
	var r Request
	if err := decodeXML(body, &r); err != nil {
		return nil, err
	}
	r.Operation = strings.TrimSpace(r.Operation)
	r.InvokeID = strings.TrimSpace(r.InvokeID)
	r.SessionID = strings.TrimSpace(r.SessionID)
	r.Offset = strings.TrimSpace(r.Offset)
	r.Limit = strings.TrimSpace(r.Limit)
	return &r, nil
}

// Encode marshals v (a *Request or *Response) without an XML declaration,
// as the seed's examples are written.
func Encode(v any) ([]byte, error) {
	return xml.Marshal(v)
}

// decodeXML unmarshals one XML document into v. A UTF-8 byte order mark is
// skipped; encodings other than UTF-8, US-ASCII, ISO-8859-1 and
// windows-1252 are refused.
func decodeXML(body []byte, v any) error {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	if err := d.Decode(v); err != nil {
		if err == io.EOF {
			return fmt.Errorf("%w: empty body", errNotXML)
		}
		return fmt.Errorf("%w: %v", errNotXML, err)
	}
	return nil
}

func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1":
		return latin1Reader{input}, nil
	case "windows-1252", "cp1252", "x-cp1252":
		// A Windows-hosted service may declare its code page: € and curly
		// quotes are 0x80-0x9F there, not the Latin-1 controls.
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", clip(label, 20))
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8: each byte is its rune.
type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	buf := make([]byte, len(p)/2)
	n, err := l.r.Read(buf)
	out := p[:0]
	for _, b := range buf[:n] {
		out = utf8.AppendRune(out, rune(b))
	}
	return len(out), err
}

// Printable makes text from the service safe to print in a terminal:
// control and bidirectional-override characters (an escape sequence could
// repaint the screen, a newline would break a table row) become spaces and
// invalid UTF-8 becomes "?" (safetext.Printable, shared with the other
// vendor clients). XML already refuses most C0 controls, but not tabs,
// newlines or the C1 range (U+0080-U+009F). The CLI and the TUI pane pass
// every service-supplied string they show through it; the data itself
// (what Change compares and sends) is never altered.
//
// It is the output gate (safetext.Out): every secret the process holds is
// removed too, so a value that echoes one is not shown.
func Printable(s string) string { return safetext.Out(s) }

// clip shortens s to at most n bytes of valid UTF-8 for an error message
// (values shown with %q, which escapes control characters itself);
// surrounding spaces are trimmed.
func clip(s string, n int) string {
	return strings.ToValidUTF8(safetext.Clip(strings.TrimSpace(s), n), "?")
}
