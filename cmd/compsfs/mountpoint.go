package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// checkMountpoint refuses a mount point that is not a folder, and unless
// allowNonEmpty, one that is not empty or already a mount point: mounting
// there would hide what is there (docs/cli.md).
func checkMountpoint(dir string, allowNonEmpty bool) error {
	st, err := os.Stat(dir)
	if errors.Is(err, syscall.ENOTCONN) {
		return fmt.Errorf("mount point %s is a dead mount: run compsfs unmount --force %s", dir, dir)
	}
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("mount point %s is not a folder", dir)
	}
	if allowNonEmpty {
		return nil
	}
	m, mounted, err := mountAt(dir)
	if err != nil {
		return err
	}
	if mounted {
		return fmt.Errorf("%s is already a mount point (%s of %s); mounting over it would hide it: unmount it first, or use --allow-non-empty", dir, m.fstype, m.source)
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("mount point: %w", err)
	}
	if len(names) > 0 {
		return fmt.Errorf("%s is not empty; mounting over it would hide what is in it: choose an empty folder, or use --allow-non-empty", dir)
	}
	return nil
}

// checkOutside refuses folders inside the mount point dir (a cache or data
// folder there would recurse into the mount).
func checkOutside(dir string, paths ...string) error {
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err == nil && (abs == dir || strings.HasPrefix(abs, dir+string(filepath.Separator))) {
			return fmt.Errorf("%s is inside the mount point %s", abs, dir)
		}
	}
	return nil
}

// requireCompsfsMount refuses a dir that is not a compsfs mount, so that
// unmount and status never act on another file system.
func requireCompsfsMount(dir string) error {
	m, mounted, err := mountAt(dir)
	if err != nil {
		return err
	}
	if !mounted {
		return fmt.Errorf("%s is not a mount point", dir)
	}
	if m.fstype != compsfsType {
		return fmt.Errorf("%s is not a compsfs mount: it is %s of %s", dir, m.fstype, m.source)
	}
	return nil
}
