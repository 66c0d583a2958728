package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The unit of testdata/compsfs.service is the one docs/service.md shows;
// TestSystemdHearsReadyOnlyOnceTheMountAnswers checks the Type=notify
// behaviour it relies on.
func TestSystemdUnitVerifies(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("no systemd-analyze")
	}
	unit, err := os.ReadFile("testdata/compsfs.service")
	if err != nil {
		t.Fatal(err)
	}
	// systemd-analyze wants ExecStart's program to exist: the one under test.
	text := strings.Replace(string(unit), "/usr/local/bin/compsfs ", compsfsBin+" ", 1)
	path := filepath.Join(t.TempDir(), "compsfs.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, exec.Command("systemd-analyze", "verify", path))
	if r.code != 0 || r.stderr != "" {
		t.Errorf("systemd-analyze verify: %v", r)
	}
	// Its command line is one compsfs parses (--help stops before mounting).
	var execStart string
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			execStart = os.Expand(v, func(string) string { return t.TempDir() })
		}
	}
	args := strings.Fields(execStart)
	if len(args) < 2 || args[0] != compsfsBin {
		t.Fatalf("ExecStart=%s", execStart)
	}
	if r := newCLI(t).run(append(args[1:], "--help")...); r.code != 0 {
		t.Errorf("compsfs %v: %v", args[1:], r)
	}
}
