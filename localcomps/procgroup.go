package localcomps

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// killGroup stops the process group pgid: SIGTERM, then SIGKILL to what is
// left after killGrace. With exited (the leader's Wait), it first waits for
// the leader; the group is then given the rest of the grace to empty.
func killGroup(pgid int, grace time.Duration, exited <-chan error) {
	if exited == nil && !groupAlive(pgid) {
		return // nothing left
	}
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	if exited != nil {
		t := time.NewTimer(grace)
		select {
		case <-exited:
			t.Stop()
		case <-t.C:
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
	}
	for time.Now().Before(deadline) {
		if !groupAlive(pgid) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// groupAlive reports whether a process of group pgid still runs. Zombies
// do not count: orphans are reaped by init, which in a container may never
// happen. Without /proc, any member counts.
func groupAlive(pgid int) bool {
	if syscall.Kill(-pgid, 0) != nil {
		return false
	}
	d, err := os.Open("/proc")
	if err != nil {
		return true
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return true
	}
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		data, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		state, group, ok := parseProcStat(string(data))
		if ok && group == pgid && state != "Z" && state != "X" {
			return true
		}
	}
	return false
}

// parseProcStat takes the state and process group out of a /proc/<pid>/stat
// line: "pid (comm) state ppid pgrp ...", where comm may hold anything.
func parseProcStat(line string) (state string, pgrp int, ok bool) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return "", 0, false
	}
	f := strings.Fields(line[i+1:])
	if len(f) < 3 {
		return "", 0, false
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return "", 0, false
	}
	return f[0], g, true
}
