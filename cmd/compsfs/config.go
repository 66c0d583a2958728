package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// configPath is ~/.config/compsfs/config (or $XDG_CONFIG_HOME/compsfs/config).
func configPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "compsfs", "config")
}

// applyConfig sets flags from a config file of "key = value" lines (keys are
// long flag names without dashes, or their -o spellings, docs/cli.md; #
// starts a comment). It runs
// before the command line is parsed, so the command line wins. A missing file
// is no error; an unknown key or a bad value is.
func applyConfig(fset *pflag.FlagSet, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s:%d: want key = value", path, n)
		}
		key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `"`)
		fl := fset.Lookup(optionFlagName(key))
		if fl == nil || fl.Hidden {
			return fmt.Errorf("%s:%d: unknown setting %q", path, n, key)
		}
		if fl.Changed {
			continue
		}
		if err := fset.Set(fl.Name, value); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", path, n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
