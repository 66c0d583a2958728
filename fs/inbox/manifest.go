package inbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// State is where an entry is in its life.
type State string

// The states of an entry. Only pending entries are worked on by the
// submitter; failed ones wait for the user to write (or touch .submit) again.
const (
	StateDraft   State = "draft"   // being written, never submitted
	StatePending State = "pending" // submitted; the work item may not exist yet
	StateDone    State = "done"    // the work item exists (and is commissioned)
	StateFailed  State = "failed"  // refused (bad input or by the server); nothing was created
)

// Kind is what an entry is in the inbox.
type Kind string

// The kinds of entries: inbox/NAME.json or inbox/NAME/.
const (
	KindFile   Kind = "file"
	KindFolder Kind = "folder"
)

// Manifest is an entry's record on disk (manifest.json in its spool folder).
type Manifest struct {
	Name        string    `json:"name"`
	Kind        Kind      `json:"kind"`
	State       State     `json:"state"`
	Submission  string    `json:"submission_id,omitempty"`
	WorkItemID  string    `json:"work_item_id,omitempty"`
	Environment string    `json:"environment,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	Attempts    int       `json:"attempts"`
	Updated     time.Time `json:"updated"`
}

// manifestFile is the manifest's name inside an entry's spool folder.
const manifestFile = "manifest.json"

// syncLevel says how much of a manifest's replacement must reach the disk
// before writeManifest returns.
type syncLevel int

const (
	syncNone    syncLevel = iota // a draft's first manifest: made durable when submitted
	syncFile                     // the new content; a crash may bring the previous manifest back
	syncDurable                  // content and rename: survives a crash
)

// writeManifest replaces dir/manifest.json atomically: a temporary file is
// written (and fsync'd), then renamed over the old one (and the folder
// fsync'd), as level asks. A crash that brings a previous manifest back must
// be safe: a pending entry is looked up by its tag before anything is sent.
func writeManifest(dir string, m Manifest, level syncLevel) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest of %s: %w", m.Name, err)
	}
	b = append(b, '\n')
	tmp := filepath.Join(dir, manifestFile+".tmp")
	if level == syncNone {
		err = os.WriteFile(tmp, b, 0o600)
	} else {
		err = writeFileSync(tmp, b)
	}
	if err != nil {
		return fmt.Errorf("manifest of %s: %w", m.Name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, manifestFile)); err != nil {
		return fmt.Errorf("manifest of %s: %w", m.Name, err)
	}
	if level < syncDurable {
		return nil
	}
	return syncDir(dir)
}

// readManifest loads dir/manifest.json.
func readManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("manifest %s: %w", dir, err)
	}
	return m, nil
}

// writeFileSync writes a file and fsyncs it before closing.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a folder, making the creations, renames and removals in it
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// SyncFile fsyncs a file of the spool by path.
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}
