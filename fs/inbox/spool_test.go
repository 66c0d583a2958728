package inbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// An inbox file whose writer never closed it (the mount stopped) comes back
// failed with its explanation, never submitted half-written; a folder
// entry, whose files come one by one until .submit, stays a draft.
func TestSpoolUnclosedFileFailsAtReopen(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sp.Create("half.json", KindFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.DataPath(""), []byte(`{"WorkItem_Type": "Dock`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Create("job", KindFolder); err != nil {
		t.Fatal(err)
	}
	sp.Close()

	sp2, err := OpenSpool(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sp2.Close()
	half := sp2.Get("half.json")
	if half == nil {
		t.Fatal("half.json gone after reopen")
	}
	if m := half.Manifest(); m.State != StateFailed || half.ErrorText() != ErrNotClosed {
		t.Errorf("half.json after reopen: state %s, error %q", m.State, half.ErrorText())
	}
	if err := half.Editable(); err != nil {
		t.Errorf("half.json cannot be written again: %v", err)
	}
	if m := sp2.Get("job").Manifest(); m.State != StateDraft {
		t.Errorf("folder entry after reopen: %s, want draft", m.State)
	}
	sp2.Close()
	sp3, err := OpenSpool(dir, nil) // the failure is on disk
	if err != nil {
		t.Fatal(err)
	}
	defer sp3.Close()
	if got := sp3.Get("half.json").ErrorText(); got != ErrNotClosed {
		t.Errorf("half.json after a second reopen: %q", got)
	}
}

// Names whose NAME.error could not exist are too long; the longest that
// fit are fine.
func TestCheckNameLeavesRoomForTheErrorFile(t *testing.T) {
	long := func(n int, suffix string) string { return strings.Repeat("n", n-len(suffix)) + suffix }
	for _, tc := range []struct {
		name string
		kind Kind
		ok   bool
	}{
		{long(254, ".json"), KindFile, true}, // n….error is 255 bytes
		{long(255, ".json"), KindFile, false},
		{long(249, ""), KindFolder, true}, // n….error is 255 bytes
		{long(250, ""), KindFolder, false},
	} {
		err := CheckName(tc.name, tc.kind)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrNameTooLong)) {
			t.Errorf("CheckName(%d bytes, %s) = %v", len(tc.name), tc.kind, err)
		}
	}
}
