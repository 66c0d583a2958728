package localcomps

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"syscall"
)

// The data folder is private to its owner (docs/localcomps.md): every
// folder localcomps makes in it is dirMode and every file fileMode,
// whatever the umask; the commands of work items run with umask 077.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// privateDir creates dir with dirMode, or tightens an existing folder this
// user owns to dirMode, saying so in the log. A folder owned by someone
// else is left as it is, with a warning when others can reach it.
func privateDir(dir string, log *slog.Logger) error {
	fi, err := os.Stat(dir) // a data folder may be a symbolic link to one
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		// MkdirAll applies the umask; make sure of the mode.
		return os.Chmod(dir, dirMode)
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if fi.Mode().Perm() == dirMode {
		return nil
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		if fi.Mode().Perm()&0o077 != 0 {
			log.Warn("data folder is not private and belongs to another user; left as it is",
				"dir", dir, "mode", fi.Mode().Perm().String(), "uid", st.Uid)
		}
		return nil
	}
	if err := os.Chmod(dir, dirMode); err != nil {
		return fmt.Errorf("tighten %s to %s: %w", dir, dirMode, err)
	}
	log.Info("data folder tightened to owner-only access", "dir", dir, "was", fi.Mode().Perm().String(), "now", dirMode.String())
	return nil
}

// privateFile sets an existing file to fileMode; a missing one is fine.
func privateFile(path string) error {
	err := os.Chmod(path, fileMode)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restrict %s to %s: %w", path, fileMode, err)
	}
	return nil
}
