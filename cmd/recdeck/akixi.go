package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/recdeck/recdeck/client/akixi"
	akixisim "github.com/recdeck/recdeck/client/akixi/sim"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/ui"
	akixipane "github.com/recdeck/recdeck/ui/akixi"
	"github.com/recdeck/recdeck/ui/audit"
)

// AkixiProfile is the akixi: section of a config profile.
//
//	akixi:
//	  base_url: https://akixi.example.com
//	  username: admin                # or --username
//	  password: ...                  # or RECDECK_AKIXI_PASSWORD (never a flag)
//	  path: /CCS/WSAPI               # ASSUMED WS API endpoint path (not public)
//	  fail_element: Fail             # ASSUMED element names of a Fail answer
//	  fail_code: ErrorCode
//	  fail_message: ErrorDescription
//	  scope: "1/2"                   # the TUI pane's first scope (default: all)
//	  page_size: 20                  # the TUI pane's page size
//	  logout_operation: Logout       # ASSUMED operation closing a session ("-": none, let it expire)
//	  dubber:                        # Dubber credentials for add/change --secret NAME, when the
//	    auth_user_id1: ...           #   environment (RECDECK_AKIXI_AUTH_USER_ID1, ...) has none;
//	    api_parameter1: ...          #   never a flag, else asked for at a prompt
type AkixiProfile struct {
	BaseURL     string `yaml:"base_url"`
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	Path        string `yaml:"path"`
	FailElement string `yaml:"fail_element"`
	FailCode    string `yaml:"fail_code"`
	FailMessage string `yaml:"fail_message"`
	Scope       string `yaml:"scope"`
	PageSize    int    `yaml:"page_size"`
	// LogoutOperation names the WS API operation that closes a session
	// (not public: "Logout" by default; "-" sends none).
	LogoutOperation string `yaml:"logout_operation"`
	// Dubber holds Dubber credentials for --secret (secrets: the profile
	// file's permissions are checked like for the other secrets).
	Dubber AkixiDubber `yaml:"dubber"`
}

// AkixiDubber is the akixi.dubber section: credentials --secret takes when
// the environment has none.
type AkixiDubber struct {
	AuthUserID1   string `yaml:"auth_user_id1"`
	AuthUserID2   string `yaml:"auth_user_id2"`
	APIParameter1 string `yaml:"api_parameter1"`
	APIParameter2 string `yaml:"api_parameter2"`
}

// get gives the profile's value of a Dubber credential.
func (d AkixiDubber) get(prop string) string {
	switch prop {
	case akixi.PropAuthUserID1:
		return d.AuthUserID1
	case akixi.PropAuthUserID2:
		return d.AuthUserID2
	case akixi.PropAPIParameter1:
		return d.APIParameter1
	case akixi.PropAPIParameter2:
		return d.APIParameter2
	}
	return ""
}

// akixiPasswordEnv names the environment variable holding the password.
const akixiPasswordEnv = "RECDECK_AKIXI_PASSWORD"

// akixiSettings is the resolved Akixi section: the profile's, with the
// environment and the flags laid over it. The profile's top-level base_url
// and username (the Anywhere365 server's) are never used for Akixi.
func akixiSettings(g *globals) (AkixiProfile, Profile, error) {
	p, err := g.profile()
	if err != nil {
		return AkixiProfile{}, p, err
	}
	a := p.Akixi
	setIfGiven(&a.BaseURL, g.baseURL)
	setIfGiven(&a.Username, g.username)
	setIfGiven(&a.Password, os.Getenv(akixiPasswordEnv))
	return a, p, nil
}

