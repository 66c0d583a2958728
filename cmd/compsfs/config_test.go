package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// newMountFlagSet is the mount flags on a fresh flag set.
func newMountFlagSet() (*mountFlags, *pflag.FlagSet) {
	var f mountFlags
	fset := pflag.NewFlagSet("mount", pflag.ContinueOnError)
	f.define(fset)
	return &f, fset
}

func TestConfigFileSetsFlagsAndCommandLineWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("# comment\nattr-ttl = 5s\ncache-size = 2GiB\nall-owners = true\nserver = \"https://comps.example.org\"\ndir_ttl = 1m\nread-only = true\n"), 0o600)
	f, fset := newMountFlagSet()
	if err := fset.Parse([]string{"--attr-ttl", "1s", "/mnt", "-o", "read_only=false"}); err != nil {
		t.Fatal(err)
	}
	if err := applyConfig(fset, path); err != nil {
		t.Fatal(err)
	}
	if f.AttrTTL != time.Second || f.CacheSize != 2<<30 || !f.AllOwners || f.Server != "https://comps.example.org" ||
		f.DirTTL != time.Minute || f.ReadOnly {
		t.Fatalf("flags after command line and config: %+v", f.Settings)
	}
}

func TestConfigFileErrorsNameTheLine(t *testing.T) {
	for content, want := range map[string]string{
		"no-such-key = 1\n":         "unknown setting",
		"ready-fd = 3\n":            "unknown setting",
		"attr-ttl = soon\n":         "attr-ttl",
		"just words\n":              "key = value",
		"cache-size = many bytes\n": "cache-size",
	} {
		path := filepath.Join(t.TempDir(), "config")
		os.WriteFile(path, []byte(content), 0o600)
		_, fset := newMountFlagSet()
		err := applyConfig(fset, path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%q: %v, want an error naming line 1 and %q", content, err, want)
		}
	}
	_, fset := newMountFlagSet()
	if err := applyConfig(fset, filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Fatalf("a missing config file is no error: %v", err)
	}
}

func TestBrokenConfigFailsTheMountButNotHelp(t *testing.T) {
	c := newCLI(t)
	os.MkdirAll(filepath.Join(c.home, "config", "compsfs"), 0o700)
	os.WriteFile(filepath.Join(c.home, "config", "compsfs", "config"), []byte("cache-size = plenty\n"), 0o600)
	if r := c.run("mount", "--help"); r.code != 0 {
		t.Errorf("help with a broken config: %v", r)
	}
	r := c.run("mount", c.home)
	if r.code != 1 || !strings.Contains(r.stderr, "config:1: cache-size") {
		t.Errorf("mount with a broken config: %v", r)
	}
}
