package localcomps

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// partPath is where a partial chunked upload accumulates.
func (s *Server) partPath(md5hex string) string {
	return filepath.Join(s.blobs.tmp, md5hex+".part")
}

// uploadLock returns the mutex serialising uploads of one MD5.
func (s *Server) uploadLock(md5hex string) *sync.Mutex {
	s.uploadMu.Lock()
	defer s.uploadMu.Unlock()
	m, ok := s.uploadLocks[md5hex]
	if !ok {
		m = &sync.Mutex{}
		s.uploadLocks[md5hex] = m
	}
	return m
}

// uploadCheck handles GET /api/upload/check/{md5} (docs/protocol.md §8.1): 200
// when the blob is complete, 206 {"Size": n} when partial, else 404.
func (s *Server) uploadCheck(w http.ResponseWriter, r *http.Request) error {
	m, err := md5FromUUID(r.PathValue("md5"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	if s.blobs.has(m) {
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
	lock := s.uploadLock(m)
	lock.Lock()
	defer lock.Unlock()
	fi, err := os.Stat(s.partPath(m))
	if err != nil {
		return errorf(http.StatusNotFound, "no upload of %s", md5ToUUID(m))
	}
	writeJSON(w, http.StatusPartialContent, struct{ Size int64 }{fi.Size()})
	return nil
}

// contentRangeRE matches "bytes <first>-<last>/<total>".
var contentRangeRE = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)

// uploadChunk handles POST /api/upload/{md5}: a chunk with Content-Range
// bytes a-b/total is appended to the partial file (a must be its size);
// when the last byte arrives the MD5 is checked and the blob stored.
func (s *Server) uploadChunk(w http.ResponseWriter, r *http.Request) error {
	m, err := md5FromUUID(r.PathValue("md5"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	cr := r.Header.Get("Content-Range")
	g := contentRangeRE.FindStringSubmatch(cr)
	if g == nil {
		return errorf(http.StatusBadRequest, "Content-Range must be \"bytes first-last/total\", got %q", cr)
	}
	first, err1 := strconv.ParseInt(g[1], 10, 64)
	last, err2 := strconv.ParseInt(g[2], 10, 64)
	total, err3 := strconv.ParseInt(g[3], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || first > last || last >= total {
		return errorf(http.StatusBadRequest, "invalid Content-Range %q", cr)
	}
	lock := s.uploadLock(m)
	lock.Lock()
	defer lock.Unlock()
	if s.blobs.has(m) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
	part := s.partPath(m)
	var size int64
	if fi, err := os.Stat(part); err == nil {
		size = fi.Size()
	}
	if first != size {
		return errorf(http.StatusBadRequest, "chunk starts at %d but %d bytes are stored", first, size)
	}
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_APPEND, fileMode)
	if err != nil {
		return fmt.Errorf("open partial upload %s: %w", m, err)
	}
	want := last - first + 1
	n, err := io.Copy(f, io.LimitReader(r.Body, want))
	s.stats.received.Add(n)
	if err == nil && n == want {
		// the body must end exactly at the announced last byte
		var one [1]byte
		if k, _ := r.Body.Read(one[:]); k > 0 {
			err = errorf(http.StatusBadRequest, "chunk longer than its Content-Range %q", cr)
		}
	} else if err == nil {
		err = errorf(http.StatusBadRequest, "chunk has %d bytes, Content-Range %q announces %d", n, cr, want)
	}
	if err != nil {
		_ = f.Truncate(size)
		f.Close()
		if size == 0 {
			os.Remove(part) // nothing stored: the upload is absent again
		}
		return badBody(err, "cannot read chunk")
	}
	if last+1 < total {
		if err := f.Close(); err != nil {
			return fmt.Errorf("close partial upload %s: %w", m, err)
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync upload %s: %w", m, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close upload %s: %w", m, err)
	}
	got, err := fileMD5(part)
	if err != nil {
		return err
	}
	if got != m {
		os.Remove(part)
		return errorf(http.StatusBadRequest, "uploaded content has md5 %s, not %s; the upload is discarded", md5ToUUID(got), md5ToUUID(m))
	}
	if err := s.blobs.adopt(part, m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
