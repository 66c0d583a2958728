package main

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"syscall"
)

// explainMount says what to do when the kernel refuses the mount, which is
// mostly a user without access to FUSE (docs/errors.md).
func explainMount(dir string, err error) error {
	who := "this user"
	if u, uerr := user.Current(); uerr == nil {
		who = "user " + u.Username
	}
	switch {
	case os.Geteuid() != 0 && !fuseDeviceOpens():
		return fmt.Errorf("cannot mount %s: %s has no access to /dev/fuse; add yourself to the fuse group or run as root", dir, who)
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("cannot mount %s: fusermount3 is missing; install the fuse3 package, or run as root", dir)
	case strings.Contains(err.Error(), "fusermount exited"):
		return fmt.Errorf("cannot mount %s as %s: fusermount3 refused (its reason is on stderr, or in the log); mount on a folder you own, add yourself to the fuse group or run as root", dir, who)
	case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES):
		return fmt.Errorf("cannot mount %s as %s: %w; add yourself to the fuse group or run as root", dir, who, err)
	}
	return err
}

// fuseDeviceOpens tells whether this process may open /dev/fuse: when it
// may not, fusermount3 cannot either on most systems.
func fuseDeviceOpens() bool {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return !errors.Is(err, iofs.ErrPermission)
	}
	f.Close()
	return true
}