// akixiConfig turns the settings into a client config, or says what is
// missing.
func akixiConfig(a AkixiProfile, p Profile, hc *http.Client) (akixi.Config, error) {
	switch {
	case strings.TrimSpace(a.BaseURL) == "":
		return akixi.Config{}, errors.New("no Akixi server given: use --base-url or akixi.base_url in a config profile; `recdeck sim` serves a simulator (user demo, password demo)")
	case a.Username == "":
		return akixi.Config{}, errors.New("no Akixi user given: use --username or akixi.username in a config profile")
	case a.Password == "":
		return akixi.Config{}, errors.New("no Akixi password given: set " + akixiPasswordEnv + " (or akixi.password in a config profile)")
	}
	return akixi.Config{
		BaseURL: a.BaseURL, Path: a.Path, Username: a.Username, Password: a.Password,
		HTTPClient: hc, Timeout: p.Timeout,
		FailNames:       akixi.FailNames{Element: a.FailElement, Code: a.FailCode, Message: a.FailMessage},
		LogoutOperation: a.LogoutOperation,
	}, nil
}

// akixiClient builds the client for the CLI; a missing or bad setting is a
// usage error.
func akixiClient(g *globals) (*akixi.Client, error) {
	a, p, err := akixiSettings(g)
	if err != nil {
		return nil, err
	}
	cfg, err := akixiConfig(a, p, g.httpClient(p))
	if err != nil {
		return nil, withExit(exitUsage, err)
	}
	c, err := akixi.New(cfg)
	if err != nil {
		return nil, withExit(exitUsage, err)
	}
	return c, nil
}

// akixiStart builds the client and the command's context, which SIGINT
// and SIGTERM cancel (so Ctrl+C also ends a pending request or the delete
// question). The caller defers stop, which also closes the session the
// command opened (Logout, bounded to a few seconds): sessions are not left
// to linger on the service.
func akixiStart(cmd *cobra.Command, g *globals) (*akixi.Client, context.Context, context.CancelFunc, error) {
	c, err := akixiClient(g)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, stopSignals := signalContext(cmd)
	stop := func() {
		stopSignals()
		lctx, cancel := context.WithTimeout(context.Background(), akixiLogoutTimeout)
		defer cancel()
		_ = c.Logout(lctx) // best effort: the session expires on its own otherwise
	}
	return c, ctx, stop, nil
}

// akixiLogoutTimeout bounds closing the session when a command or the
// console ends.
const akixiLogoutTimeout = 3 * time.Second

// akixiExit maps a client error to the core's exit statuses: input refused
// before sending -> 2; the service refused the sign-in, or no usable
// answer -> 3; any other Fail answer -> 1.
func akixiExit(err error) error {
	return exitFor(err, func(err error) int {
		var ae *akixi.APIError
		switch {
		case akixi.IsValidation(err):
			return exitUsage
		case akixi.IsAuth(err):
			return exitNetwork
		case errors.As(err, &ae), errors.Is(err, akixi.ErrTooManyEntries):
			return exitAPI
		}
		return exitNetwork
	})
}

