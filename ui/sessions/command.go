package sessions

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/client/safetext"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/components"
)

// Command mode (":"), k9s style: one line, tab completes the command and
// its argument, enter runs it. The commands:
//
//	:sort COLUMN [desc]  sort by a column (ucc, correlation, recording,
//	                     marking, saving, age, last, server)
//	:filter TEXT         filter as / does ("!" inverts; nothing clears)
//	:goto ID             jump to a session by correlation id prefix
//	                     (or UCC/prefix)
//	:theme NAME          switch theme (the frame applies and remembers it)
//	:export FILE         write the table as shown (filtered, sorted) to
//	                     FILE.csv or FILE.json; an existing file is kept
//	:columns [NAME ...]  the column chooser, or show these columns in
//	                     this order (columns.go); saved in the config
//	:profile NAME...     follow the named profiles' servers instead (one,
//	                     or several separated by spaces or commas); refused
//	                     while a payment pause or an action is under way

// command is one command of command mode.
type command struct {
	name, args, help string
}

var commands = []command{
	{"sort", "COLUMN [desc]", "sort the table"},
	{"filter", "TEXT", "filter the rows (!TEXT inverts, nothing clears)"},
	{"goto", "ID", "jump to a session by correlation id prefix"},
	{"theme", "NAME", "switch theme"},
	{"export", "FILE.csv|FILE.json", "write the table as shown"},
	{"columns", "[NAME ...]", "choose the columns (none: the chooser)"},
	{"profile", "NAME [NAME...]", "follow other servers (config profiles)"},
}

// sortColumns are :sort's names for the columns, in column order.
// They are also the names of the config's columns: list.
var sortColumns = [numCols]string{"ucc", "correlation", "recording", "marking", "saving", "age", "last", "server"}

// openCommand opens the command line.
func (p *Pane) openCommand() tea.Cmd {
	pr := components.NewInput("", "sort age · filter TEXT · goto ID · theme NAME · export FILE.csv", 200, nil)
	pr.AcceptHelp = "run"
	pr.Hint = commandHint("")
	p.ask(pr, "", func(v string) tea.Cmd { return p.runCommand(v) })
	p.cmdOpen = true
	return nil
}

// commandHint lists the commands, or the candidates of a completion.
func commandHint(prefix string) string {
	if name, _, ok := strings.Cut(prefix, " "); ok {
		for _, c := range commands {
			if c.name == name {
				return ":" + c.name + " " + c.args + ": " + c.help + " · enter runs · esc closes"
			}
		}
	}
	var names []string
	for _, c := range commands {
		if strings.HasPrefix(c.name, prefix) {
			names = append(names, c.name+" "+c.args)
		}
	}
	return "tab completes · enter runs · esc closes · " + strings.Join(names, " · ")
}

// complete completes the command line's last word; it returns the new line
// and the candidates when more than one fits.
func (p *Pane) complete(line string) (string, []string) {
	fields := strings.Fields(line)
	trailing := strings.HasSuffix(line, " ")
	var cands []string
	var word string
	switch {
	case len(fields) == 0 || (len(fields) == 1 && !trailing):
		if len(fields) == 1 {
			word = fields[0]
		}
		for _, c := range commands {
			cands = append(cands, c.name)
		}
		fields = nil
	default:
		if !trailing {
			word = fields[len(fields)-1]
			fields = fields[:len(fields)-1]
		}
		cands = p.argCandidates(fields[0], word)
	}
	var fit []string
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(word)) {
			fit = append(fit, c)
		}
	}
	if len(fit) == 0 {
		return line, nil
	}
	done := fit[0]
	if len(fit) > 1 {
		done = commonPrefix(fit)
	}
	out := strings.Join(append(fields, done), " ")
	if len(fit) == 1 {
		out += " "
		return out, nil
	}
	return out, fit
}

func commonPrefix(ss []string) string {
	pre := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(strings.ToLower(s), strings.ToLower(pre)) {
			pre = pre[:len(pre)-1]
		}
	}
	return pre
}

