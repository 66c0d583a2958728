package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

// newUnmountCommand is compsfs unmount [-f] MOUNTPOINT.
func newUnmountCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "unmount [-f] MOUNTPOINT",
		Short: "unmount a compsfs mount (lazily with --force)",
		Long: `Unmount the compsfs mount on MOUNTPOINT. A busy mount (a shell inside it, an
open file) is refused; --force detaches it at once and the kernel releases it
when it is no longer used. Anything but a compsfs mount is refused.`,
		Args:              exactArgs("MOUNTPOINT"),
		ValidArgsFunction: completeMounts,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUnmount(args[0], force)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "detach at once even if busy (a lazy unmount)")
	return cmd
}

// runUnmount unmounts the compsfs mount on dir.
func runUnmount(dir string, force bool) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := requireCompsfsMount(dir); err != nil {
		return err
	}
	if force {
		return lazyUnmount(dir)
	}
	err = unix.Unmount(dir, 0)
	if err != nil && os.Geteuid() != 0 {
		// Not root: fusermount3 (from the fuse3 package) may unmount for us.
		err = fusermount("-u", dir)
	}
	if errors.Is(err, unix.EBUSY) || (err != nil && strings.Contains(err.Error(), "busy")) {
		return fmt.Errorf("%s is busy; close what uses it (fuser -vm %s lists it) or use compsfs unmount --force %s", dir, dir, dir)
	}
	if err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return nil
}

// lazyUnmount detaches a mount now and cleans it up when it is no longer busy.
func lazyUnmount(dir string) error {
	if err := unix.Unmount(dir, unix.MNT_DETACH); err == nil {
		return nil
	}
	if err := fusermount("-u", "-z", dir); err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return nil
}

// fusermount runs fusermount3 (else fusermount) with args.
func fusermount(args ...string) error {
	bin := "fusermount"
	if p, err := exec.LookPath("fusermount3"); err == nil {
		bin = p
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(bin), err, strings.TrimSpace(string(out)))
	}
	return nil
}
