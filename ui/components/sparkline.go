package components

import "strings"

// sparkBlocks are the eight heights of a sparkline cell, lowest first.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values (oldest first) as one line of block characters,
// scaled so the largest value fills a cell. Only the newest width values
// are drawn; fewer values are right-aligned with spaces. Zero and negative
// values draw the lowest block, so an idle stream still shows a baseline.
func Sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	max := 0.0
	for _, v := range values {
		if v > max {
			max = v
		}
	}
	var b strings.Builder
	b.Grow(width * 3)
	for i := len(values); i < width; i++ {
		b.WriteByte(' ')
	}
	for _, v := range values {
		idx := 0
		if max > 0 && v > 0 {
			idx = int(v / max * float64(len(sparkBlocks)-1))
			if idx < 1 {
				idx = 1 // any activity shows above the baseline
			}
		}
		b.WriteRune(sparkBlocks[idx])
	}
	return b.String()
}
