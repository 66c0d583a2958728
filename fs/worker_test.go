package fs_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitState polls a work item's state file through the mount until it is
// one of want, and returns the last state read.
func waitState(t *testing.T, e *env, id string, d time.Duration, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(d)
	var state string
	for {
		b, err := os.ReadFile(e.path("workitems", id, "state"))
		if err != nil {
			t.Fatal(err)
		}
		state = strings.TrimSpace(string(b))
		for _, w := range want {
			if state == w {
				return state
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("work item %s is %s after %v, want one of %v", id, state, d, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A failing command submitted through inbox/ ends Failed, with the exit
// status in error_message and the command's stderr in outputs/StdErr.txt.
func TestInboxFailingCommandEndsFailed(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", workers: 1})
	order := `{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "echo broken >&2; exit 3"}}`
	if err := e.write("inbox/failing.json", []byte(order)); err != nil {
		t.Fatalf("close: %v", err)
	}
	id := e.waitLink("failing.json", 5*time.Second)
	waitState(t, e, id, 20*time.Second, "Failed")
	if got, _ := os.ReadFile(e.path("workitems", id, "error_message")); string(got) != "exit status 3\n" {
		t.Errorf("error_message %q, want \"exit status 3\\n\"", got)
	}
	if got, _ := os.ReadFile(e.path("workitems", id, "outputs", "StdErr.txt")); !strings.Contains(string(got), "broken") {
		t.Errorf("StdErr.txt %q", got)
	}
}

// echo cancel > ctl on a sleeping job ends it Canceled and kills its
// process group: the shell and the sleep it started.
func TestCtlCancelKillsARunningJob(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", workers: 1})
	order := `{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "echo $$ > pid.txt; sleep 60; echo not canceled"}}`
	if err := e.write("inbox/sleeper.json", []byte(order)); err != nil {
		t.Fatalf("close: %v", err)
	}
	id := e.waitLink("sleeper.json", 5*time.Second)
	waitState(t, e, id, 20*time.Second, "Running")
	wd, err := os.ReadFile(e.path("workitems", id, "working_directory"))
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(strings.TrimSpace(string(wd)), "pid.txt")
	var pid int
	for deadline := time.Now().Add(10 * time.Second); pid == 0; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job never wrote %s", pidFile)
		}
	}
	if len(liveGroup(pid)) == 0 {
		t.Fatalf("process group %d is not running before the cancel", pid)
	}
	if err := os.WriteFile(e.path("workitems", id, "ctl"), []byte("cancel\n"), 0o644); err != nil {
		t.Fatalf("echo cancel > ctl: %v", err)
	}
	waitState(t, e, id, 20*time.Second, "Canceled")
	if live := liveGroup(pid); len(live) > 0 {
		t.Fatalf("processes of the canceled job still alive: %v", live)
	}
	if got, _ := os.ReadFile(e.path("workitems", id, "outputs", "StdOut.txt")); strings.Contains(string(got), "not canceled") {
		t.Fatalf("the job ran to its end: %q", got)
	}
}

// liveGroup lists the processes of process group pgid that are not zombies
// (this machine's pid 1 may not reap orphans, so zombies can linger).
func liveGroup(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var live []int
	for _, de := range entries {
		pid, err := strconv.Atoi(de.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", de.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name (which is in parentheses): state ppid pgrp ...
		s := string(b)
		rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(rest) < 3 || rest[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(rest[2]); g == pgid {
			live = append(live, pid)
		}
	}
	return live
}
