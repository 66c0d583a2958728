package inbox

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Entries survive a reopen with their state, and names are unique,
// .error names included.
func TestSpoolReopenAndNames(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	f, err := sp.Create("a.json", KindFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.DataPath(""), []byte(`{"WorkItem_Type": "X"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Create("a.json", KindFile); !errors.Is(err, ErrExists) {
		t.Errorf("second a.json: %v", err)
	}
	if _, err := sp.Create("a", KindFolder); !errors.Is(err, ErrExists) {
		t.Errorf("folder a beside a.json (both a.error): %v", err)
	}
	d, err := sp.Create("job", KindFolder)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CreateFile("WorkOrder.json"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateFile("../x"); !errors.Is(err, ErrBadName) {
		t.Errorf("../x: %v", err)
	}
	f.mu.Lock()
	f.man.State, f.man.LastError = StateFailed, "bad"
	if err := f.makeDurable(); err != nil {
		t.Fatal(err)
	}
	f.mu.Unlock()
	sp.Close()

	sp2, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp2.Close()
	names := ""
	for _, e := range sp2.Entries() {
		names += e.Name() + " "
	}
	if names != "a.json job " {
		t.Errorf("entries after reopen: %q", names)
	}
	if e := sp2.ByErrorName("a.error"); e == nil || e.ErrorText() != "bad" {
		t.Errorf("a.error: %v", e)
	}
	if err := sp2.Remove("job"); !IsNotEmpty(err) {
		t.Errorf("remove a folder with files: %v", err)
	}
	if err := sp2.Get("job").RemoveFile("WorkOrder.json"); err != nil {
		t.Fatal(err)
	}
	if err := sp2.Remove("job"); err != nil {
		t.Fatal(err)
	}
	if err := sp2.Remove("a.json"); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(filepath.Join(dir, "entries"))
	if len(left) != 0 || len(sp2.Entries()) != 0 {
		t.Errorf("after rm: %d folders, %d entries", len(left), len(sp2.Entries()))
	}
}

// One mount at a time: a spool in use cannot be opened again until closed.
func TestSpoolIsLocked(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSpool(dir, nil); err == nil {
		t.Fatal("a spool in use opened twice")
	}
	a.Close()
	b, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatalf("after close: %v", err)
	}
	b.Close()
}
