package localcomps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// listOutputs handles GET /asset/<Kind>s/{id}/Output (docs/protocol.md §7.1). The
// listing is always flat, sorted by path.
func (s *Server) listOutputs(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		if err := requireEntity(r.Context(), s.db, kind, id); err != nil {
			return err
		}
		if dir, err := s.liveWorkDir(r.Context(), kind, id); err != nil || dir != "" {
			if err != nil {
				return err
			}
			list, err := s.listLive(r.Context(), r, kind, id, dir)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, map[string][]wireResource{"Resources": list})
			return nil
		}
		rows, err := s.db.QueryContext(r.Context(),
			`SELECT path, md5, length, file_id FROM outputs WHERE entity_id = ? ORDER BY path`, id)
		if err != nil {
			return fmt.Errorf("list outputs of %s: %w", id, err)
		}
		defer rows.Close()
		base := baseURL(r)
		list := []wireResource{}
		for rows.Next() {
			var p, m, fid string
			var n int64
			if err := rows.Scan(&p, &m, &n, &fid); err != nil {
				return fmt.Errorf("list outputs of %s: %w", id, err)
			}
			dir, name := path.Split(p)
			dir = strings.TrimSuffix(dir, "/")
			if dir == "" {
				dir = "."
			}
			list = append(list, wireResource{Id: fid, FriendlyName: name, PathFromRoot: dir, Length: n,
				Url: base + outputURLPath(kind, id, p), MimeType: mimeType(name), MD5: md5ToUUID(m)})
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list outputs of %s: %w", id, err)
		}
		writeJSON(w, http.StatusOK, map[string][]wireResource{"Resources": list})
		return nil
	}
}

// mimeTypes maps file extensions to the MimeType of output listings and
// downloads; anything else is application/octet-stream.
var mimeTypes = map[string]string{
	".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".xml": "application/xml", ".html": "text/html", ".py": "text/x-python", ".r": "text/plain",
	".sh": "text/x-shellscript", ".png": "image/png", ".jpg": "image/jpeg", ".zip": "application/zip",
	".gz": "application/gzip", ".bin": "application/octet-stream", ".md": "text/markdown",
}

// mimeType guesses a file's content type from its extension.
func mimeType(name string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// downloadOutput handles GET /asset/<Kind>s/{id}/Output/{path...}.
func (s *Server) downloadOutput(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		p := r.PathValue("path")
		if dir, err := s.liveWorkDir(r.Context(), kind, id); err != nil || dir != "" {
			if err != nil {
				return err
			}
			if ok, err := s.serveLive(w, r, dir, p); ok {
				return err
			}
		}
		var m string
		var n, mtime int64
		err = s.db.QueryRowContext(r.Context(), `SELECT o.md5, o.length, o.mtime FROM outputs o
			JOIN entities e ON e.id = o.entity_id AND e.deleted = 0 AND e.kind = ?
			WHERE o.entity_id = ? AND o.path = ?`, kind, id, p).Scan(&m, &n, &mtime)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(http.StatusNotFound, "%s %s has no output file %q", kind, id, p)
		}
		if err != nil {
			return fmt.Errorf("look up output %q of %s: %w", p, id, err)
		}
		return s.serveBlob(w, r, m, n, fromNanos(mtime), path.Base(p))
	}
}

// downloadFile handles GET /asset/<Kind>s/{id}/Files/{name}: an entity's
// own file.
func (s *Server) downloadFile(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		return s.serveEntityFile(w, r, kind, id, "", r.PathValue("name"))
	}
}

// downloadAsset handles GET /asset/AssetCollections/{id}/Assets/{path...}.
func (s *Server) downloadAsset(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	dir, name := path.Split(r.PathValue("path"))
	return s.serveEntityFile(w, r, kindAssetCollection, id, strings.TrimSuffix(dir, "/"), name)
}

// serveEntityFile serves the file of an entity with this folder and name.
func (s *Server) serveEntityFile(w http.ResponseWriter, r *http.Request, kind, id, dir, name string) error {
	m, n, mod, err := s.findEntityFile(r.Context(), kind, id, dir, name)
	if err != nil {
		return err
	}
	return s.serveBlob(w, r, m, n, mod, name)
}

// findEntityFile looks up a file of an entity by folder and name; the
// newest of equal names wins.
func (s *Server) findEntityFile(ctx context.Context, kind, id, dir, name string) (string, int64, time.Time, error) {
	var modified int64
	err := s.db.QueryRowContext(ctx, `SELECT modified FROM entities WHERE id = ? AND kind = ? AND deleted = 0`, id, kind).Scan(&modified)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, time.Time{}, errorf(http.StatusNotFound, "%s %s not found", kind, id)
	}
	if err != nil {
		return "", 0, time.Time{}, fmt.Errorf("look up %s %s: %w", kind, id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT relative_path, md5, length FROM files
		WHERE entity_id = ? AND file_name = ? ORDER BY seq DESC`, id, name)
	if err != nil {
		return "", 0, time.Time{}, fmt.Errorf("look up file %q of %s: %w", name, id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel, m string
		var n int64
		if err := rows.Scan(&rel, &m, &n); err != nil {
			return "", 0, time.Time{}, fmt.Errorf("look up file %q of %s: %w", name, id, err)
		}
		if clean, _ := cleanRelPath(rel); clean == dir {
			return m, n, fromNanos(modified), nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", 0, time.Time{}, fmt.Errorf("look up file %q of %s: %w", name, id, err)
	}
	return "", 0, time.Time{}, errorf(http.StatusNotFound, "%s %s has no file %q", kind, id, path.Join(dir, name))
}

// serveBlob sends a blob with Range support (200, 206 or 416), after
// checking that its size is the recorded one.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, md5hex string, length int64, mod time.Time, name string) error {
	f, err := os.Open(s.blobs.path(md5hex))
	if err != nil {
		return fmt.Errorf("open blob %s: %w", md5hex, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat blob %s: %w", md5hex, err)
	}
	if fi.Size() != length {
		return fmt.Errorf("blob %s has %d bytes, expected %d", md5hex, fi.Size(), length)
	}
	w.Header().Set("Content-Type", mimeType(name))
	w.Header().Set("ETag", `"`+md5hex+`"`)
	ew := &errorCatcher{ResponseWriter: &countingWriter{ResponseWriter: w, n: &s.stats.sent}}
	http.ServeContent(ew, r, name, mod, f)
	if ew.status != 0 {
		return errorf(ew.status, "cannot serve %s: %s", name, http.StatusText(ew.status))
	}
	return nil
}

// errorCatcher holds back an error answer (status >= 400) written by
// http.ServeContent so that it can be re-sent with the JSON error body.
type errorCatcher struct {
	http.ResponseWriter
	status int
}

func (e *errorCatcher) WriteHeader(code int) {
	if code >= 400 {
		e.status = code
		return
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *errorCatcher) Write(p []byte) (int, error) {
	if e.status != 0 {
		return len(p), nil
	}
	return e.ResponseWriter.Write(p)
}

// ReadFrom passes a body on (with sendfile when the writers below allow),
// or drops it after an error status.
func (e *errorCatcher) ReadFrom(r io.Reader) (int64, error) {
	if e.status != 0 {
		return io.Copy(io.Discard, r)
	}
	return io.Copy(e.ResponseWriter, r)
}

func (e *errorCatcher) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// countingWriter adds the body bytes written to a counter.
type countingWriter struct {
	http.ResponseWriter
	n interface{ Add(int64) int64 }
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// ReadFrom passes a body on (with sendfile when the writers below allow),
// counting its bytes.
func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(c.ResponseWriter, r)
	c.n.Add(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
