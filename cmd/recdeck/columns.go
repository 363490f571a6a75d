package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/recdeck/recdeck/ui/sessions"
)

// The console's columns: the profile's columns: list is read at start, and
// the column chooser's choice is written back into the same profile of the
// same file. The file is the user's: the rewrite goes through yaml.v3's
// node tree, so comments, key order and every other key stay, it is checked
// to decode to the same config but for the new list, and it replaces the
// file atomically (a temporary file in the same directory, fsynced, with
// the file's permissions, then renamed over it; a symlink is followed and
// kept). Without a config file the choice holds for the run only.

// profileColumns checks the profile's columns: list (nil when absent:
// every column).
func profileColumns(p Profile) ([]string, error) {
	if p.Columns == nil {
		return nil, nil
	}
	cols, err := sessions.ParseColumns(p.Columns)
	if err != nil {
		return nil, fmt.Errorf("config profile: %w", err)
	}
	return cols, nil
}

// columnSaver is the pane's Config.OnColumns: it saves the columns in the
// profile named by --profile (or default_profile, or "default", as
// pickProfile chooses) of the config file, and says where.
func columnSaver(profileFlag string) func(names []string) (string, error) {
	var mu sync.Mutex // one rewrite at a time
	return func(names []string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		path, _, err := configPath()
		if err != nil {
			return "", fmt.Errorf("no config file: %w", err)
		}
		if err := saveColumns(path, profileFlag, names); err != nil {
			return "", err
		}
		return path, nil
	}
}

// errNoConfigFile is saving columns with no config file to save them in.
var errNoConfigFile = errors.New("no config file")

// saveColumns sets the columns: list of a profile in the config file at
// path, keeping everything else in the file as it was.
func saveColumns(path, profileFlag string, names []string) error {
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w at %s (create one to keep the columns)", errNoConfigFile, path)
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("config file %s is not a regular file", path)
	}
	data, err := readConfigBytes(real)
	if err != nil {
		return err
	}
	out, err := setProfileColumns(data, profileFlag, names)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return replaceFile(real, out, fi.Mode().Perm())
}

func readConfigBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("config file %s: larger than %d bytes", path, maxConfigBytes)
	}
	return data, nil
}

// setProfileColumns returns the config file data with the profile's
// columns: set to names. It refuses a file that no longer decodes, and a
// rewrite that would change anything but that list.
func setProfileColumns(data []byte, profileFlag string, names []string) ([]byte, error) {
	before, _, err := decodeConfig(data)
	if err != nil {
		return nil, err
	}
	name := profileFlag
	if name == "" && len(before.DefaultProfile) > 0 {
		name = before.DefaultProfile[0] // the console's first server: its columns are the table's
	}
	if name == "" {
		name = "default"
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, friendlyYAMLError(err)
	}
	if doc.Kind == 0 { // an empty file
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the file is not a YAML mapping")
	}
	root := doc.Content[0]
	profiles, err := mappingValue(root, "profiles")
	if err != nil {
		return nil, err
	}
	prof, err := mappingValue(profiles, name)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, n := range names {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n})
	}
	if i := keyIndex(prof, "columns"); i >= 0 {
		old := prof.Content[i+1]
		if old.Kind == yaml.SequenceNode {
			list.Style = old.Style // the user's flow or block style
		}
		list.HeadComment, list.LineComment, list.FootComment = old.HeadComment, old.LineComment, old.FootComment
		prof.Content[i+1] = list
	} else {
		prof.Content = append(prof.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "columns"}, list)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(indentOf(root))
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	want := before
	if want.Profiles == nil {
		want.Profiles = map[string]Profile{}
	}
	p := want.Profiles[name]
	p.Columns = slices.Clone(names)
	want.Profiles[name] = p
	// The rewrite must decode to the same config but for this list: with
	// the user's layout put back if that holds, else as yaml.v3 wrote it.
	for _, out := range [][]byte{keepLayout(data, buf.Bytes()), buf.Bytes()} {
		if after, _, err := decodeConfig(out); err == nil && reflect.DeepEqual(want, after) {
			return out, nil
		}
	}
	return nil, errors.New("rewriting it would change more than the columns: add columns: by hand")
}

// mappingValue is the mapping under key in m, added when missing (or
// null). An alias is refused: editing it would change every profile that
// shares the anchor.
func mappingValue(m *yaml.Node, key string) (*yaml.Node, error) {
	i := keyIndex(m, key)
	if i < 0 {
		v := &yaml.Node{Kind: yaml.MappingNode}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		return v, nil
	}
	v := m.Content[i+1]
	switch {
	case v.Kind == yaml.MappingNode:
		return v, nil
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		*v = yaml.Node{Kind: yaml.MappingNode, HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
		return v, nil
	case v.Kind == yaml.AliasNode:
		return nil, fmt.Errorf("%s is an alias of another node: add columns: by hand", key)
	}
	return nil, fmt.Errorf("%s is not a mapping", key)
}

// keyIndex is the index of key's key node in the mapping m, or -1.
func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// indentOf is the file's indentation, read from its first nested block
// mapping (2 when there is none), so the rewrite keeps the user's.
func indentOf(root *yaml.Node) int {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
			if d := v.Content[0].Column - k.Column; d >= 2 && d <= 8 {
				return d
			}
		}
	}
	return 2
}

// keepLayout puts back the user's own layout on the lines the rewrite
// kept: yaml.v3 re-emits a line comment one space after its value and drops
// blank lines, which would undo the alignment of every commented line and
// the spacing between sections. A line of out that differs from the next
// unused line of in only by the spaces before a "#" is replaced by that
// line of in, after the blank lines of in skipped to reach it. The caller
// checks the result still decodes to the config it means (a blank line in
// a block scalar would not), and falls back to out.
func keepLayout(in, out []byte) []byte {
	inLines := strings.Split(string(in), "\n")
	var res []string
	j := 0
	for _, l := range strings.Split(string(out), "\n") {
		key := commentSpacing.ReplaceAllString(l, " #")
		for k := j; k < len(inLines); k++ {
			if commentSpacing.ReplaceAllString(inLines[k], " #") != key {
				continue
			}
			for _, skipped := range inLines[j:k] {
				if strings.TrimSpace(skipped) == "" {
					res = append(res, "")
				}
			}
			l, j = inLines[k], k+1
			break
		}
		res = append(res, l)
	}
	return []byte(strings.Join(res, "\n"))
}

var commentSpacing = regexp.MustCompile(`[ \t]+#`)

// replaceFile writes data to path atomically, with mode perm: a reader
// sees the old file or the new one, never a part.
func replaceFile(path string, data []byte, perm fs.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil { // the rename itself survives a crash
		_ = d.Sync()
		d.Close()
	}
	return nil
}
