package audit

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Damage is a line of a log file that is not a whole record.
type Damage struct {
	File   string
	Line   int
	Reason string
}

func (d Damage) String() string {
	if d.Line == 0 {
		return d.File + ": " + d.Reason
	}
	return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Reason)
}

// Files lists the log at path and the rotated files beside it, oldest
// first: path.N ... path.2, path.1 (each plain or gzip-compressed with a
// .gz suffix, as logrotate leaves them), then path itself if it exists.
func Files(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	type rotated struct {
		n    int
		name string
	}
	var rs []rotated
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok || e.IsDir() {
			continue
		}
		rest = strings.TrimSuffix(rest, ".gz")
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || strconv.Itoa(n) != rest {
			continue
		}
		rs = append(rs, rotated{n, filepath.Join(dir, e.Name())})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n })
	var out []string
	for _, r := range rs {
		out = append(out, r.name)
	}
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("audit log: no log at %s", path)
	}
	return out, nil
}

// ReadFiles reads the log at path and its rotated files (see Files),
// oldest first. Each damaged line goes to bad with its file and line
// number and is skipped; only a file that cannot be read at all is an
// error.
func ReadFiles(path string, bad func(Damage)) ([]Record, error) {
	files, err := Files(path)
	if err != nil {
		return nil, err
	}
	var recs []Record
	for _, name := range files {
		if err := readFile(name, &recs, bad); err != nil {
			return recs, err
		}
	}
	return recs, nil
}

func readFile(name string, recs *[]Record, bad func(Damage)) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("audit log %s: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	err = Scan(r, func(rec Record) { *recs = append(*recs, rec) }, func(line int, reason string) {
		if bad != nil {
			bad(Damage{File: name, Line: line, Reason: reason})
		}
	})
	if err != nil && strings.HasSuffix(name, ".gz") && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum)) {
		// A cut or corrupt archive: what was read is kept.
		if bad != nil {
			bad(Damage{File: name, Reason: "compressed file ends early or is corrupt: the records before are kept"})
		}
		return nil
	}
	return err
}

// DanglingTailBytes is how much of the end of the log the console reads on
// start to find attempts with no outcome: the last run's actions are at
// the end, and a log of years is not read whole at every start.
const DanglingTailBytes = 1 << 20

// ReadTail reads the records in the last n bytes of the log at path (the
// first, partial line is dropped). A missing log has no records.
func ReadTail(path string, n int64) ([]Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	var r io.Reader = f
	if st.Size() > n {
		if _, err := f.Seek(st.Size()-n, io.SeekStart); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		// Start at the first whole line: skip up to the first newline.
		head := make([]byte, 1)
		for {
			if _, err := io.ReadFull(f, head); err != nil {
				return nil, nil
			}
			if head[0] == '\n' {
				break
			}
		}
	}
	recs, _, err := Read(r)
	return recs, err
}
