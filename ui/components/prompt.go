package components

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/ui"
)

// PromptResult says where a prompt stands after a key.
type PromptResult int

// Prompt results.
const (
	PromptOpen      PromptResult = iota // still waiting for the user
	PromptAccepted                      // confirmed ("y") or a valid value entered
	PromptCancelled                     // "n", esc, or any other key on a confirm
)

// Prompt is a one-line question at the bottom of a pane: either a yes/no
// confirmation (stop, delete) or a text input checked by a validator before
// it is accepted (UCC, correlation id, requester SIP URI). Bad input keeps
// the prompt open with the validator's message, so nothing typed is lost.
type Prompt struct {
	Question string
	// AcceptHelp and CancelHelp say what enter and esc do, in the prompt's
	// hint line and the frame's footer ("accept" and "cancel" by default;
	// the filter says "apply" and "clear").
	AcceptHelp, CancelHelp string
	confirm                bool
	input                  textinput.Model
	validate               func(string) error
	err                    string
	// Hint, when set, replaces the "enter: … · esc: …" line (command
	// mode shows its completions there).
	Hint string
	// styled is the Styles the input was last styled with: the textinput's
	// own default colours would ignore the theme and --no-color.
	styled *ui.Styles
}

// NewConfirm asks a yes/no question; only "y" (or "Y") accepts.
func NewConfirm(question string) *Prompt {
	return &Prompt{Question: question, confirm: true, AcceptHelp: "yes", CancelHelp: "no"}
}

// NewInput asks for a value; validate (may be nil) runs on enter.
func NewInput(question, placeholder string, limit int, validate func(string) error) *Prompt {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	st := in.Styles()
	st.Cursor.Blink = false // a steady cursor: no blink timer, stable screens
	in.SetStyles(st)
	in.Focus()
	return &Prompt{Question: question, input: in, validate: validate, AcceptHelp: "accept", CancelHelp: "cancel"}
}

// applyStyles styles the text input from the theme's Styles: the question
// and typed text in the theme's colours, the placeholder muted, and the
// cursor in the input colour (under --no-color it is reverse video only).
func (p *Prompt) applyStyles(st *ui.Styles) {
	if p.confirm || st == nil || st == p.styled {
		return
	}
	p.styled = st
	is := p.input.Styles()
	state := textinput.StyleState{Text: st.Text, Placeholder: st.Muted, Suggestion: st.Muted, Prompt: st.Input}
	is.Focused, is.Blurred = state, state
	is.Cursor.Color = st.Input.GetForeground()
	is.Cursor.Blink = false
	p.input.SetStyles(is)
}

// ShortHelp gives the keys that work while the prompt is open, for the
// frame's footer (the frame's own keys do not: the prompt has them all).
func (p *Prompt) ShortHelp() []key.Binding {
	if p.confirm {
		return []key.Binding{
			key.NewBinding(key.WithKeys("y"), key.WithHelp("y", p.AcceptHelp)),
			key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("any other key", p.CancelHelp)),
		}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", p.AcceptHelp)),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", p.CancelHelp)),
	}
}

// FullHelp is ShortHelp in one column.
func (p *Prompt) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// IsConfirm reports whether this is a yes/no prompt.
func (p *Prompt) IsConfirm() bool { return p.confirm }

// Value is the text entered so far (trimmed).
func (p *Prompt) Value() string { return strings.TrimSpace(p.input.Value()) }

// Raw is the text entered, untrimmed.
func (p *Prompt) Raw() string { return p.input.Value() }

// SetValueEnd sets the input and puts the cursor after it (a completion).
func (p *Prompt) SetValueEnd(v string) {
	p.input.SetValue(v)
	p.input.CursorEnd()
}

// SetValue replaces the text entered (used by tests and to prefill).
func (p *Prompt) SetValue(s string) { p.input.SetValue(s) }

// Err is the validator's message for the last enter, if it refused.
func (p *Prompt) Err() string { return p.err }

// Update handles a key press and reports the prompt's state.
func (p *Prompt) Update(msg tea.KeyPressMsg) (PromptResult, tea.Cmd) {
	if p.confirm {
		switch msg.String() {
		case "y", "Y":
			return PromptAccepted, nil
		}
		return PromptCancelled, nil
	}
	switch msg.String() {
	case "esc":
		return PromptCancelled, nil
	case "enter":
		v := p.Value()
		if p.validate != nil {
			if err := p.validate(v); err != nil {
				p.err = err.Error()
				return PromptOpen, nil
			}
		}
		p.err = ""
		return PromptAccepted, nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return PromptOpen, cmd
}

// UpdateOther passes non-key messages (paste, cursor) to the input.
func (p *Prompt) UpdateOther(msg tea.Msg) tea.Cmd {
	if p.confirm {
		return nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// View draws the prompt in one line (two when the validator refused).
func (p *Prompt) View(width int, st *ui.Styles) string {
	if p.confirm {
		return st.Warning.Render("? "+p.Question) + " " + st.HelpKey.Render("y") + st.Muted.Render(" "+p.AcceptHelp+" · any other key: "+p.CancelHelp)
	}
	p.applyStyles(st)
	q := st.Input.Render(p.Question + ": ")
	p.input.SetWidth(max(10, width-len([]rune(p.Question))-4))
	line := q + p.input.View()
	if p.err != "" {
		line += "\n" + st.Error.Render("✗ "+p.err) + st.Muted.Render("  (enter: retry · esc: "+p.CancelHelp+")")
	} else if p.Hint != "" {
		line += "\n" + st.Muted.Render(p.Hint)
	} else {
		line += "\n" + st.Muted.Render("enter: "+p.AcceptHelp+" · esc: "+p.CancelHelp)
	}
	return line
}
