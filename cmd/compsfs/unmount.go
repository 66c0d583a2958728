package main

import (
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// cmdUnmount is compsfs unmount [--force] MOUNTPOINT: a clean unmount, or a
// lazy one with --force (for a busy or dead mount).
func cmdUnmount(args []string) error {
	fset := flag.NewFlagSet("unmount", flag.ContinueOnError)
	force := fset.Bool("force", false, "detach lazily even if busy")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return errors.New("usage: compsfs unmount [--force] MOUNTPOINT")
	}
	dir, err := filepath.Abs(fset.Arg(0))
	if err != nil {
		return err
	}
	if *force {
		return lazyUnmount(dir)
	}
	if err := unix.Unmount(dir, 0); err == nil {
		return nil
	}
	// Not root: fusermount3 (from the fuse3 package) may unmount for us.
	if out, err := exec.Command(fusermount(), "-u", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("unmount %s: %v: %s", dir, err, out)
	}
	return nil
}

// lazyUnmount detaches a mount now and cleans it up when it is no longer busy.
func lazyUnmount(dir string) error {
	if err := unix.Unmount(dir, unix.MNT_DETACH); err == nil {
		return nil
	}
	if out, err := exec.Command(fusermount(), "-u", "-z", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("unmount %s: %v: %s", dir, err, out)
	}
	return nil
}

// fusermount is the helper binary's name: fusermount3, else fusermount.
func fusermount() string {
	if p, err := exec.LookPath("fusermount3"); err == nil {
		return p
	}
	return "fusermount"
}