// akixiKebab turns a property name into its flag name: "IPAddrOrHost1" ->
// "ip-addr-or-host1", "PartIDInTelSys" -> "part-id-in-tel-sys". A hyphen
// goes before an upper-case letter that follows a lower-case one or that
// ends a run of capitals; digits stay with what they follow.
func akixiKebab(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// akixiFlagName is a property's flag: --guid and --type for the read-only
// two, the akixiKebab case of the name for the others.
func akixiFlagName(prop string) string {
	switch prop {
	case akixi.PropGUID:
		return "guid"
	case akixi.PropType:
		return "type"
	}
	return akixiKebab(prop)
}

// akixiPropFlags registers one string flag per named property.
type akixiPropFlags map[string]*string

func addAkixiPropFlags(cmd *cobra.Command, names ...string) akixiPropFlags {
	pf := akixiPropFlags{}
	for _, n := range names {
		info, _ := akixi.LookupProperty(n)
		v := new(string)
		usage := info.Label + " (" + n + ")"
		if info.ReadOnly {
			usage += ", cannot be changed after creation"
		}
		cmd.Flags().StringVar(v, akixiFlagName(n), "", usage)
		pf[n] = v
	}
	return pf
}

// given returns the properties whose flags were set, with their values.
func (pf akixiPropFlags) given(cmd *cobra.Command) map[string]string {
	out := map[string]string{}
	for n, v := range pf {
		if cmd.Flags().Changed(akixiFlagName(n)) {
			out[n] = *v
		}
	}
	return out
}

var (
	akixiScopeProps = []string{akixi.PropPartitionGUID, akixi.PropTelSysID, akixi.PropPartIDInTelSys}
	// akixiEditableProps are the properties add and change take, in flag order.
	// The Dubber credentials (akixi.SecretProperties) are not among them:
	// they come from the environment or a prompt (--secret), never a flag.
	akixiEditableProps = []string{akixi.PropPartitionGUID, akixi.PropTelSysID, akixi.PropPartIDInTelSys, akixi.PropDescription,
		akixi.PropIPAddrOrHost1, akixi.PropIPAddrOrHost2}
)

// akixiSecretEnv names the environment variable holding a Dubber
// credential: RECDECK_AKIXI_AUTH_USER_ID1, ..._API_PARAMETER2.
func akixiSecretEnv(prop string) string {
	return "RECDECK_AKIXI_" + strings.ToUpper(strings.ReplaceAll(akixiKebab(prop), "-", "_"))
}

// akixiSecretFlags adds --secret NAME (repeatable) to add and change, and
// the old per-secret flags as hidden ones that only say where the value
// must come from instead (a value on the command line is visible to every
// process on the host and kept in shell history).
func akixiSecretFlags(cmd *cobra.Command) *[]string {
	names := new([]string)
	var flags []string
	for _, n := range akixi.SecretProperties {
		flags = append(flags, akixiFlagName(n))
		cmd.Flags().String(akixiFlagName(n), "", "")
		_ = cmd.Flags().MarkHidden(akixiFlagName(n))
	}
	cmd.Flags().StringSliceVar(names, "secret", nil, "set a Dubber credential ("+strings.Join(flags, ", ")+
		") from its environment variable ("+akixiSecretEnv(akixi.PropAuthUserID1)+", ...) or a prompt; repeatable")
	return names
}

// akixiSecrets reads the Dubber credentials asked for with --secret: each
// from its environment variable, else the profile's akixi.dubber section,
// else from a prompt on stderr that does not
// echo on a terminal (a line of stdin otherwise). A value given as a flag
// is refused, before anything is sent.
func akixiSecrets(cmd *cobra.Command, g *globals, names []string) (map[string]string, error) {
	var dubber AkixiDubber
	if len(names) > 0 {
		if p, err := g.profile(); err == nil {
			dubber = p.Akixi.Dubber
		}
	}
	for _, n := range akixi.SecretProperties {
		if cmd.Flags().Changed(akixiFlagName(n)) {
			return nil, withExit(exitUsage, fmt.Errorf("--%s: %s is a Dubber credential and is never taken from a flag: use --secret %s with %s set, or answer the prompt",
				akixiFlagName(n), n, akixiFlagName(n), akixiSecretEnv(n)))
		}
	}
	out := map[string]string{}
	var in *bufio.Reader
	for _, name := range names {
		prop := ""
		for _, n := range akixi.SecretProperties {
			if strings.EqualFold(name, akixiFlagName(n)) || strings.EqualFold(name, n) {
				prop = n
			}
		}
		if prop == "" {
			return nil, withExit(exitUsage, fmt.Errorf("--secret %q: not a Dubber credential (want auth-user-id1, auth-user-id2, api-parameter1 or api-parameter2)", akixi.Printable(name)))
		}
		if v, ok := os.LookupEnv(akixiSecretEnv(prop)); ok {
			out[prop] = v
			continue
		}
		if v := dubber.get(prop); v != "" {
			out[prop] = v
			continue
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s (%s is not set): ", prop, akixiSecretEnv(prop))
		var line string
		if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(f.Fd()) {
			b, err := term.ReadPassword(f.Fd())
			fmt.Fprintln(cmd.ErrOrStderr())
			if err != nil {
				return nil, withExit(exitUsage, fmt.Errorf("%s: %w", prop, err))
			}
			line = string(b)
		} else {
			if in == nil {
				in = bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 64<<10))
			}
			l, err := in.ReadString('\n')
			if err != nil && l == "" {
				return nil, withExit(exitUsage, fmt.Errorf("%s: no value given (set %s)", prop, akixiSecretEnv(prop)))
			}
			line = l
		}
		out[prop] = strings.TrimRight(line, "\r\n")
	}
	for _, v := range out {
		safetext.AddSecret(v)
	}
	return out, nil
}

