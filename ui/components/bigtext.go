package components

import "strings"

// BigHeight is the number of lines BigText draws.
const BigHeight = 5

// bigFont is a 5-line block font: '#' is a filled cell. Every glyph of a
// row has the same width.
var bigFont = map[rune][BigHeight]string{
	'A': {" ### ", "#   #", "#####", "#   #", "#   #"},
	'B': {"#### ", "#   #", "#### ", "#   #", "#### "},
	'C': {" ####", "#    ", "#    ", "#    ", " ####"},
	'D': {"#### ", "#   #", "#   #", "#   #", "#### "},
	'E': {"#####", "#    ", "#### ", "#    ", "#####"},
	'F': {"#####", "#    ", "#### ", "#    ", "#    "},
	'G': {" ####", "#    ", "#  ##", "#   #", " ### "},
	'H': {"#   #", "#   #", "#####", "#   #", "#   #"},
	'I': {"#####", "  #  ", "  #  ", "  #  ", "#####"},
	'J': {"  ###", "   # ", "   # ", "#  # ", " ##  "},
	'K': {"#   #", "#  # ", "###  ", "#  # ", "#   #"},
	'L': {"#    ", "#    ", "#    ", "#    ", "#####"},
	'M': {"#   #", "## ##", "# # #", "#   #", "#   #"},
	'N': {"#   #", "##  #", "# # #", "#  ##", "#   #"},
	'O': {" ### ", "#   #", "#   #", "#   #", " ### "},
	'P': {"#### ", "#   #", "#### ", "#    ", "#    "},
	'Q': {" ### ", "#   #", "# # #", "#  # ", " ## #"},
	'R': {"#### ", "#   #", "#### ", "#  # ", "#   #"},
	'S': {" ####", "#    ", " ### ", "    #", "#### "},
	'T': {"#####", "  #  ", "  #  ", "  #  ", "  #  "},
	'U': {"#   #", "#   #", "#   #", "#   #", " ### "},
	'V': {"#   #", "#   #", "#   #", " # # ", "  #  "},
	'W': {"#   #", "#   #", "# # #", "## ##", "#   #"},
	'X': {"#   #", " # # ", "  #  ", " # # ", "#   #"},
	'Y': {"#   #", " # # ", "  #  ", "  #  ", "  #  "},
	'Z': {"#####", "   # ", "  #  ", " #   ", "#####"},
	'0': {" ### ", "#  ##", "# # #", "##  #", " ### "},
	'1': {"  #  ", " ##  ", "  #  ", "  #  ", " ### "},
	'2': {" ### ", "#   #", "  ## ", " #   ", "#####"},
	'3': {"#### ", "    #", " ### ", "    #", "#### "},
	'4': {"#   #", "#   #", "#####", "    #", "    #"},
	'5': {"#####", "#    ", "#### ", "    #", "#### "},
	'6': {" ### ", "#    ", "#### ", "#   #", " ### "},
	'7': {"#####", "    #", "   # ", "  #  ", "  #  "},
	'8': {" ### ", "#   #", " ### ", "#   #", " ### "},
	'9': {" ### ", "#   #", " ####", "    #", " ### "},
	':': {"   ", " # ", "   ", " # ", "   "},
	'-': {"     ", "     ", "#####", "     ", "     "},
	'.': {"  ", "  ", "  ", "  ", "# "},
	'!': {"#", "#", "#", " ", "#"},
	'?': {" ### ", "#   #", "  ## ", "     ", "  #  "},
	' ': {"   ", "   ", "   ", "   ", "   "},
}

// BigWidth is how many cells BigText(s) is wide.
func BigWidth(s string) int {
	w := 0
	for i, r := range strings.ToUpper(s) {
		g, ok := bigFont[r]
		if !ok {
			g = bigFont['?']
		}
		if i > 0 {
			w++
		}
		w += len(g[0])
	}
	return w
}

// BigText draws s in 5-line block letters (upper-cased; unknown characters
// become '?'). The lines are returned unstyled, all the same width.
func BigText(s string) [BigHeight]string {
	var rows [BigHeight]strings.Builder
	first := true
	for _, r := range strings.ToUpper(s) {
		g, ok := bigFont[r]
		if !ok {
			g = bigFont['?']
		}
		for i := range rows {
			if !first {
				rows[i].WriteByte(' ')
			}
			rows[i].WriteString(strings.ReplaceAll(g[i], "#", "█"))
		}
		first = false
	}
	var out [BigHeight]string
	for i := range rows {
		out[i] = rows[i].String()
	}
	return out
}
