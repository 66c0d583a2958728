package inbox

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// Spool is the inbox's local disk: one folder per entry under DIR/entries,
// each with manifest.json and data/. It is safe for concurrent use.
type Spool struct {
	dir  string
	log  *slog.Logger
	lock *os.File // flock'd: one mount per spool
	once sync.Once

	mu     sync.Mutex // guards byName
	byName map[string]*Entry
	// submitter is the one submitting the spool's entries, if any: Remove
	// refuses an entry it works on and ends its job.
	submitter atomic.Pointer[Submitter]
}

// nowUTC is the time manifests record.
func nowUTC() time.Time { return time.Now().UTC() }

// OpenSpool opens (creating it if needed) the spool in dir and loads its
// entries. Folders without a readable manifest are left alone and logged.
func OpenSpool(dir string, log *slog.Logger) (*Spool, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Spool{dir: dir, log: log, byName: map[string]*Entry{}}
	if err := os.MkdirAll(s.entriesDir(), 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("spool %s is in use by another compsfs (use --spool-dir): %w", dir, err)
	}
	s.lock = lock
	des, err := os.ReadDir(s.entriesDir())
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	for _, d := range des {
		if !d.IsDir() {
			continue
		}
		edir := filepath.Join(s.entriesDir(), d.Name())
		m, err := readManifest(edir)
		if err != nil {
			log.Warn("skipping a spool folder without a readable manifest", "dir", edir, "err", err)
			continue
		}
		if old, dup := s.byName[m.Name]; dup {
			log.Warn("two spool folders for one inbox name; keeping the newer", "name", m.Name, "a", old.dir, "b", edir)
			if old.man.Updated.After(m.Updated) {
				continue
			}
		}
		e := &Entry{dir: edir, man: m}
		if m.Kind == KindFile && m.State == StateDraft {
			// Its writer never closed it: the mount stopped (or crashed)
			// while it was being written. Never submitted half-written.
			e.man.State, e.man.LastError = StateFailed, ErrNotClosed
			if err := e.record(); err != nil {
				log.Warn("inbox manifest not saved", "name", m.Name, "err", err)
			}
			log.Warn("inbox file was not closed before the mount stopped; write it again", "name", m.Name)
		}
		s.byName[m.Name] = e
	}
	return s, nil
}

// ErrNotClosed is the error line of an inbox file whose writer had not
// closed it when the mount stopped.
const ErrNotClosed = "not closed before the mount stopped: write it again"

// Close releases the spool for another mount; entries stay on disk.
func (s *Spool) Close() {
	s.once.Do(func() { s.lock.Close() })
}

// entriesDir holds the entries' folders.
func (s *Spool) entriesDir() string { return filepath.Join(s.dir, "entries") }

// Get returns the entry of that name in inbox/, or nil.
func (s *Spool) Get(name string) *Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byName[name]
}

// ByErrorName returns the entry whose error file is called name, or nil.
func (s *Spool) ByErrorName(name string) *Entry {
	if !strings.HasSuffix(name, ".error") {
		return nil
	}
	base := strings.TrimSuffix(name, ".error")
	if e := s.Get(base + ".json"); e != nil {
		return e
	}
	if e := s.Get(base); e != nil && e.Kind() == KindFolder {
		return e
	}
	return nil
}