// akixiShow is an entry as the CLI shows it: the Dubber credentials masked
// unless --show-secrets.
func akixiShow(g *akixiGlobals, e akixi.Entry) akixi.Entry {
	if g.showSecrets {
		return e
	}
	return e.Masked()
}

// akixiGlobals are the akixi command's own persistent flags.
type akixiGlobals struct {
	showSecrets bool
}

func newAkixiCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "akixi",
		Short: "Akixi: administer Call Recording Integration entries (WS API)",
		Long: `Administer the Call Recording Integration entries of an Akixi Service
through its WS API: list them by scope, show one, add, change or delete one.

An entry is attached to the whole application (no scope flags), to one
telephony server (--tel-sys-id), or to one partition (--partition-guid, or
--tel-sys-id with --part-id-in-tel-sys). --guid names an entry
(CallRecIntGUID) and --type its integration type (CallRecIntType); both are
fixed when the entry is created. Every other property is a flag named after
it: --description, --ip-addr-or-host1... The Dubber credentials
(AuthUserID1/2, APIParameter1/2) are secrets: never a flag, they come from
RECDECK_AKIXI_AUTH_USER_ID1 (..._AUTH_USER_ID2, ..._API_PARAMETER1,
..._API_PARAMETER2) or a prompt, asked for with --secret auth-user-id1; they
are masked in info, list and --json unless --show-secrets. Adds, changes and
deletes are written to the audit log; the session is closed when the
command ends.

The server is --base-url or akixi.base_url of the profile; the session is
opened with --username (or akixi.username) and the password from
` + akixiPasswordEnv + ` (or akixi.password), never from a flag.

Exit status: 0 done, 1 the service answered an error, 2 invalid usage
(nothing sent), 3 network or authentication failure.`,
		Example: `  recdeck sim &   # then, against the simulator (user demo, password demo):
  export ` + akixiPasswordEnv + `=demo
  recdeck akixi --base-url http://127.0.0.1:8365 --username demo list --tel-sys-id 2 --part-id-in-tel-sys Sales
  recdeck akixi --base-url http://127.0.0.1:8365 --username demo add --tel-sys-id 1 --part-id-in-tel-sys 2 \
      --description "Team A" --ip-addr-or-host1 api.dubber.net/uk1 --secret auth-user-id1
  recdeck akixi --base-url http://127.0.0.1:8365 --username demo delete --guid <guid>`,
	}
	ag := &akixiGlobals{}
	cmd.PersistentFlags().BoolVar(&ag.showSecrets, "show-secrets", false, "show the Dubber credentials (AuthUserID1/2, APIParameter1/2) instead of masking them")
	bindNoAudit(cmd, g)
	cmd.AddCommand(newAkixiListCmd(g, ag), newAkixiInfoCmd(g, ag), newAkixiAddCmd(g, ag), newAkixiChangeCmd(g, ag), newAkixiDeleteCmd(g, ag))
	return jsonErrors(g, cmd)
}

