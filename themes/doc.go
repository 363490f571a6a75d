// Package themes holds recdeck's colour themes and their loader.
//
// A theme is a small YAML file: a name, an optional palette of named colours
// (anchors, as k9s skins have), and a "colors" map that gives every role on
// screen (text, muted, header, selected row, recording states, ...) a colour
// or a palette name. Four themes are built in and embedded with go:embed:
// dark (the default), light, high-contrast and colorblind (the Okabe-Ito
// palette, safe for the common colour-vision deficiencies). Users may add
// their own files under <UserConfigDir>/recdeck/themes/*.yaml; they are
// listed beside the built-in ones and may start from a built-in theme with
// "base: NAME" and change only some roles.
//
// Main types and functions: Theme and Colors (the parsed, resolved theme),
// Parse (decode one file; every error names the file, the key and its line),
// Builtin, LoadAll and Select (the list the console cycles through with "t"
// and the one --theme picks).
//
// ReadableOn tells whether a theme reads on a dark or a light terminal
// background (the console starts with a matching one and cycles only
// through those); Remembered and Remember keep the theme last chosen with
// "t" in a state file, $XDG_STATE_HOME/recdeck/theme (StateFile), so the
// config file is never rewritten.
//
// Who calls it: cmd/recdeck (reading --theme and the config) and ui, whose
// NewStyles turns a Theme into the one Styles value every pane draws with.
// themes imports neither ui nor any client: it only knows colours.
//
// Colour is never the only carrier of meaning on screen (states are also
// words and symbols), so a theme can be as plain as the user likes; the
// terminal's own colours are used for any role set to "default".
package themes
