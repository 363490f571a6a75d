package sim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/recdeck/recdeck/client/noojee"
)

// wavHeaderSize is the size of a canonical PCM WAV header.
const wavHeaderSize = 44

// wavSize is the file size of a 16-bit mono WAV of samples samples.
func wavSize(samples int64) int64 { return wavHeaderSize + 2*samples }

// toneHz is a leg's tone, so legs sound (and hash) different.
func toneHz(leg int) float64 { return 350 + 110*float64((leg-1)%8) }

// writeWAV writes a 16-bit mono PCM WAV holding a tone of freq Hz (whole
// Hz), streaming: it never holds the audio whole.
func writeWAV(w io.Writer, sampleRate int, samples int64, freq float64) error {
	var h [wavHeaderSize]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(wavSize(samples)-8))
	copy(h[8:], "WAVE")
	copy(h[12:], "fmt ")
	binary.LittleEndian.PutUint32(h[16:], 16) // fmt chunk size
	binary.LittleEndian.PutUint16(h[20:], 1)  // PCM
	binary.LittleEndian.PutUint16(h[22:], 1)  // mono
	binary.LittleEndian.PutUint32(h[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(h[28:], uint32(sampleRate*2)) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 2)                    // block align
	binary.LittleEndian.PutUint16(h[34:], 16)                   // bits per sample
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(2*samples))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	// A whole-Hz tone repeats every second: build one second of samples
	// and write it again and again (never the whole audio in memory).
	sec := make([]byte, 2*sampleRate)
	step := 2 * math.Pi * freq / float64(sampleRate)
	for i := 0; i < sampleRate; i++ {
		binary.LittleEndian.PutUint16(sec[2*i:], uint16(int16(8000*math.Sin(step*float64(i)))))
	}
	for left := 2 * samples; left > 0; {
		chunk := sec[:min(left, int64(len(sec)))]
		if _, err := w.Write(chunk); err != nil {
			return err
		}
		left -= int64(len(chunk))
	}
	return nil
}

// findLeg returns a leg's sample count, or false.
func (s *Server) findLeg(uniqueID string, n int) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byUID[uniqueID]
	if !ok {
		return 0, false
	}
	for _, l := range c.legs {
		if l.n == n {
			return int64(l.dur) * int64(s.cfg.SampleRate), true
		}
	}
	return 0, false
}

// Audio returns the exact bytes the simulator serves for a leg (for tests
// that compare a download byte for byte).
func (s *Server) Audio(uniqueID string, leg int) ([]byte, error) {
	samples, ok := s.findLeg(uniqueID, leg)
	if !ok {
		return nil, fmt.Errorf("no leg %d of call %s", leg, uniqueID)
	}
	var buf bytes.Buffer
	err := writeWAV(&buf, s.cfg.SampleRate, samples, toneHz(leg))
	return buf.Bytes(), err
}

// audio answers retrieveRecording (the assumed method) with the leg's WAV.
func (s *Server) audio(w http.ResponseWriter, r *http.Request, op string) {
	uid := strings.TrimSpace(r.Form.Get("uniqueId"))
	n, err := strconv.Atoi(strings.TrimSpace(r.Form.Get("leg")))
	if uid == "" || err != nil || n < 1 {
		text(w, http.StatusBadRequest, "Missing or invalid parameter: uniqueId and leg are required.")
		return
	}
	samples, ok := s.findLeg(uid, n)
	if !ok {
		text(w, http.StatusNotFound, fmt.Sprintf("No recording for uniqueId %s leg %d.", uid, n))
		return
	}
	s.mu.Lock()
	cut := s.cutNext
	s.cutNext = -1
	s.mu.Unlock()

	size := wavSize(samples)
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, noojee.LegFileName(uid, n, ".wav")))
	w.WriteHeader(http.StatusOK)
	out := io.Writer(w)
	if s.cfg.Throttle > 0 {
		out = &throttled{w: w, rate: s.cfg.Throttle, done: r.Context().Done()}
	}
	if cut >= 0 {
		out = &cutWriter{w: out, left: cut}
	}
	err = writeWAV(out, s.cfg.SampleRate, samples, toneHz(n))
	if errors.Is(err, errCut) {
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
}

var errCut = errors.New("cut by fault injection")

// cutWriter passes left bytes, then fails.
type cutWriter struct {
	w    io.Writer
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if int64(len(p)) <= c.left {
		c.left -= int64(len(p))
		return c.w.Write(p)
	}
	n, err := c.w.Write(p[:c.left])
	c.left = 0
	if err != nil {
		return n, err
	}
	return n, errCut
}

// throttled paces writes to rate bytes a second, flushing each chunk so
// the client sees steady progress; it stops when the request ends.
type throttled struct {
	w    http.ResponseWriter
	rate int64
	done <-chan struct{}
}

func (t *throttled) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		return n, err
	}
	_ = http.NewResponseController(t.w).Flush()
	d := time.Duration(float64(n) / float64(t.rate) * float64(time.Second))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return n, nil
	case <-t.done:
		return n, errors.New("client went away")
	}
}