// argCandidates are the values an argument of cmd may take.
func (p *Pane) argCandidates(cmd, word string) []string {
	switch cmd {
	case "sort":
		return append(sortColumns[:], "desc")
	case "columns":
		return ColumnNames()
	case "theme":
		if len(p.cfg.ThemeNames) > 0 {
			return p.cfg.ThemeNames
		}
		var names []string
		for _, t := range themes.Builtin() {
			names = append(names, t.Name)
		}
		return names
	case "profile":
		return p.cfg.Profiles
	case "goto":
		var ids []string
		for _, r := range p.tbl.rows {
			id := p.tbl.snap[r].Key.CorrelationID
			if strings.HasPrefix(id, strings.ToLower(word)) {
				ids = append(ids, shortID(id))
			}
			if len(ids) >= 20 {
				break
			}
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	return nil
}

// commandTab is tab in command mode.
func (p *Pane) commandTab() {
	line, cands := p.complete(p.prompt.Value() + trailingSpace(p.prompt))
	p.prompt.SetValueEnd(line)
	if len(cands) > 1 {
		p.prompt.Hint = "tab: " + strings.Join(cands, " · ")
	} else {
		p.prompt.Hint = commandHint(strings.TrimSpace(line))
	}
}

// trailingSpace keeps the space the user typed after a word (Value trims).
func trailingSpace(pr *components.Prompt) string {
	if strings.HasSuffix(pr.Raw(), " ") {
		return " "
	}
	return ""
}

// runCommand runs one command line; every path ends in a toast or a
// visible change.
func (p *Pane) runCommand(line string) tea.Cmd {
	p.cmdOpen = false
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	name, rest := strings.ToLower(fields[0]), strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), fields[0]))
	switch name {
	case "sort":
		return p.cmdSort(fields[1:])
	case "filter":
		p.tbl.setFilter(rest)
		if rest == "" {
			return toast(ui.ToastInfo, "Filter cleared")
		}
		return toast(ui.ToastInfo, fmt.Sprintf("Filter %q: %d of %d sessions", rest, len(p.tbl.rows), len(p.tbl.snap)))
	case "goto":
		return p.cmdGoto(rest)
	case "theme":
		if rest == "" {
			return toast(ui.ToastWarning, ":theme needs a name (tab lists them)")
		}
		return func() tea.Msg { return ui.SetThemeMsg{Name: rest} }
	case "export":
		return p.cmdExport(rest)
	case "profile":
		return p.cmdProfile(strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' }))
	case "columns":
		return p.cmdColumns(fields[1:])
	}
	return toast(ui.ToastWarning, "Unknown command :"+name+" (commands: sort, filter, goto, theme, export, columns, profile)")
}

func (p *Pane) cmdSort(args []string) tea.Cmd {
	if len(args) == 0 {
		return toast(ui.ToastWarning, ":sort needs a column: "+strings.Join(sortColumns[:], ", "))
	}
	col := column(-1)
	for c, n := range sortColumns {
		if strings.HasPrefix(n, strings.ToLower(args[0])) {
			col = column(c)
			break
		}
	}
	if col < 0 {
		return toast(ui.ToastWarning, "Unknown column "+args[0]+" (columns: "+strings.Join(sortColumns[:], ", ")+")")
	}
	p.tbl.sortCol = col
	p.tbl.desc = len(args) > 1 && strings.HasPrefix("desc", strings.ToLower(args[1]))
	p.tbl.rebuild()
	return toast(ui.ToastInfo, "Sorted by "+p.tbl.sortDesc())
}

// cmdProfile makes the console follow other servers. It is refused while
// something belongs to the current ones: a payment pause the guard must
// end, or an action whose answer is awaited.
func (p *Pane) cmdProfile(names []string) tea.Cmd {
	if len(names) == 0 {
		now := make([]string, 0, len(p.Servers()))
		for _, s := range p.Servers() {
			now = append(now, s.label())
		}
		return toast(ui.ToastInfo, ":profile needs a name (tab lists them); following: "+strings.Join(now, ", "))
	}
	if p.cfg.SwitchProfile == nil {
		return toast(ui.ToastWarning, ":profile: this console cannot switch servers")
	}
	if p.mode == modePayment || (p.cfg.Guard != nil && len(p.cfg.Guard.OpenPayment()) > 0) {
		return toast(ui.ToastWarning, ":profile refused: a payment pause is under way on this server (resume it first)")
	}
	if len(p.pending) > 0 {
		return toast(ui.ToastWarning, ":profile refused: an action is still waiting for its answer")
	}
	servers, header, err := p.cfg.SwitchProfile(names)
	if err != nil {
		return toast(ui.ToastError, ":profile: "+err.Error())
	}
	p.replaceServers(servers)
	var where []string
	for _, s := range servers {
		w := s.label()
		if s.URL != "" {
			w += " (" + s.URL + ")"
		}
		where = append(where, safetext.Out(w))
	}
	return tea.Batch(func() tea.Msg { return header }, toast(ui.ToastInfo, "Following "+strings.Join(where, ", ")))
}