func newAkixiListCmd(g *globals, ag *akixiGlobals) *cobra.Command {
	var offset, limit int
	var fields string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the entries of a scope (all pages, or one with --offset/--limit)",
		Args:  cobra.NoArgs,
	}
	pf := addAkixiPropFlags(cmd, akixiScopeProps...)
	cmd.Flags().IntVar(&offset, "offset", 0, "entries to skip (Offset); with --offset or --limit one page is listed")
	cmd.Flags().IntVar(&limit, "limit", 0, "entries to return (Limit; the service's default is 1000)")
	cmd.Flags().StringVar(&fields, "call-rec-int-fields", "", `properties to return besides GUID and Description (CallRecIntFields), e.g. "TelSysID, PartIDInTelSys"`)
	cmd.Flags().StringVar(&fields, "fields", "", "short for --call-rec-int-fields")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var sc akixi.Scope
		for n, v := range pf.given(cmd) {
			switch n {
			case akixi.PropPartitionGUID:
				sc.PartitionGUID = v
			case akixi.PropTelSysID:
				sc.TelSysID = v
			case akixi.PropPartIDInTelSys:
				sc.PartIDInTelSys = v
			}
		}
		q := akixi.ListQuery{Scope: sc, Offset: offset, Limit: limit, Fields: akixi.ParseFields(fields)}
		if q.Offset < 0 || q.Limit < 0 {
			return withExit(exitUsage, errors.New("--offset and --limit must not be negative"))
		}
		if err := sc.Validate(); err != nil {
			return withExit(exitUsage, err)
		}
		c, ctx, stop, err := akixiStart(cmd, g)
		if err != nil {
			return err
		}
		defer stop()
		var entries []akixi.Entry
		more := "" // after one page: where the next one starts
		if cmd.Flags().Changed("offset") || cmd.Flags().Changed("limit") {
			page, err := c.List(ctx, q)
			if err != nil {
				return akixiExit(err)
			}
			entries = page.Entries
			if page.Full() && len(entries) > 0 {
				more = fmt.Sprintf("; more may follow: --offset %d", q.Offset+len(entries))
			}
		} else if entries, err = c.ListAll(ctx, q); err != nil {
			return akixiExit(err)
		}
		out := cmd.OutOrStdout()
		for i := range entries {
			entries[i] = akixiShow(ag, entries[i])
		}
		if g.jsonOut {
			if entries == nil {
				entries = []akixi.Entry{}
			}
			return printVendorJSON(out, entries)
		}
		if len(entries) == 0 {
			safetext.Fprintf(out, "No entries in %s%s.\n", sc, akixiFrom(q.Offset))
			return nil
		}
		cols := append([]string{akixi.PropGUID, akixi.PropDescription}, q.Fields...)
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		for _, e := range entries {
			vals := make([]string, len(cols))
			for i, col := range cols {
				vals[i] = akixi.Printable(e.Get(col))
			}
			fmt.Fprintln(tw, strings.Join(vals, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return withExit(exitAPI, err)
		}
		safetext.Fprintf(out, "%d %s in %s%s%s\n", len(entries), akixiPlural(len(entries), "entry", "entries"), sc, akixiFrom(q.Offset), more)
		return nil
	}
	return cmd
}

// akixiFrom says where a listing started, when not at the first entry.
func akixiFrom(offset int) string {
	if offset == 0 {
		return ""
	}
	return fmt.Sprintf(" from offset %d", offset)
}

func akixiPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// akixiPrintEntry shows every property, one a line, read-only ones marked.
func akixiPrintEntry(w io.Writer, e akixi.Entry) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, p := range akixi.Properties {
		v := akixi.Printable(e.Get(p.Name))
		if v == "" {
			v = "-"
		}
		note := ""
		if p.ReadOnly {
			note = "\t(read-only after creation)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", p.Name, v, note)
	}
	fmt.Fprintf(tw, "scope\t%s\n", akixi.Printable(e.Scope().String()))
	_ = tw.Flush()
}

// akixiRequireGUID checks --guid before anything is sent.
func akixiRequireGUID(guid string) error {
	if err := akixi.ValidateGUID("--guid", guid); err != nil {
		return withExit(exitUsage, err)
	}
	return nil
}

