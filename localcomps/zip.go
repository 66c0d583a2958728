package localcomps

import (
	"archive/zip"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
)

// zipEntry is one file of a zip archive: its name in the archive, its blob
// and its time.
type zipEntry struct {
	Name   string `json:"n"`
	MD5    string `json:"m"`
	Length int64  `json:"l"`
	MTime  int64  `json:"t"`
}

// zipLifetime is how long a zip's download URL answers after the request
// that made it (see unconfirmed.go).
const zipLifetime = 24 * time.Hour

// wireZipRequest is the body of both zip requests (docs/protocol.md §7.4,
// §8.3): output file Ids, or Assets by name and MD5.
type wireZipRequest struct {
	ContainerType string   `json:"ContainerType"`
	Ids           []string `json:"Ids"`
	Assets        []struct {
		FileNameForAsset string `json:"FileNameForAsset"`
		MD5              string `json:"MD5"`
	} `json:"Assets"`
}

// readZipRequest decodes a zip request and checks its container type.
func (s *Server) readZipRequest(r *http.Request) (*wireZipRequest, error) {
	var req wireZipRequest
	if err := s.readJSON(r, &req); err != nil {
		return nil, err
	}
	if req.ContainerType != "CompressedZip" {
		return nil, errorf(http.StatusBadRequest, "ContainerType must be CompressedZip, got %q", req.ContainerType)
	}
	return &req, nil
}

// zipOutputs handles POST /asset/<Kind>s/{id}/Output?zip=1 with
// {"ContainerType": "CompressedZip", "Ids": [...]} (docs/protocol.md §7.4):
// the named output files, by their path (PathFromRoot/FriendlyName), as
// one zip, answered {"Resources": [one entry]} whose Url downloads it.
func (s *Server) zipOutputs(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		if v, _ := queryParam(r.URL.Query(), "zip"); v != "1" && !strings.EqualFold(v, "true") {
			return errorf(http.StatusBadRequest, "POST on an output listing makes a zip: add zip=1")
		}
		req, err := s.readZipRequest(r)
		if err != nil {
			return err
		}
		if err := requireEntity(r.Context(), s.db, kind, id); err != nil {
			return err
		}
		entries, err := s.outputEntries(r.Context(), id, req.Ids)
		if err != nil {
			return err
		}
		return s.answerZip(w, r, id+".zip", entries)
	}
}

