package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// compsfsBin is the compsfs binary the tests run, built once by TestMain.
var compsfsBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "compsfs-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	compsfsBin = filepath.Join(dir, "compsfs")
	// -buildvcs=true: the build info carries the revision wherever git can
	// tell it, whatever GOFLAGS says.
	build := exec.Command("go", "build", "-buildvcs=true", "-o", compsfsBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building compsfs:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the compsfs binary in a private home: its own config, data,
// cache, state and runtime folders, and no COMPS_* variables.
type cli struct {
	t    *testing.T
	home string
	env  []string
}

// newCLI makes a private home for the test.
func newCLI(t *testing.T) *cli {
	home := t.TempDir()
	c := &cli{t: t, home: home}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPS_") && !strings.HasPrefix(kv, "XDG_") &&
			!strings.HasPrefix(kv, "NOTIFY_SOCKET=") && !strings.HasPrefix(kv, "HOME=") {
			c.env = append(c.env, kv)
		}
	}
	c.env = append(c.env, "HOME="+home)
	for _, d := range []string{"CONFIG", "DATA", "CACHE", "STATE", "RUNTIME"} {
		dir := filepath.Join(home, strings.ToLower(d))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		c.env = append(c.env, "XDG_"+d+"_HOME="+dir)
	}
	c.env = append(c.env, "XDG_RUNTIME_DIR="+filepath.Join(home, "runtime"))
	return c
}

// result is what one run of compsfs printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// String shows a result in failure messages.
func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// command is compsfs with args in the test's home, with extra variables.
func (c *cli) command(extraEnv []string, args ...string) *exec.Cmd {
	cmd := exec.Command(compsfsBin, args...)
	cmd.Env = append(append([]string{}, c.env...), extraEnv...)
	cmd.Dir = c.home
	return cmd
}

// run runs compsfs with args to its end.
func (c *cli) run(args ...string) result { return c.runEnv(nil, args...) }

// runEnv runs compsfs with args and extra environment variables.
func (c *cli) runEnv(extraEnv []string, args ...string) result {
	c.t.Helper()
	return runCommand(c.t, c.command(extraEnv, args...))
}

// runCommand runs cmd to its end and collects its output and status.
func runCommand(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// needFUSE skips a test that mounts when this machine cannot.
func needFUSE(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse: this test mounts")
	}
	if os.Geteuid() != 0 {
		t.Skip("not root: this test mounts with mount(8)")
	}
}