func newAkixiInfoCmd(g *globals, ag *akixiGlobals) *cobra.Command {
	var guid string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show every property of one entry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := akixiRequireGUID(guid); err != nil {
				return err
			}
			c, ctx, stop, err := akixiStart(cmd, g)
			if err != nil {
				return err
			}
			defer stop()
			e, err := c.Info(ctx, guid)
			if err != nil {
				return akixiExit(err)
			}
			e = akixiShow(ag, e)
			if g.jsonOut {
				return printVendorJSON(cmd.OutOrStdout(), e)
			}
			akixiPrintEntry(cmd.OutOrStdout(), e)
			return nil
		},
	}
	cmd.Flags().StringVar(&guid, "guid", "", "the entry's CallRecIntGUID")
	return cmd
}

func newAkixiAddCmd(g *globals, ag *akixiGlobals) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add an entry (its GUID is assigned by the service)",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&typ, "type", akixi.TypeDubber, "integration type (CallRecIntType), fixed once created")
	pf := addAkixiPropFlags(cmd, akixiEditableProps...)
	secretNames := akixiSecretFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		e := akixi.Entry{Type: typ}
		for n, v := range pf.given(cmd) {
			e.Set(n, v)
		}
		secrets, err := akixiSecrets(cmd, g, *secretNames)
		if err != nil {
			return err
		}
		for n, v := range secrets {
			e.Set(n, v)
		}
		if err := akixi.ValidateNew(e); err != nil {
			return withExit(exitUsage, err)
		}
		c, ctx, stop, err := akixiStart(cmd, g)
		if err != nil {
			return err
		}
		defer stop()
		att, err := akixiAudit(g, c, "add", e.Scope().String()+" "+e.Description)
		if err != nil {
			return err
		}
		guid, err := c.Add(ctx, e)
		att.end(akixiOutcome(err), err, func(r *audit.Record) {
			if guid != "" {
				r.Target = guid
			}
		})
		if err != nil {
			return akixiExit(err)
		}
		e.GUID = guid
		if guid != "" {
			if got, err := c.Info(ctx, guid); err == nil {
				e = got
			}
		}
		e = akixiShow(ag, e)
		out := cmd.OutOrStdout()
		if g.jsonOut {
			return printVendorJSON(out, e)
		}
		if guid == "" {
			fmt.Fprintf(out, "Added %q in %s (its GUID could not be found: list the scope to see it)\n", akixi.Printable(e.Description), akixi.Printable(e.Scope().String()))
			return nil
		}
		fmt.Fprintf(out, "Added %q in %s: %s\n", akixi.Printable(e.Description), akixi.Printable(e.Scope().String()), akixi.Printable(guid))
		return nil
	}
	return cmd
}

// akixiAudit writes the attempt record of an add, change or delete.
func akixiAudit(g *globals, c *akixi.Client, action, target string) (*cliAttempt, error) {
	p, _ := g.profile()
	return beginCLIAudit(g, p, audit.Record{Vendor: "akixi", Server: c.Endpoint(),
		Target: safetext.Out(target), Action: "entry " + action})
}

// akixiOutcome is the audit outcome of an add, change or delete: unknown
// when the request may have reached the service without an answer.
func akixiOutcome(err error) string {
	var te *akixi.TransportError
	switch {
	case err == nil:
		return audit.OutcomeOK
	case errors.As(err, &te):
		return audit.OutcomeUnknown
	}
	return audit.OutcomeFailed
}