// outputEntries looks up output files of an entity by their Ids, in the
// order asked, each once.
func (s *Server) outputEntries(ctx context.Context, id string, fileIDs []string) ([]zipEntry, error) {
	var out []zipEntry
	seen := map[string]bool{}
	for _, raw := range fileIDs {
		fid, err := parseID(raw)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "output file %v", err)
		}
		if seen[fid] {
			continue
		}
		seen[fid] = true
		var e zipEntry
		err = s.db.QueryRowContext(ctx, `SELECT path, md5, length, mtime FROM outputs WHERE entity_id = ? AND file_id = ?`,
			id, fid).Scan(&e.Name, &e.MD5, &e.Length, &e.MTime)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errorf(http.StatusNotFound, "%s has no output file with Id %s", id, fid)
		}
		if err != nil {
			return nil, fmt.Errorf("look up output file %s of %s: %w", fid, id, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// zipAssets handles POST /api/ZipAssets with {"ContainerType":
// "CompressedZip", "Assets": [{"FileNameForAsset", "MD5"}, ...]}
// (docs/protocol.md §8.3): files the server holds, by MD5, named by
// FileNameForAsset ("\"-separated folders), as one zip.
func (s *Server) zipAssets(w http.ResponseWriter, r *http.Request) error {
	req, err := s.readZipRequest(r)
	if err != nil {
		return err
	}
	now := s.now()
	var entries []zipEntry
	seen := map[string]bool{}
	for _, a := range req.Assets {
		name, ok := cleanRelPath(a.FileNameForAsset)
		if !ok || name == "" {
			return errorf(http.StatusBadRequest, "invalid FileNameForAsset %q", a.FileNameForAsset)
		}
		m, err := md5FromUUID(a.MD5)
		if err != nil {
			return errorf(http.StatusBadRequest, "asset %s: %v", name, err)
		}
		size, err := s.blobs.size(m)
		if err != nil {
			return errorf(http.StatusNotFound, "asset %s: no file with MD5 %s", name, md5ToUUID(m))
		}
		if !seen[name] {
			seen[name] = true
			entries = append(entries, zipEntry{Name: name, MD5: m, Length: size, MTime: now})
		}
	}
	return s.answerZip(w, r, "assets.zip", entries)
}

// answerZip records the archive's entries and answers the resource whose
// Url downloads it. The entries are blobs, which never change, so the
// download gives what was asked for even if the outputs change meanwhile.
func (s *Server) answerZip(w http.ResponseWriter, r *http.Request, name string, entries []zipEntry) error {
	list, err := json.Marshal(entries)
	if err != nil {
		return fmt.Errorf("encode zip entries: %w", err)
	}
	id := uuid.NewString()
	now := s.now()
	err = s.inTx(r.Context(), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(r.Context(), `DELETE FROM zips WHERE created < ?`, now-int64(zipLifetime)); err != nil {
			return fmt.Errorf("drop old zips: %w", err)
		}
		if _, err := tx.ExecContext(r.Context(), `INSERT INTO zips(id, name, entries, created) VALUES (?, ?, ?, ?)`,
			id, name, string(list), now); err != nil {
			return fmt.Errorf("record zip: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]wireResource{"Resources": {{Id: id, FriendlyName: name, PathFromRoot: ".",
		Url: baseURL(r) + "/asset/Zips/" + id + "/" + url.PathEscape(name), MimeType: "application/zip"}}})
	return nil
}

// downloadZip handles GET /asset/Zips/{id}/{name}: the archive, streamed
// as it is made (Deflate, fastest level), in bounded memory; no
// Content-Length and no ranges. A failure once the answer has begun cuts
// the connection, so that a client never takes a short archive for a
// whole one.
func (s *Server) downloadZip(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	var name, list string
	var created int64
	err = s.db.QueryRowContext(r.Context(), `SELECT name, entries, created FROM zips WHERE id = ?`, id).Scan(&name, &list, &created)
	if errors.Is(err, sql.ErrNoRows) || err == nil && time.Duration(s.now()-created) > zipLifetime {
		return errorf(http.StatusNotFound, "zip %s not found or expired; ask for it again", id)
	}
	if err != nil {
		return fmt.Errorf("look up zip %s: %w", id, err)
	}
	var entries []zipEntry
	if err := json.Unmarshal([]byte(list), &entries); err != nil {
		return fmt.Errorf("read zip %s: %w", id, err)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	w.WriteHeader(http.StatusOK)
	if err := s.writeZip(&countingWriter{ResponseWriter: w, n: &s.stats.sent}, entries); err != nil {
		s.log.Error("zip download cut short", "zip", id, "err", err)
		panic(http.ErrAbortHandler) // the standard server aborts the connection quietly
	}
	return nil
}

// writeZip writes the archive of the entries to w.
func (s *Server) writeZip(w io.Writer, entries []zipEntry) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, e := range entries {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: path.Clean(e.Name), Method: zip.Deflate, Modified: fromNanos(e.MTime)})
		if err != nil {
			return fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
		if err := copyBlobTo(fw, s.blobs.path(e.MD5), e.Length); err != nil {
			return fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
	}
	return zw.Close()
}

// copyBlobTo copies a blob of the expected length to w.
func copyBlobTo(w io.Writer, blob string, length int64) error {
	f, err := os.Open(blob)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(w, f)
	if err == nil && n != length {
		err = fmt.Errorf("blob has %d bytes, expected %d", n, length)
	}
	return err
}
