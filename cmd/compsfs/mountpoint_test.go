package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckOutsideRefusesFoldersInsideTheMountPoint(t *testing.T) {
	dir := t.TempDir()
	if err := checkOutside(dir, filepath.Join(t.TempDir(), "cache")); err != nil {
		t.Fatal(err)
	}
	if err := checkOutside(dir, filepath.Join(dir, "cache")); err == nil {
		t.Fatal("a cache folder inside the mount point must be refused")
	}
	if err := checkOutside(dir, dir); err == nil {
		t.Fatal("the mount point itself must be refused")
	}
}

func TestCheckMountpoint(t *testing.T) {
	dir := t.TempDir()
	if err := checkMountpoint(dir, false); err != nil {
		t.Fatalf("an empty folder: %v", err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	if err := checkMountpoint(file, true); err == nil {
		t.Fatal("a file is no mount point")
	}
	if err := checkMountpoint(filepath.Join(dir, "missing"), true); err == nil {
		t.Fatal("a missing mount point must be refused")
	}
	if err := checkMountpoint(dir, false); err == nil {
		t.Fatal("a folder that is not empty must be refused")
	}
	if err := checkMountpoint(dir, true); err != nil {
		t.Fatalf("a folder that is not empty, with --allow-non-empty: %v", err)
	}
	if err := checkMountpoint("/proc", false); err == nil {
		t.Fatal("a mount point must be refused")
	}
}