func newAkixiChangeCmd(g *globals, ag *akixiGlobals) *cobra.Command {
	var guid, typ string
	cmd := &cobra.Command{
		Use:   "change",
		Short: "Change the given properties of an entry (GUID and type are fixed)",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&guid, "guid", "", "the entry's CallRecIntGUID")
	cmd.Flags().StringVar(&typ, "type", "", "refused: CallRecIntType cannot be changed after creation")
	pf := addAkixiPropFlags(cmd, akixiEditableProps...)
	secretNames := akixiSecretFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Flags().Changed("type") {
			return withExit(exitUsage, fmt.Errorf("--type: %s %s; delete the entry and add a new one to use another type", akixi.PropType, akixi.ReadOnlyReason))
		}
		if err := akixiRequireGUID(guid); err != nil {
			return err
		}
		ch := akixi.Changes(pf.given(cmd))
		secrets, err := akixiSecrets(cmd, g, *secretNames)
		if err != nil {
			return err
		}
		for n, v := range secrets {
			ch[n] = v
		}
		if len(ch) == 0 {
			return withExit(exitUsage, errors.New("nothing to change: give at least one property flag, e.g. --description"))
		}
		if err := ch.Validate(); err != nil {
			return withExit(exitUsage, err)
		}
		c, ctx, stop, err := akixiStart(cmd, g)
		if err != nil {
			return err
		}
		defer stop()
		att, err := akixiAudit(g, c, "change", guid)
		if err != nil {
			return err
		}
		err = c.Change(ctx, guid, ch)
		att.end(akixiOutcome(err), err, nil)
		if err != nil {
			return akixiExit(err)
		}
		out := cmd.OutOrStdout()
		if g.jsonOut {
			e, err := c.Info(ctx, guid)
			if err != nil {
				return akixiExit(err)
			}
			return printVendorJSON(out, akixiShow(ag, e))
		}
		var names []string
		for _, p := range akixi.Properties {
			if _, ok := ch[p.Name]; ok {
				names = append(names, p.Name)
			}
		}
		safetext.Fprintf(out, "Changed %s: %s\n", guid, strings.Join(names, ", "))
		return nil
	}
	return cmd
}

func newAkixiDeleteCmd(g *globals, ag *akixiGlobals) *cobra.Command {
	var guid string
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete an entry (cannot be undone; asks first unless --yes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := akixiRequireGUID(guid); err != nil {
				return err
			}
			c, ctx, stop, err := akixiStart(cmd, g)
			if err != nil {
				return err
			}
			defer stop()
			e, err := c.Info(ctx, guid)
			if err != nil {
				return akixiExit(err)
			}
			switch {
			case !yes:
				if err := akixiConfirmDelete(ctx, cmd.InOrStdin(), cmd.ErrOrStderr(), e); err != nil {
					return err
				}
			case e.IsDemo():
				// --yes skips the question, not the warning.
				fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: deleting %s, the demonstration-simulator entry Akixi advises keeping (--yes given).\n",
					akixi.Printable(e.Description))
			}
			att, err := akixiAudit(g, c, "delete", guid)
			if err != nil {
				return err
			}
			err = c.Delete(ctx, guid)
			att.end(akixiOutcome(err), err, nil)
			if err != nil {
				return akixiExit(err)
			}
			if g.jsonOut {
				return printVendorJSON(cmd.OutOrStdout(), map[string]any{"deleted": akixiShow(ag, e)})
			}
			safetext.Fprintf(cmd.OutOrStdout(), "Deleted %q (%s)\n", akixi.Printable(e.Description), guid)
			return nil
		},
	}
	cmd.Flags().StringVar(&guid, "guid", "", "the entry's CallRecIntGUID")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// akixiConfirmDelete asks on w and reads the answer from r: only "y" or
