package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// compsfsType is the file system type of a compsfs mount in
// /proc/self/mountinfo: fuse.NAME, NAME being fs.Mount's FUSE name.
const compsfsType = "fuse.compsfs"

// mountEntry is one mount of /proc/self/mountinfo (proc(5)).
type mountEntry struct {
	dir, fstype, source string
}

// mountAt returns the topmost mount on dir, if dir is a mount point.
func mountAt(dir string) (mountEntry, bool, error) {
	dir = realPath(dir)
	mounts, err := readMounts()
	if err != nil {
		return mountEntry{}, false, err
	}
	// Later lines are mounted on top of earlier ones.
	for i := len(mounts) - 1; i >= 0; i-- {
		if mounts[i].dir == dir {
			return mounts[i], true, nil
		}
	}
	return mountEntry{}, false, nil
}

// readMounts lists the mounts this process sees, in mount order.
func readMounts() ([]mountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("list mounts: %w", err)
	}
	defer f.Close()
	var mounts []mountEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if m, ok := parseMountinfo(sc.Text()); ok {
			mounts = append(mounts, m)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("list mounts: %w", err)
	}
	return mounts, nil
}

// parseMountinfo reads one line: "ID PARENT MAJ:MIN ROOT DIR OPTIONS
// [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS".
func parseMountinfo(line string) (mountEntry, bool) {
	fields := strings.Fields(line)
	sep := -1
	for i := 6; i < len(fields); i++ {
		if fields[i] == "-" {
			sep = i
			break
		}
	}
	if len(fields) < 5 || sep < 0 || sep+2 >= len(fields) {
		return mountEntry{}, false
	}
	return mountEntry{dir: unescapeMountinfo(fields[4]), fstype: fields[sep+1],
		source: unescapeMountinfo(fields[sep+2])}, true
}

// unescapeMountinfo undoes the kernel's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// realPath is dir absolute and with symbolic links resolved, as mountinfo
// shows mount points; dir as it is when it cannot be resolved (a dead
// mount).
func realPath(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	return abs
}
