package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/dustin/go-humanize"
)

// newLogger makes the process logger: text lines to stderr or to logFile, at
// level ("debug", "info", "warn", "error"); verbose forces debug.
func newLogger(level, logFile string, verbose bool) (*slog.Logger, io.Closer, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	if verbose {
		lv = slog.LevelDebug
	}
	var w io.Writer = os.Stderr
	var closer io.Closer = io.NopCloser(nil)
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w", err)
		}
		w, closer = f, f
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), closer, nil
}

// parseBytes reads a humanized size ("10GiB", "50MB", "4096").
func parseBytes(s string) (uint64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return n, nil
}
