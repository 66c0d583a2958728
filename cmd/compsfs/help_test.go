package main

import (
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestHelpGoesToStdoutAndSucceeds(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{}, {"-h"}, {"--help"}, {"help"}} {
		r := c.run(args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "compsfs SERVER MOUNTPOINT -o OPTIONS") ||
			!strings.Contains(r.stdout, "  mount ") || !strings.Contains(r.stdout, "  completion ") {
			t.Errorf("compsfs %v: want the overview on stdout, exit 0; got %v", args, r)
		}
	}
	for _, args := range [][]string{{"help", "mount"}, {"mount", "-h"}, {"mount", "--help"}, {"mount", "/mnt", "--help"}} {
		r := c.run(args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "compsfs mount [flags] MOUNTPOINT") ||
			!strings.Contains(r.stdout, "--cache-size size") {
			t.Errorf("compsfs %v: want mount's help on stdout, exit 0; got %v", args, r)
		}
	}
	for _, cmd := range []string{"serve", "login", "unmount", "status", "version", "completion"} {
		r := c.run(cmd, "-h")
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "compsfs "+cmd) {
			t.Errorf("compsfs %s -h: %v", cmd, r)
		}
	}
}

func TestHelpShowsHumanDefaults(t *testing.T) {
	r := newCLI(t).run("help", "mount")
	for _, want := range []string{"(default 10GiB)", "--timeout duration", "(default 30s)", "(default 2s)",
		"(default 1h)", "-o, --options OPTIONS", "-f, --foreground", "--allow-non-empty", "--metrics-addr HOST:PORT",
		"The -o options:\nro, all_owners, allow_non_empty,", "cache_size=…", "spool_dir=…"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compsfs help mount lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "10737418240") || strings.Contains(r.stdout, "1h0m0s") {
		t.Errorf("compsfs help mount shows raw defaults:\n%s", r.stdout)
	}
}

func TestUsageErrorsAreOneLineAndExit2(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string // the first line
	}{
		{[]string{"mount", "--bogus", "/mnt"}, "compsfs mount: unknown flag: --bogus"},
		{[]string{"mount", "/mnt", "--bogus"}, "compsfs mount: unknown flag: --bogus"},
		{[]string{"mount", "--cache-size", "lots", "/mnt"}, `compsfs mount: invalid argument "lots" for "--cache-size" flag`},
		{[]string{"mount", "-o", "no_such_option", "/mnt"}, `compsfs mount: invalid argument "no_such_option" for "-o, --options" flag: unknown mount option "no_such_option"`},
		{[]string{"mount", "-o", "cache_dir", "/mnt"}, "mount option cache_dir needs a value: cache_dir=…"},
		{[]string{"mount"}, "compsfs mount: missing MOUNTPOINT"},
		{[]string{"mount", "/a", "/b"}, `compsfs mount: unexpected argument "/b" after MOUNTPOINT`},
		{[]string{"status", "-x"}, "compsfs status: unknown shorthand flag: 'x' in -x"},
		{[]string{"unmount"}, "compsfs unmount: missing MOUNTPOINT"},
		{[]string{"serve", "extra"}, `compsfs serve: unexpected argument "extra"`},
		{[]string{"nosuch"}, `compsfs: unknown command "nosuch"`},
		{[]string{"mout", "/mnt"}, `compsfs: unknown command "mout"; did you mean mount?`},
		{[]string{"comps.example.org", "/mnt"}, "SERVER is local, http://HOST or https://HOST"},
		{[]string{"help", "nosuch"}, `compsfs help: unknown command "nosuch"`},
		{[]string{"completion", "tcsh"}, `compsfs completion: unknown shell "tcsh"`},
		{[]string{"mount", "--log-level", "loud", "/mnt"}, `compsfs mount: --log-level "loud"`},
	} {
		r := c.run(tc.args...)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != 2 || r.stdout != "" || len(lines) != 2 || !strings.Contains(lines[0], tc.want) ||
			!regexp.MustCompile(`^see 'compsfs( \w+)? --help'$`).MatchString(lines[1]) {
			t.Errorf("compsfs %v: want exit 2, %q and a pointer to --help on stderr; got %v", tc.args, tc.want, r)
		}
	}
}

func TestFlagsMayFollowArguments(t *testing.T) {
	c := newCLI(t)
	// Both spellings reach the same check: the mount point does not exist.
	for _, args := range [][]string{
		{"mount", "--read-only", "missing-folder"},
		{"mount", "missing-folder", "--read-only"},
		{"mount", "missing-folder", "-o", "ro,allow_other"},
	} {
		r := c.run(args...)
		if r.code != 1 || !strings.Contains(r.stderr, "missing-folder") || !strings.Contains(r.stderr, "no such file") {
			t.Errorf("compsfs %v: want the mount point refused, got %v", args, r)
		}
	}
}

func TestVersionComesFromTheBuildInfo(t *testing.T) {
	c := newCLI(t)
	info, err := exec.Command("go", "version", "-m", compsfsBin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string // what the build info says, as compsfs version shows it
	for _, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			want = append(want, "compsfs "+f[2])
		case len(f) == 2 && strings.HasPrefix(f[1], "vcs.revision="):
			want = append(want, "revision "+strings.TrimPrefix(f[1], "vcs.revision="))
		}
	}
	want = append(want, runtime.Version())
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := c.run(args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("compsfs %v: %v", args, r)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("compsfs %v lacks %q (build info:\n%s):\n%s", args, w, info, r.stdout)
			}
		}
	}
	if r := c.run("version", "extra"); r.code != 2 {
		t.Errorf("compsfs version extra: %v", r)
	}
}

func TestCompletionScripts(t *testing.T) {
	c := newCLI(t)
	for shell, want := range map[string]string{
		"bash": "__start_compsfs",
		"zsh":  "#compdef compsfs",
		"fish": "complete -c compsfs",
	} {
		r := c.run("completion", shell)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, want) {
			t.Errorf("compsfs completion %s: want a script with %q, got exit %d, stderr %q", shell, want, r.code, r.stderr)
		}
	}
	// What the scripts ask compsfs for: the commands, and flag values.
	r := c.run("__complete", "")
	for _, want := range []string{"mount\t", "unmount\t", "completion\t"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("completing a command lacks %q:\n%s", want, r.stdout)
		}
	}
	r = c.run("__complete", "mount", "--log-level", "")
	if !strings.Contains(r.stdout, "debug\n") || !strings.Contains(r.stdout, "warn\n") {
		t.Errorf("completing --log-level:\n%s", r.stdout)
	}
}
