package akixipane

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/recdeck/recdeck/client/akixi"
	"github.com/recdeck/recdeck/ui"
	"github.com/recdeck/recdeck/ui/audit"
)

// form is the add or change form: one text input per editable property.
// CallRecIntGUID and CallRecIntType are shown read-only when changing.
type form struct {
	adding bool
	orig   akixi.Entry // the entry as read (change), or the defaults (add)
	fields []field
	focus  int
	err    string // why the last save was refused; the values stay
	saving bool
}

type field struct {
	prop akixi.PropertyInfo
	in   textinput.Model
}

// formOrder is the order of the editable properties in the forms.
var formOrder = []string{
	akixi.PropDescription, akixi.PropTelSysID, akixi.PropPartIDInTelSys, akixi.PropPartitionGUID,
	akixi.PropIPAddrOrHost1, akixi.PropIPAddrOrHost2, akixi.PropAuthUserID1, akixi.PropAuthUserID2,
	akixi.PropAPIParameter1, akixi.PropAPIParameter2,
}

func (p *Pane) newForm(adding bool, orig akixi.Entry) *form {
	f := &form{adding: adding, orig: orig}
	names := formOrder
	if adding {
		names = append([]string{akixi.PropType}, formOrder...)
	}
	for _, n := range names {
		prop, _ := akixi.LookupProperty(n)
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 1024
		styleInput(&in, p.st)
		in.SetValue(orig.Get(n))
		if akixi.IsSecret(n) && !p.reveal {
			// A Dubber credential is typed and shown masked.
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		f.fields = append(f.fields, field{prop: prop, in: in})
	}
	f.setWidth(p.w)
	f.fields[0].in.Focus()
	return f
}

// labelWidth is the width of the labels column.
const labelWidth = 40

func (f *form) setWidth(w int) {
	for i := range f.fields {
		f.fields[i].in.SetWidth(max(w-labelWidth-6, 8))
	}
}

// openAdd opens the add form, with the type and the current scope filled in.
func (p *Pane) openAdd() {
	e := akixi.Entry{Type: akixi.TypeDubber, PartitionGUID: p.scope.PartitionGUID, TelSysID: p.scope.TelSysID, PartIDInTelSys: p.scope.PartIDInTelSys}
	p.form = p.newForm(true, e)
	p.lastMode, p.mode = p.mode, modeForm
}

// openChange opens the change form for an entry just read.
func (p *Pane) openChange(e akixi.Entry) {
	p.form = p.newForm(false, e)
	p.lastMode, p.mode = p.mode, modeForm
}

func (p *Pane) focusField(i int) {
	f := p.form
	f.fields[f.focus].in.Blur()
	f.focus = (i + len(f.fields)) % len(f.fields)
	f.fields[f.focus].in.Focus()
}

func (p *Pane) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := p.form
	if f.saving {
		return nil // the answer decides what happens next
	}
	k := &p.keys
	switch {
	case key.Matches(msg, k.Cancel):
		p.form = nil
		p.mode = p.returnMode()
		what := "add"
		if !f.adding {
			what = "change"
		}
		p.setStatus(ui.ToastInfo, "Cancelled the "+what+": nothing was sent")
		return ui.Toast(ui.ToastInfo, "Akixi: %s cancelled, nothing was sent", what)
	case key.Matches(msg, k.Save):
		return p.submit()
	case msg.String() == "enter":
		if f.focus == len(f.fields)-1 {
			return p.submit()
		}
		p.focusField(f.focus + 1)
		return nil
	case key.Matches(msg, k.NextField):
		p.focusField(f.focus + 1)
		return nil
	case key.Matches(msg, k.PrevField):
		p.focusField(f.focus - 1)
		return nil
	}
	var cmd tea.Cmd
	fld := &f.fields[f.focus]
	fld.in, cmd = fld.in.Update(msg)
	return cmd
}

// edited is the entry as the form now says.
func (f *form) edited() akixi.Entry {
	e := f.orig
	for _, fld := range f.fields {
		e.Set(fld.prop.Name, strings.TrimSpace(fld.in.Value()))
	}
	return e
}

// submit checks the form and sends it. Refused input keeps the form open
// with the reason; nothing typed is lost.
func (p *Pane) submit() tea.Cmd {
	f := p.form
	e := f.edited()
	api, timeout := p.o.API, p.o.RequestTimeout
	if f.adding {
		e.GUID = ""
		if err := akixi.ValidateNew(e); err != nil {
			f.err = err.Error()
			return nil
		}
		f.saving, f.err = true, ""
		p.setStatus(ui.ToastInfo, "Adding "+e.Description+"…")
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			end := p.audited("add", e.Scope().String()+" "+e.Description)
			guid, err := api.Add(ctx, e)
			end(err, func(r *audit.Record) {
				if guid != "" {
					r.Target = guid
				}
			})
			return savedMsg{op: "add", guid: guid, desc: e.Description, scope: e.Scope(), err: err}
		}
	}
	ch := akixi.Diff(f.orig, e)
	if len(ch) == 0 {
		p.form = nil
		p.mode = p.returnMode()
		p.setStatus(ui.ToastInfo, "No changes: nothing was sent")
		return ui.Toast(ui.ToastInfo, "Akixi: no changes to save, nothing was sent")
	}
	if err := ch.Validate(); err != nil {
		f.err = err.Error()
		return nil
	}
	f.saving, f.err = true, ""
	guid := f.orig.GUID
	p.setStatus(ui.ToastInfo, "Saving changes to "+guid+"…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		end := p.audited("change", guid)
		err := api.Change(ctx, guid, ch)
		end(err, nil)
		return savedMsg{op: "change", guid: guid, desc: e.Description, err: err}
	}
}