// Entries lists every entry, sorted by name.
func (s *Spool) Entries() []*Entry {
	s.mu.Lock()
	out := make([]*Entry, 0, len(s.byName))
	for _, e := range s.byName {
		out = append(out, e)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b *Entry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// Counts are the entries by state, for .stats.
func (s *Spool) Counts() map[string]int64 {
	out := map[string]int64{string(StateDraft): 0, string(StatePending): 0, string(StateDone): 0, string(StateFailed): 0}
	for _, e := range s.Entries() {
		out[string(e.Manifest().State)]++
	}
	return out
}

// CheckName tells whether name can be a new entry of kind: a file entry is
// NAME.json, a folder any other plain name; neither may end in .error, nor
// share its error file's name with another entry.
func CheckName(name string, kind Kind) error {
	if !validFileName(name) || strings.HasSuffix(name, ".error") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%q: %w", name, ErrBadName)
	}
	if isJSON := strings.HasSuffix(name, ".json"); isJSON != (kind == KindFile) || name == ".json" {
		return fmt.Errorf("%q: %w (a work order is NAME.json, a folder any other name)", name, ErrBadName)
	}
	if len(errorName(name, kind)) > maxNameLen {
		return fmt.Errorf("%d bytes: %w", len(name), ErrNameTooLong)
	}
	return nil
}

// Create makes a new draft entry: an empty work order for a file entry, an
// empty folder for a folder entry.
func (s *Spool) Create(name string, kind Kind) (*Entry, error) {
	if err := CheckName(name, kind); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName[name] != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrExists)
	}
	errName := errorName(name, kind)
	for _, other := range s.byName {
		if other.ErrorName() == errName {
			return nil, fmt.Errorf("%s: %w (%s would share its .error)", name, ErrExists, other.Name())
		}
	}
	// A work order is not fsync'd here: it becomes durable when it is
	// submitted at its close, before anything is sent (Submitter.Submit).
	// Creating it is cheap so that many writers do not queue behind
	// inbox/'s lock.
	e := &Entry{dir: filepath.Join(s.entriesDir(), uuid.NewString()), man: Manifest{Name: name, Kind: kind, State: StateDraft}}
	if err := os.MkdirAll(e.dataDir(), 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", name, err)
	}
	if kind == KindFile {
		if err := os.WriteFile(e.DataPath(""), nil, 0o600); err != nil {
			os.RemoveAll(e.dir)
			return nil, fmt.Errorf("spool %s: %w", name, err)
		}
	}
	e.man.Updated = nowUTC()
	var err error
	if kind == KindFile {
		err = writeManifest(e.dir, e.man, syncNone)
	} else {
		// A folder is filled over time and submitted later: durable now,
		// so that a crash before .submit keeps it.
		err = e.makeDurable()
	}
	if err != nil {
		os.RemoveAll(e.dir)
		return nil, err
	}
	s.byName[name] = e
	return e, nil
}

// Remove forgets an entry and deletes its spool folder (rm inbox/NAME.json,
// rmdir inbox/NAME, rm of a done entry's symlink). An entry being submitted
// right now cannot be removed (ErrBusy); a folder must be empty (its files
// removed first) unless it is done.
func (s *Spool) Remove(name string) error {
	s.mu.Lock()
	e := s.byName[name]
	s.mu.Unlock()
	if e == nil {
		return ErrNotFound
	}
	e.mu.Lock()
	sub := s.submitter.Load()
	busy := sub != nil && sub.busy(e)
	// A work order whose work item exists shows as the symlink already:
	// removing it is allowed while its commission is on its way, which
	// goes ahead (the submitter ends the job). Anything else being
	// submitted right now is busy.
	if busy && (e.man.Kind != KindFile || e.man.WorkItemID == "") {
		e.mu.Unlock()
		return fmt.Errorf("%s: %w", name, ErrBusy)
	}
	if e.man.Kind == KindFolder && e.man.State != StateDone {
		if files, _ := e.Files(); len(files) > 0 {
			e.mu.Unlock()
			return fmt.Errorf("%s: %w", name, errNotEmpty)
		}
	}
	e.removed = true
	e.mu.Unlock()
	if sub != nil && !busy {
		sub.endJob(e) // its writers return (ENOENT)
	}
	s.mu.Lock()
	if s.byName[name] == e {
		delete(s.byName, name)
	}
	s.mu.Unlock()
	// The manifest goes first, so that a crash part way leaves no entry.
	if err := os.Remove(filepath.Join(e.dir, manifestFile)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.RemoveAll(e.dir); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return syncDir(s.entriesDir())
}

// errNotEmpty is a folder entry that still holds files.
var errNotEmpty = errors.New("folder not empty")

// IsNotEmpty reports an attempt to remove a folder entry with files in it.
func IsNotEmpty(err error) bool { return errors.Is(err, errNotEmpty) }
