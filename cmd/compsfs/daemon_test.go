package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFailedDaemonTellsItsParentAndItsLog(t *testing.T) {
	c := newCLI(t)
	url := "http://" + freeAddr(t)
	want := "cannot reach " + url + ": connection refused; is the server running? try: compsfs serve"
	log := filepath.Join(c.home, "state", "compsfs", "compsfs.log")
	r := c.run("mount", "--daemon", "--server", url, t.TempDir())
	if r.code != 1 || r.stderr != "compsfs: logging to "+log+"\ncompsfs: "+want+"\n" {
		t.Errorf("want the log's place, then the child's error; got %v", r)
	}
	b, err := os.ReadFile(log)
	if err != nil || !strings.Contains(string(b), want) {
		t.Errorf("the log %s lacks the error: %v\n%s", log, err, b)
	}
}

func TestChildArgsGoBeforeDoubleDash(t *testing.T) {
	for _, tc := range []struct{ args, want []string }{
		{[]string{"mount", "/m"}, []string{"mount", "/m", "-f"}},
		{[]string{"local", "/m", "-o", "rw"}, []string{"local", "/m", "-o", "rw", "-f"}},
		{[]string{"mount", "--", "-odd-name"}, []string{"mount", "-f", "--", "-odd-name"}},
	} {
		if got := childArgs(tc.args, "-f"); !slices.Equal(got, tc.want) {
			t.Errorf("childArgs(%q): %q, want %q", tc.args, got, tc.want)
		}
	}
}
