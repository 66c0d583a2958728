package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// logLevel reads --log-level ("debug", "info", "warn", "error"); verbose
// (-v) forces debug.
func logLevel(level string, verbose bool) (slog.Level, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return lv, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	if verbose {
		lv = slog.LevelDebug
	}
	return lv, nil
}

// newLogger makes the process logger: text lines at level lv, to stderr or
// appended to logFile (made, with its folder, private to the user).
func newLogger(lv slog.Level, logFile string) (*slog.Logger, io.Closer, error) {
	var w io.Writer = os.Stderr
	var closer io.Closer = io.NopCloser(nil)
	if logFile != "" {
		f, err := openLogFile(logFile)
		if err != nil {
			return nil, nil, err
		}
		w, closer = f, f
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), closer, nil
}

// openLogFile opens path for appending, making it and its folder private to
// the user if they do not exist.
func openLogFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("--log-file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--log-file: %w", err)
	}
	return f, nil
}
