package localcomps

import (
	"context"
	"crypto/md5"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// Live outputs: while the local worker runs a work item, its output
// listing is its working directory as it is now (every regular file, with
// its current size), and its output files are served from there, so that a
// client can follow a job (docs/localcomps.md). A file's MD5 is given only
// when the last ingest stored it with the same size and time; a file that
// may still be written has an empty MD5. Once the item ends, the listing
// and downloads come from what the final ingest stored, as before.

// liveWorkDir is the working directory of a work item the local worker
// runs now, "" when the item is not running here (or kind is not WorkItem).
func (s *Server) liveWorkDir(ctx context.Context, kind, id string) (string, error) {
	if kind != kindWorkItem {
		return "", nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM worker_claims WHERE entity_id = ?`, id).Scan(&n); err != nil {
		return "", fmt.Errorf("is %s running: %w", id, err)
	}
	dir := s.workDir(id)
	if n == 0 {
		return "", nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", nil
	}
	return dir, nil
}

// listLive lists a running item's working directory as output resources.
func (s *Server) listLive(ctx context.Context, r *http.Request, kind, id, dir string) ([]wireResource, error) {
	known, err := s.knownOutputs(ctx, id)
	if err != nil {
		return nil, err
	}
	md5s, err := s.outputMD5s(ctx, id)
	if err != nil {
		return nil, err
	}
	base := baseURL(r)
	list := []wireResource{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // an unreadable folder of the job's: listed when readable
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // gone meanwhile
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		parent, name := path.Split(rel)
		parent = strings.TrimSuffix(parent, "/")
		if parent == "" {
			parent = "."
		}
		res := wireResource{Id: liveFileID(id, rel), FriendlyName: name, PathFromRoot: parent, Length: info.Size(),
			Url: base + outputURLPath(kind, id, rel), MimeType: mimeType(name)}
		if k, ok := known[rel]; ok && k.length == info.Size() && k.mtime == info.ModTime().UnixNano() {
			res.MD5 = md5ToUUID(md5s[rel])
		}
		list = append(list, res)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the working directory of %s: %w", id, err)
	}
	return list, nil
}

// outputMD5s are the md5s the last ingest stored, by path.
func (s *Server) outputMD5s(ctx context.Context, id string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, md5 FROM outputs WHERE entity_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("outputs of %s: %w", id, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, m string
		if err := rows.Scan(&p, &m); err != nil {
			return nil, fmt.Errorf("outputs of %s: %w", id, err)
		}
		out[p] = m
	}
	return out, rows.Err()
}

// liveFileID is a stable id for a file of a running item's working
// directory that has no row yet.
func liveFileID(id, rel string) string {
	sum := md5.Sum([]byte(id + "/" + rel))
	u, _ := uuid.FromBytes(sum[:]) // 16 bytes: never an error
	return u.String()
}

// serveLive serves a file of a running item's working directory, with
// ranges; ok is false when the path is not a regular file there.
func (s *Server) serveLive(w http.ResponseWriter, r *http.Request, dir, rel string) (ok bool, err error) {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	if !strings.HasPrefix(full, dir+string(filepath.Separator)) {
		return false, nil
	}
	f, err := os.Open(full)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return false, nil
	}
	w.Header().Set("Content-Type", mimeType(rel))
	ew := &errorCatcher{ResponseWriter: &countingWriter{ResponseWriter: w, n: &s.stats.sent}}
	http.ServeContent(ew, r, path.Base(rel), info.ModTime(), f)
	if ew.status != 0 {
		return true, errorf(ew.status, "cannot serve %s: %s", rel, http.StatusText(ew.status))
	}
	return true, nil
}
