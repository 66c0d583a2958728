package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigFileSetsFlagsAndCommandLineWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("# comment\nattr-ttl = 5s\ncache-size = 2GiB\nall-owners = true\nserver = \"https://comps.example.org\"\n"), 0o600)
	var f mountFlags
	fset := flag.NewFlagSet("mount", flag.ContinueOnError)
	f.define(fset)
	if err := applyConfig(fset, path); err != nil {
		t.Fatal(err)
	}
	if err := fset.Parse([]string{"--attr-ttl", "1s", "/mnt"}); err != nil {
		t.Fatal(err)
	}
	if f.AttrTTL != time.Second || f.cacheSize != 2<<30 || !f.AllOwners || f.Server != "https://comps.example.org" {
		t.Fatalf("flags after config and command line: %+v", f)
	}
}

func TestConfigFileErrorsNameTheLine(t *testing.T) {
	for content, want := range map[string]string{
		"no-such-key = 1\n":         "unknown setting",
		"attr-ttl = soon\n":         "attr-ttl",
		"just words\n":              "key = value",
		"cache-size = many bytes\n": "cache-size",
	} {
		path := filepath.Join(t.TempDir(), "config")
		os.WriteFile(path, []byte(content), 0o600)
		var f mountFlags
		fset := flag.NewFlagSet("mount", flag.ContinueOnError)
		f.define(fset)
		err := applyConfig(fset, path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%q: %v, want an error naming line 1 and %q", content, err, want)
		}
	}
	var f mountFlags
	fset := flag.NewFlagSet("mount", flag.ContinueOnError)
	f.define(fset)
	if err := applyConfig(fset, filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Fatalf("a missing config file is no error: %v", err)
	}
}

func TestCheckMountpointRefusesFoldersInsideIt(t *testing.T) {
	dir := t.TempDir()
	if err := checkMountpoint(dir, filepath.Join(t.TempDir(), "cache")); err != nil {
		t.Fatal(err)
	}
	if err := checkMountpoint(dir, filepath.Join(dir, "cache")); err == nil {
		t.Fatal("a cache folder inside the mount point must be refused")
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	if err := checkMountpoint(file); err == nil {
		t.Fatal("a file is no mount point")
	}
	if err := checkMountpoint(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing mount point must be refused")
	}
}
