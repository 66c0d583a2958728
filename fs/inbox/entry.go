package inbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Entry is one inbox entry: inbox/NAME.json (a work order) or inbox/NAME/
// (a folder of files), with its spool folder and its manifest.
type Entry struct {
	dir string // spool folder: manifest.json and data/; immutable

	mu      sync.Mutex // guards man and removed
	man     Manifest
	removed bool // taken out of the spool (rm); its nodes answer ENOENT
}

// Name is the entry's name in inbox/ ("order.json", or a folder's name).
func (e *Entry) Name() string { return e.man.Name } // immutable after creation

// Kind tells a work-order file from a folder.
func (e *Entry) Kind() Kind { return e.man.Kind } // immutable after creation

// ErrorName is the name of the entry's error file in inbox/: NAME.error.
func (e *Entry) ErrorName() string { return errorName(e.man.Name, e.man.Kind) }

// ID identifies this entry's life (a fresh one when a name is reused after
// rm), so that nodes of a removed entry never stand for a new one.
func (e *Entry) ID() string { return filepath.Base(e.dir) }

// Manifest returns a copy of the entry's current manifest.
func (e *Entry) Manifest() Manifest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.man
}

// Link is the id of the entry's work item when inbox/NAME shows as a
// symlink to it: once done, and for a work order as soon as the item exists
// (its commission may still be on its way). "" otherwise.
func (e *Entry) Link() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.linkLocked()
}

// linkLocked is Link with e.mu held.
func (e *Entry) linkLocked() string {
	if e.man.State == StateDone || (e.man.State == StatePending && e.man.Kind == KindFile) {
		return e.man.WorkItemID
	}
	return ""
}

// ErrorText is the one line inbox/NAME.error shows, or "" when there is none
// (no error, or the entry is done).
func (e *Entry) ErrorText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.man.State == StateDone || e.man.LastError == "" {
		return ""
	}
	return e.man.LastError
}

// dataDir holds the user's bytes.
func (e *Entry) dataDir() string { return filepath.Join(e.dir, "data") }

// DataPath is where the spool keeps a file of the entry: the work order of a
// file entry (file is ignored), or the named file of a folder.
func (e *Entry) DataPath(file string) string {
	if e.man.Kind == KindFile {
		return filepath.Join(e.dataDir(), "order.json")
	}
	return filepath.Join(e.dataDir(), file)
}

// Editable reports whether the entry's data may change: drafts and failed
// entries may; pending and done ones may not (ErrBusy).
func (e *Entry) Editable() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.removed:
		return ErrNotFound
	case e.man.State == StatePending || e.man.State == StateDone:
		return fmt.Errorf("%s: %w", e.man.Name, ErrBusy)
	}
	return nil
}

// FileInfo is one file of a folder entry.
type FileInfo struct {
	Name string
	Size int64
}

// Files lists a folder entry's files, sorted by name.
func (e *Entry) Files() ([]FileInfo, error) {
	des, err := os.ReadDir(e.dataDir())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", e.man.Name, err)
	}
	var out []FileInfo
	for _, d := range des {
		if !d.Type().IsRegular() {
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue
		}
		out = append(out, FileInfo{Name: d.Name(), Size: info.Size()})
	}
	slices.SortFunc(out, func(a, b FileInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// CreateFile makes an empty file in a folder entry (or truncates it) and
// makes its name durable.
func (e *Entry) CreateFile(name string) error {
	if e.man.Kind != KindFolder || !validFileName(name) {
		return fmt.Errorf("%q: %w", name, ErrBadName)
	}
	if err := e.Editable(); err != nil {
		return err
	}
	f, err := os.OpenFile(e.DataPath(name), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create %s/%s: %w", e.man.Name, name, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(e.dataDir()) // the bytes are fsync'd when the file is closed
}

// RemoveFile deletes a file of a folder entry.
func (e *Entry) RemoveFile(name string) error {
	if e.man.Kind != KindFolder || !validFileName(name) {
		return ErrNotFound
	}
	if err := e.Editable(); err != nil {
		return err
	}
	if err := os.Remove(e.DataPath(name)); err != nil {
		if os.IsNotExist(err) {
			return ErrNotFound
		}
		return fmt.Errorf("remove %s/%s: %w", e.man.Name, name, err)
	}
	return syncDir(e.dataDir())
}

// persist writes the manifest durably; the caller holds e.mu.
func (e *Entry) persist() error {
	e.man.Updated = nowUTC()
	return writeManifest(e.dir, e.man, syncDurable)
}

// record writes the manifest without waiting for its folder to reach the
// disk: for changes a crash may undo safely (attempts, errors, done,
// failed); the caller holds e.mu.
func (e *Entry) record() error {
	e.man.Updated = nowUTC()
	return writeManifest(e.dir, e.man, syncFile)
}

// makeDurable makes the entry's folders durable before it is submitted:
// its data folder's names, its manifest, and its own name in the spool (the
// files themselves are fsync'd when they are closed). The caller holds e.mu.
func (e *Entry) makeDurable() error {
	if err := syncDir(e.dataDir()); err != nil {
		return err
	}
	if err := e.persist(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(e.dir))
}

// maxNameLen is the longest file name Linux allows (NAME_MAX).
const maxNameLen = 255

// validFileName accepts a plain file name: no separators, not . or .., no NUL.
func validFileName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") && len(name) <= maxNameLen
}

// errorName is NAME.error for inbox/NAME.json and inbox/NAME/.
func errorName(name string, kind Kind) string {
	if kind == KindFile {
		return strings.TrimSuffix(name, ".json") + ".error"
	}
	return name + ".error"
}
