package nodes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// heldBy reports whether process pid still holds a descriptor of the file
// whose inode number is ino, from /proc/<pid>/fdinfo (each descriptor's
// "ino:" line; a descriptor being closed is already gone from there when
// its flush arrives). It tells the shell's `echo x > file` (open and
// truncate, dup2 onto stdout, close the first descriptor: a flush with
// nothing written yet; then write, and close again) from a program that
// empties a file and closes it. Anything unreadable (another user's
// process, one exiting, no /proc) answers false. An inode number of another
// filesystem that happens to be equal answers true, which only delays a
// save to the handle's release.
func heldBy(pid uint32, ino uint64) bool {
	if pid == 0 {
		return false
	}
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	line := []byte("\nino:\t" + strconv.FormatUint(ino, 10) + "\n")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && bytes.Contains(b, line) {
			return true
		}
	}
	return false
}
