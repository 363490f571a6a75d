package sessions

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/recdeck/recdeck/client/anywhere365"
	"github.com/recdeck/recdeck/themes"
	"github.com/recdeck/recdeck/ui"
)

// The packed sort must give exactly the order of the plain comparator, for
// every column and direction, including UCC names longer than the packed
// 16 bytes and ties.
func TestPackedSortAgreesWithComparator(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	uccs := []string{"a", "sales", "ucc-demo-name", "ucc-demo-name-very-long-1", "ucc-demo-name-very-long-2", "ZZ", ""}
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var snap []anywhere365.Session
	for i := range 2000 {
		snap = append(snap, anywhere365.Session{
			Key: anywhere365.SessionKey{UCC: uccs[rng.IntN(len(uccs))],
				CorrelationID: fmt.Sprintf("%08x-0000-0000-0000-%012x", rng.IntN(50), i)},
			Recording:    anywhere365.RecordingState(rng.IntN(6) - 1),
			Marking:      anywhere365.MarkingState(rng.IntN(3)),
			Saving:       anywhere365.SavingState(rng.IntN(3)),
			LastAction:   anywhere365.Action(rng.IntN(8)),
			StateSince:   base.Add(time.Duration(rng.IntN(5)) * time.Second),
			LastActionAt: base.Add(time.Duration(rng.IntN(5)) * time.Second),
		})
	}
	for col := range numCols {
		for _, desc := range []bool{false, true} {
			tb := table{snap: snap, sortCol: col, desc: desc}
			tb.init()
			for i := range snap {
				tb.rows = append(tb.rows, int32(i))
			}
			tb.sort()
			want := slices.Clone(tb.rows)
			slices.SortFunc(want, func(a, b int32) int {
				c := compareBy(col, &snap[a], &snap[b])
				if c == 0 {
					c = compareKeys(&snap[a], &snap[b])
				}
				if desc {
					c = -c
				}
				return c
			})
			for i := range want {
				if want[i] != tb.rows[i] {
					t.Fatalf("column %d desc %v: row %d is %v, want %v", col, desc, i, snap[tb.rows[i]].Key, snap[want[i]].Key)
				}
			}
		}
	}
}

// A rebuild that keeps the last order (no sessions added or removed, the
// order still right) gives exactly the order a full sort gives, for every
// column and direction, after random state changes; a change that moves a
// row, a new session, a filter, or a sort column changed in between sorts
// again. Under the UCC sort, state changes never sort.
func TestRebuildKeepsOnlyAnOrderStillRight(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	uccs := []string{"a", "sales", "ucc-demo-name", "ucc-demo-name-very-long-1", "ZZ"}
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var snap []anywhere365.Session
	for i := range 1500 {
		snap = append(snap, anywhere365.Session{
			Key: anywhere365.SessionKey{UCC: uccs[rng.IntN(len(uccs))],
				CorrelationID: fmt.Sprintf("%08x-0000-0000-0000-%012x", rng.IntN(50), i)},
			Recording:  anywhere365.RecordingState(rng.IntN(4)),
			StateSince: base.Add(time.Duration(rng.IntN(500)) * time.Second),
		})
	}
	full := func(tb *table) []int32 {
		ref := table{snap: tb.snap, sortCol: tb.sortCol, desc: tb.desc, filter: tb.filter}
		ref.init()
		ref.rebuild()
		return ref.rows
	}
	for col := range numCols {
		for _, desc := range []bool{false, true} {
			tb := table{snap: slices.Clone(snap), sortCol: col, desc: desc}
			tb.init()
			tb.rebuild()
			for round := range 30 {
				// A few state changes, as between two pulls under load.
				for range rng.IntN(4) {
					s := &tb.snap[rng.IntN(len(tb.snap))]
					s.Recording = anywhere365.RecordingState(rng.IntN(4))
					s.StateSince = base.Add(time.Duration(rng.IntN(500)) * time.Second)
					s.LastAction = anywhere365.Action(rng.IntN(8))
				}
				sorts := tb.sorts
				tb.rebuild()
				if want := full(&tb); !slices.Equal(tb.rows, want) {
					t.Fatalf("column %d desc %v round %d: kept order differs from a full sort", col, desc, round)
				}
				if col == colUCC && tb.sorts != sorts {
					t.Fatalf("desc %v round %d: a state change sorted the UCC order again", desc, round)
				}
			}
		}
	}

	tb := table{snap: slices.Clone(snap)}
	tb.init()
	tb.rebuild()
	check := func(what string, wantSort bool) {
		t.Helper()
		sorts := tb.sorts
		tb.rebuild()
		if got := tb.sorts != sorts; got != wantSort {
			t.Errorf("%s: sorted %v, want %v", what, got, wantSort)
		}
		if want := full(&tb); !slices.Equal(tb.rows, want) {
			t.Errorf("%s: order differs from a full sort", what)
		}
	}
	check("nothing changed", false)
	tb.snap = append(tb.snap, anywhere365.Session{Key: anywhere365.SessionKey{UCC: "a", CorrelationID: "0"}})
	check("a session added", true)
	tb.snap = tb.snap[1:]
	check("a session removed", true)
	tb.snap[0], tb.snap[1] = tb.snap[1], tb.snap[0]
	check("the snapshot in another order", true) // same sessions, but the kept indexes no longer in order
	tb.filter = "sales"
	check("a filter", true)
	check("the same filter", true) // a filtered rows does not hold every index
	tb.filter = ""
	check("the filter cleared", true)
	tb.sortCol = colState
	check("sorted by another column", true)
}

