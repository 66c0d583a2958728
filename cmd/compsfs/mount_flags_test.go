package main

import (
	"os/user"
	"path/filepath"
	"testing"
)

func TestDefaultFoldersWithoutHome(t *testing.T) {
	t.Setenv("HOME", "") // a system service's environment
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	u, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	if got, want := defaultCacheDir(), filepath.Join(u.HomeDir, ".cache", "compsfs"); got != want {
		t.Errorf("cache folder %q, want %q", got, want)
	}
	if got, want := defaultLogFile(), filepath.Join(u.HomeDir, ".local", "state", "compsfs", "compsfs.log"); got != want {
		t.Errorf("log file %q, want %q", got, want)
	}
	t.Setenv("XDG_STATE_HOME", "/var/lib/x")
	if got := defaultLogFile(); got != "/var/lib/x/compsfs/compsfs.log" {
		t.Errorf("log file under XDG_STATE_HOME: %q", got)
	}
}
