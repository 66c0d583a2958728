package localcomps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/google/uuid"
)

// maxRunningIngest is the largest file copied into the blob store while
// the item still runs; bigger files wait for the final ingest.
const maxRunningIngest = 64 << 20

// outputState is what an output row records of a file.
type outputState struct {
	length, mtime int64
}

// ingestWorkDir records every regular file of an item's working directory
// as its outputs (GET /asset/WorkItems/{id}/Output): contents go to the
// blob store, rows are added or updated, rows of files that are gone are
// dropped. Files whose size and time match their row are not read again.
// Symbolic links and other non-regular files are skipped.
//
// A row is trusted (the file not read again) only when the file's size
// and time match it and that time is before trustBefore (Unix ns): file
// times are coarse, so a file written again just after it was read may
// keep its time; a final ingest passes a time before the first ingest.
// Files over maxSize (when > 0) are left for later.
func (s *Server) ingestWorkDir(ctx context.Context, id string, maxSize, trustBefore int64) error {
	dir := s.workDir(id)
	known, err := s.knownOutputs(ctx, id)
	if err != nil {
		return err
	}
	type stored struct {
		path, md5hex  string
		length, mtime int64
	}
	var changed []stored
	seen := map[string]bool{}
	var firstErr error
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			if firstErr == nil {
				firstErr = err
			}
			return nil // an unreadable folder: skip it, keep its old rows
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			seen[rel] = true // vanished or unreadable; keep the old row
			return nil
		}
		seen[rel] = true
		mtime := fi.ModTime().UnixNano() / 100 * 100
		if k, ok := known[rel]; ok && k.length == fi.Size() && k.mtime == mtime && mtime < trustBefore {
			return nil
		}
		if maxSize > 0 && fi.Size() > maxSize {
			return nil
		}
		m, n, err := s.storeWorkFile(p)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return nil
		}
		changed = append(changed, stored{rel, m, n, mtime})
		return nil
	})
	if walkErr != nil {
		if errors.Is(walkErr, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("ingest outputs of %s: %w", id, walkErr)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range changed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outputs(entity_id, path, md5, length, mtime, file_id)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(entity_id, path) DO UPDATE SET md5 = excluded.md5,
				length = excluded.length, mtime = excluded.mtime`,
				id, c.path, c.md5hex, c.length, c.mtime, uuid.NewString()); err != nil {
				return fmt.Errorf("record output %q of %s: %w", c.path, id, err)
			}
		}
		for p := range known {
			if !seen[p] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM outputs WHERE entity_id = ? AND path = ?`, id, p); err != nil {
					return fmt.Errorf("drop output %q of %s: %w", p, id, err)
				}
			}
		}
		if len(changed) > 0 {
			return touch(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if firstErr != nil {
		return fmt.Errorf("ingest outputs of %s: %w", id, firstErr)
	}
	return nil
}

// knownOutputs reads an item's output rows by path.
func (s *Server) knownOutputs(ctx context.Context, id string) (map[string]outputState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, length, mtime FROM outputs WHERE entity_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("list outputs of %s: %w", id, err)
	}
	defer rows.Close()
	out := map[string]outputState{}
	for rows.Next() {
		var p string
		var st outputState
		if err := rows.Scan(&p, &st.length, &st.mtime); err != nil {
			return nil, fmt.Errorf("list outputs of %s: %w", id, err)
		}
		out[p] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outputs of %s: %w", id, err)
	}
	return out, nil
}

// storeWorkFile copies a working-directory file into the blob store,
// refusing to follow a symbolic link put in its place meanwhile.
func (s *Server) storeWorkFile(p string) (string, int64, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", 0, fmt.Errorf("open output: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("stat output: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", 0, fmt.Errorf("output %s is no longer a regular file", p)
	}
	m, n, err := s.blobs.put("", f, false)
	if err != nil {
		return "", 0, fmt.Errorf("store output %s: %w", p, err)
	}
	return m, n, nil
}