// A paint (the escape codes around a style's text) must draw exactly what
// the style's Render draws, in every theme and without colour.
func TestPaintMatchesRender(t *testing.T) {
	for _, th := range themes.Builtin() {
		for _, noColor := range []bool{false, true} {
			st := ui.NewStyles(th, noColor)
			for name, s := range map[string]interface{ Render(...string) string }{
				"row": st.Row, "sel": st.RowSel, "flash": st.RowFlash, "muted": st.Muted,
				"start": st.StateStart, "pause": st.StatePause, "error": st.Error, "accent": st.Accent,
			} {
				for _, text := range []string{"x", "  ucc-demo-name  ‖ Paused ?   ", "● Started"} {
					p := paintOf(s)
					if got, want := p.pre+text+p.post, s.Render(text); got != want {
						t.Errorf("%s/%v/%s: paint %q, Render %q", th.Name, noColor, name, got, want)
					}
				}
			}
		}
	}
}

func TestContainsFold(t *testing.T) {
	cases := []struct {
		s, needle string
		want      bool
	}{
		{"UCC-Demo-Name", "demo", true}, {"abc", "", true}, {"abc", "abcd", false},
		{"Ärger", "ärg", true}, {"sales", "les", true}, {"sales", "lz", false},
	}
	for _, c := range cases {
		if got := containsFold(c.s, c.needle); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.needle, got)
		}
	}
}

func TestFmtAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 9 * time.Second: "9s", 184 * time.Second: "3m04s",
		time.Hour + 2*time.Minute: "1h02m", 51 * time.Hour: "2d03h",
	} {
		if got := fmtAge(d); got != want {
			t.Errorf("fmtAge(%v) = %q, want %q", d, got, want)
		}
	}
}

// A row whose age alone changed is spliced from the cached one: it must be
// exactly the row drawn from scratch, selected or not, flashing or not,
// across the age's forms (seconds, minutes, hours, ended), on a wide and
// on a narrow screen.
func TestAgeSpliceDrawsTheSameRow(t *testing.T) {
	for _, width := range []int{140, 120, 70} {
		p, src, clock := benchPane(t, 60)
		p.SetSize(width, 40)
		src.mu.Lock()
		src.sessions[3].Gone = true
		src.ver++
		src.sessions[3].Version = src.ver
		src.mu.Unlock()
		p.pull(true)
		p.tbl.flash[p.tbl.snap[p.tbl.rows[2]].Key] = clock.Now().Add(time.Hour)
		p.View()
		spliceable := 0
		for _, c := range p.tbl.cache {
			if c.ageAt >= 0 {
				spliceable++
			}
		}
		if ageShown := slices.Contains(p.tbl.cols, colAge); ageShown != (spliceable > 0) {
			t.Fatalf("width %d: %d rows can have their age spliced", width, spliceable)
		}
		for _, step := range []time.Duration{time.Second, 59 * time.Second, time.Hour, 24 * time.Hour} {
			p.View()
			clock.Advance(step)
			p.now = clock.Now()
			spliced := p.View()
			p.tbl.invalidate()
			if fresh := p.View(); spliced != fresh {
				t.Fatalf("width %d after %v: spliced rows differ from rows drawn from scratch:\n%s\n---\n%s", width, step, spliced, fresh)
			}
		}
	}
}
