package noojee

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const opRecording = "retrieveRecording"

// ErrExists is returned (wrapped) when the leg's file is already in the
// folder and DownloadOptions.Overwrite is false.
var ErrExists = errors.New("file already exists (not overwritten)")

// DownloadOptions tune DownloadLeg.
type DownloadOptions struct {
	// Progress, if set, is called from the downloading goroutine after each
	// chunk with the bytes written so far and the total (-1 when the server
	// does not say). Keep it cheap: store the numbers, render elsewhere.
	Progress func(done, total int64)
	// Overwrite replaces an existing file of the same name.
	Overwrite bool
}

// Download is one leg's audio written to disk.
type Download struct {
	UniqueID    string
	Leg         int
	Path        string
	Bytes       int64
	ContentType string
}

// stallError is why a download was cut: no byte arrived for that long.
type stallError struct{ d time.Duration }

func (e stallError) Error() string { return fmt.Sprintf("stalled: no data for %s", e.d) }

// DownloadLeg fetches one leg's audio (ASSUMPTION: POST Config.RecordingPath
// with uniqueId and leg, answered with audio/wav) into dir, which is created
// if missing. The audio is streamed to a hidden temporary file beside the
// final one and renamed into place only when complete, so an interrupted or
// cancelled download leaves no file under the final name (and no
// temporary). Files are created 0600: recordings may hold card details.
func (c *Client) DownloadLeg(ctx context.Context, uniqueID string, leg int, dir string, opt DownloadOptions) (Download, error) {
	uniqueID, err := checkID("unique id", uniqueID)
	if err != nil {
		return Download{}, err
	}
	if leg < 1 || leg > 9999 {
		return Download{}, &InputError{Field: "leg", Problem: fmt.Sprintf("%d is not a leg number (1 or more)", leg)}
	}
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return Download{}, &InputError{Field: "folder", Problem: "missing"}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Download{}, fmt.Errorf("noojee: folder: %w", err)
	}

	// The watchdog cancels the request when nothing arrives for Timeout:
	// before the headers, and between chunks of the body.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(c.cfg.Timeout, func() { cancel(stallError{c.cfg.Timeout}) })
	defer watchdog.Stop()

	resp, _, err := c.post(ctx, opRecording, c.cfg.RecordingPath,
		url.Values{"uniqueId": {uniqueID}, "leg": {strconv.Itoa(leg)}})
	if err != nil {
		return Download{}, withCause(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _, _ := readLimited(resp.Body, 4<<10)
		return Download{}, c.statusError(opRecording, resp, body)
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "application/json" || mt == "application/xml" || strings.HasPrefix(mt, "text/") {
		body, _, _ := readLimited(resp.Body, 4<<10)
		if a, ok := ParseAnswer(body); ok && !a.OK() {
			return Download{}, c.callError(opRecording, a) // the server's own refusal
		}
		return Download{}, &APIError{Op: opRecording, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: fmt.Sprintf("expected audio, got %q", excerpt(ct, 40)), Excerpt: c.excerpt(body)}
	}
	if resp.ContentLength > c.cfg.MaxAudioBytes {
		return Download{}, &APIError{Op: opRecording, StatusCode: resp.StatusCode, Status: resp.Status,
			Problem: fmt.Sprintf("audio of %d bytes is over the %d-byte limit: refused", resp.ContentLength, c.cfg.MaxAudioBytes)}
	}

	name := LegFileName(uniqueID, leg, extFor(mt))
	final := filepath.Join(dir, name)
	if !opt.Overwrite {
		if _, err := os.Lstat(final); err == nil {
			return Download{}, fmt.Errorf("noojee: %s: %w", final, ErrExists)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+name+".part-*")
	if err != nil {
		return Download{}, fmt.Errorf("noojee: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	total := resp.ContentLength
	n, err := c.copyBody(tmp, resp.Body, total, watchdog, opt.Progress)
	if err != nil {
		return Download{}, withCause(ctx, err)
	}
	if err := tmp.Sync(); err != nil {
		return Download{}, fmt.Errorf("noojee: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Download{}, fmt.Errorf("noojee: %w", err)
	}
	if err := publish(tmp.Name(), final, opt.Overwrite); err != nil {
		return Download{}, err
	}
	ok = true
	return Download{UniqueID: uniqueID, Leg: leg, Path: final, Bytes: n, ContentType: ct}, nil
}

// copyBody streams the body to w in chunks, re-arming the watchdog on each.
func (c *Client) copyBody(w io.Writer, body io.Reader, total int64, watchdog *time.Timer, progress func(done, total int64)) (int64, error) {
	limit := c.cfg.MaxAudioBytes
	r := io.LimitReader(body, limit+1)
	buf := make([]byte, 32<<10)
	var done int64
	if progress != nil {
		progress(0, total)
	}
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			watchdog.Reset(c.cfg.Timeout)
			if _, err := w.Write(buf[:n]); err != nil {
				return done, fmt.Errorf("noojee: writing the file: %w", err)
			}
			done += int64(n)
			if done > limit {
				return done, &APIError{Op: opRecording, StatusCode: 200, Status: "200 OK",
					Problem: fmt.Sprintf("audio over the %d-byte limit: refused, nothing kept", limit)}
			}
			if progress != nil {
				progress(done, total)
			}
		}
		if rerr == io.EOF {
			if total >= 0 && done != total {
				return done, &TransportError{Op: opRecording, Err: fmt.Errorf("interrupted after %d of %d bytes, nothing kept: %w", done, total, io.ErrUnexpectedEOF)}
			}
			return done, nil
		}
		if rerr != nil {
			of := "?"
			if total >= 0 {
				of = strconv.FormatInt(total, 10)
			}
			return done, &TransportError{Op: opRecording, Err: fmt.Errorf("interrupted after %d of %s bytes, nothing kept: %w", done, of, redactErr(rerr))}
		}
	}
}

// withCause replaces a bare "context canceled" by why the download's
// context was cancelled (a stall), keeping the error's type.
func withCause(ctx context.Context, err error) error {
	var se stallError
	if cause := context.Cause(ctx); errors.As(cause, &se) {
		return &TransportError{Op: opRecording, Err: fmt.Errorf("%w (nothing kept)", se)}
	}
	return err
}

// publish moves the finished temporary file to its final name. Without
// overwrite it links (which fails if the name was taken meanwhile) rather
// than renames (which would silently replace it).
func publish(tmp, final string, overwrite bool) error {
	if !overwrite {
		err := os.Link(tmp, final)
		if err == nil {
			os.Remove(tmp)
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("noojee: %s: %w", final, ErrExists)
		}
		// Some filesystems have no hard links: check, then rename.
		if _, serr := os.Lstat(final); serr == nil {
			return fmt.Errorf("noojee: %s: %w", final, ErrExists)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("noojee: %w", err)
	}
	return nil
}

// LegFileName is the name a leg's audio is saved under:
// "{uniqueId}-leg{N}{ext}", with anything but letters, digits, '.', '_' and
// '-' in the id replaced by '_'.
func LegFileName(uniqueID string, leg int, ext string) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, uniqueID)
	id = strings.TrimLeft(id, ".")
	if id == "" {
		id = "call"
	}
	return fmt.Sprintf("%s-leg%d%s", id, leg, ext)
}

// extFor picks a file extension from the audio's media type. ASSUMPTION:
// recordings are WAV unless the server says otherwise.
func extFor(mediaType string) string {
	switch mediaType {
	case "audio/mpeg", "audio/mp3":
		return ".mp3"
	case "audio/ogg":
		return ".ogg"
	case "audio/gsm", "audio/x-gsm":
		return ".gsm"
	}
	return ".wav"
}

// DefaultDownloadDir is where fetched legs go when no folder is given: a
// per-user data directory, $XDG_DATA_HOME/recdeck/noojee, else
// ~/.local/share/recdeck/noojee. Never the working directory: recordings
// hold personal data and must not land wherever a command happened to run.
func DefaultDownloadDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "recdeck", "noojee"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("noojee: no folder for downloads (give one, or set XDG_DATA_HOME): %w", err)
	}
	return filepath.Join(home, ".local", "share", "recdeck", "noojee"), nil
}
