package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the binary the tmux and signal tests share (builtBinary)
// once they have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}