// "yes" deletes. The demonstration entry gets a warning first. The answer
// is read beside ctx, so Ctrl+C (which the command's context catches)
// ends the question instead of being swallowed while the read waits.
func akixiConfirmDelete(ctx context.Context, r io.Reader, w io.Writer, e akixi.Entry) error {
	desc := akixi.Printable(e.Description)
	if e.IsDemo() {
		fmt.Fprintf(w, "WARNING: %s is the demonstration-simulator entry. Akixi creates it to play back\n"+
			"example recordings for reports run on demonstration simulators, and advises not to delete it.\n", desc)
	}
	fmt.Fprintf(w, "Delete %q (%s, %s)? This cannot be undone. [y/N] ", desc, akixi.Printable(e.GUID), akixi.Printable(e.Scope().String()))
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1) // buffered: the reader never blocks on a question given up
	go func() {
		line, err := bufio.NewReader(io.LimitReader(r, 1024)).ReadString('\n')
		got <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-ctx.Done():
		fmt.Fprintln(w)
		return withExit(exitUsage, errors.New("not deleted: interrupted"))
	}
	if a.err != nil && a.line == "" {
		fmt.Fprintln(w)
		return withExit(exitUsage, errors.New("not deleted: no answer (use --yes to delete without asking)"))
	}
	switch strings.ToLower(strings.TrimSpace(a.line)) {
	case "y", "yes":
		return nil
	}
	return withExit(exitUsage, errors.New("not deleted: the answer was not yes"))
}

// mountAkixiSim registers the Akixi simulator on the shared mux.
func mountAkixiSim(mux *http.ServeMux, baseURL string, seed int64) ([]string, func()) {
	s := akixisim.New(akixisim.Options{Seed: seed})
	s.Register(mux)
	return []string{
		"akixi: WS API " + baseURL + s.Path() + " (POST XML); users demo (administrator), viewer, tsadmin, partadmin; password " + akixisim.Demo,
		"akixi: scopes all, 1, 1/1, 1/2, 2, 2/Sales (45 entries), 2/Support; control: POST " + baseURL + "/sim/akixi/expire-sessions, " +
			baseURL + "/sim/akixi/fault?code=10104&count=1",
	}, func() {}
}

// newAkixiPane builds the Akixi TUI pane; with nothing configured for
// Akixi the tab says what to configure. In the demo it signs in to the simulator as demo.
// With a server but no usable credentials it still shows, saying what is
// missing.
func newAkixiPane(env vendorEnv) ui.Pane {
	a := env.Profile.Akixi
	setIfGiven(&a.Password, os.Getenv(akixiPasswordEnv))
	hint := ""
	if env.Demo {
		a.BaseURL, a.Username, a.Password = env.BaseURL, "demo", akixisim.Demo
		a.Path, a.FailElement, a.FailCode, a.FailMessage = "", "", "", ""
		hint = "Demo: s then 2/Sales pages through 45 entries; 1/2 holds the document's examples; d on the demo entry warns first"
	}
	if strings.TrimSpace(a.BaseURL) == "" {
		// Not configured: the tab says what to set rather than vanish.
		return akixipane.New(akixipane.Options{Unavailable: "not configured: set akixi.base_url and akixi.username (and " +
			akixiPasswordEnv + " or akixi.password) in a config profile; `recdeck sim` serves a simulator (user demo, password demo)"})
	}
	o := akixipane.Options{RequestTimeout: env.Profile.Timeout, PageSize: a.PageSize, Hint: hint,
		Server: displayURL(a.BaseURL), Profile: env.ProfileName, Requester: env.Requester}
	if env.Audit != nil {
		o.Audit = env.Audit
	}
	if a.Scope != "" {
		sc, err := akixi.ParseScope(a.Scope)
		if err != nil {
			o.Unavailable = "akixi.scope in the profile: " + err.Error()
			return akixipane.New(o)
		}
		o.Scope = sc
	}
	cfg, err := akixiConfig(a, env.Profile, env.HTTPClient)
	if err != nil {
		o.Unavailable = err.Error()
		return akixipane.New(o)
	}
	c, err := akixi.New(cfg)
	if err != nil {
		o.Unavailable = err.Error()
		return akixipane.New(o)
	}
	o.API = c
	// The console's session is closed when the console ends (bounded: the
	// exit must not wait on a slow service).
	env.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), akixiConsoleLogoutTimeout)
		defer cancel()
		_ = c.Logout(ctx)
	})
	return akixipane.New(o)
}

// akixiConsoleLogoutTimeout bounds closing the pane's session at exit,
// within the console's own one-second clean-up bound.
const akixiConsoleLogoutTimeout = 800 * time.Millisecond