// replaceServers follows servers instead of the current ones: what was
// shown, picked or known about the old ones is dropped.
func (p *Pane) replaceServers(servers []Server) {
	p.setServers(servers)
	p.picked = nil
	clear(p.caps)
	p.connErr = nil
	p.mode = modeTable
	p.al = alertsView{}
	p.tbl.forget()
	p.pull(true)
}

func (p *Pane) cmdGoto(arg string) tea.Cmd {
	if arg == "" {
		return toast(ui.ToastWarning, ":goto needs a correlation id or its first characters")
	}
	ucc, prefix, hasUCC := strings.Cut(arg, "/")
	if !hasUCC {
		ucc, prefix = "", arg
	}
	prefix = strings.ToLower(strings.Trim(prefix, "{}"))
	var found []anywhere365.SessionKey
	for _, s := range p.tbl.snap {
		if strings.HasPrefix(s.Key.CorrelationID, prefix) && (ucc == "" || strings.EqualFold(s.Key.UCC, ucc)) {
			found = append(found, s.Key)
		}
	}
	switch len(found) {
	case 0:
		return toast(ui.ToastWarning, "No session's id starts with "+arg+" (a adds one by UCC and id)")
	case 1:
	default:
		slices.SortFunc(found, func(a, b anywhere365.SessionKey) int { return strings.Compare(label(a), label(b)) })
	}
	k := found[0]
	if p.tbl.filter != "" && !slices.ContainsFunc(p.tbl.rows, func(r int32) bool { return p.tbl.snap[r].Key == k }) {
		p.tbl.setFilter("") // the session is hidden by the filter: show it
	}
	p.mode = modeTable
	p.tbl.selectKey(k)
	if len(found) > 1 {
		return toast(ui.ToastInfo, fmt.Sprintf("%d sessions' ids start with %s: on %s (type more of the id)", len(found), arg, label(k)))
	}
	return toast(ui.ToastInfo, "On "+label(k))
}

// exportRow is one row of :export, in both formats.
type exportRow struct {
	Server        string `json:"server,omitempty"` // with several servers
	UCC           string `json:"ucc"`
	CorrelationID string `json:"correlation_id"`
	Recording     string `json:"recording"`
	Marking       string `json:"marking"`
	Saving        string `json:"saving"`
	StateSince    string `json:"state_since,omitempty"`
	LastAction    string `json:"last_action,omitempty"`
	Confirmed     bool   `json:"confirmed"`
	Ended         bool   `json:"ended"`
}

func (p *Pane) cmdExport(file string) tea.Cmd {
	ext := strings.ToLower(filepath.Ext(file))
	if file == "" || (ext != ".csv" && ext != ".json") {
		return toast(ui.ToastWarning, ":export needs a file name ending in .csv or .json")
	}
	rows := make([]exportRow, 0, len(p.tbl.rows))
	for _, r := range p.tbl.rows {
		s := &p.tbl.snap[r]
		e := exportRow{Server: s.Key.Server, UCC: s.Key.UCC, CorrelationID: s.Key.CorrelationID, Recording: s.Recording.String(),
			Marking: s.Marking.String(), Saving: s.Saving.String(), Confirmed: s.Confirmed, Ended: s.Gone}
		if !s.StateSince.IsZero() {
			e.StateSince = s.StateSince.UTC().Format(time.RFC3339)
		}
		if s.LastAction != 0 {
			e.LastAction = s.LastAction.String()
		}
		rows = append(rows, e)
	}
	servers := p.tbl.servers
	return func() tea.Msg {
		if err := writeExport(file, ext, rows, servers); err != nil {
			return ui.ToastMsg{Level: ui.ToastError, Text: "Export to " + file + " failed: " + err.Error()}
		}
		return ui.ToastMsg{Level: ui.ToastSuccess, Text: fmt.Sprintf("Exported %s to %s", plural(len(rows), "session"), file)}
	}
}

// writeExport writes rows to a new file: an existing one is never
// overwritten (a typo must not replace a report). The CSV has a server
// column first when the table lists one (several servers).
func writeExport(file, ext string, rows []exportRow, servers bool) (err error) {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return errors.New("the file exists; choose another name")
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if ext == ".json" {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	w := csv.NewWriter(f)
	head := []string{"ucc", "correlation_id", "recording", "marking", "saving", "state_since", "last_action", "confirmed", "ended"}
	if servers {
		head = append([]string{"server"}, head...)
	}
	_ = w.Write(head)
	for _, r := range rows {
		rec := []string{csvSafe(r.UCC), r.CorrelationID, r.Recording, r.Marking, r.Saving, r.StateSince, r.LastAction,
			fmt.Sprint(r.Confirmed), fmt.Sprint(r.Ended)}
		if servers {
			rec = append([]string{csvSafe(r.Server)}, rec...)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
