package localcomps

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
)

// multipartSave is a received multipart save request (docs/protocol.md §3.3): the
// entity JSON array and the file parts, each spooled to a temporary file
// and checked against the MD5 that names it.
type multipartSave struct {
	entityJSON []byte
	objs       []saveEntity      // entityJSON decoded
	parts      map[string]string // hex md5 -> temporary file
	order      []string          // hex md5s in arrival order
}

// readMultipartSave reads a multipart save whose entity part has the file
// name entityFile. Bad input is a 400 and leaves nothing behind.
func (s *Server) readMultipartSave(r *http.Request, entityFile string) (*multipartSave, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, errorf(http.StatusBadRequest, "expected a multipart/form-data body, got %q", r.Header.Get("Content-Type"))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed multipart body: %v", err)
	}
	ms := &multipartSave{parts: map[string]string{}}
	fail := func(err error) (*multipartSave, error) {
		ms.cleanup()
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(badBody(err, "malformed multipart body"))
		}
		if strings.EqualFold(part.FileName(), entityFile) {
			if ms.entityJSON != nil {
				part.Close()
				return fail(errorf(http.StatusBadRequest, "more than one %s part", entityFile))
			}
			data, err := io.ReadAll(io.LimitReader(part, s.opts.MaxJSONBytes+1))
			part.Close()
			if err != nil {
				return fail(badBody(err, "cannot read the entity part"))
			}
			if int64(len(data)) > s.opts.MaxJSONBytes {
				return fail(errorf(http.StatusRequestEntityTooLarge, "the %s part is larger than %d bytes", entityFile, s.opts.MaxJSONBytes))
			}
			ms.entityJSON = data
			continue
		}
		err = s.spoolPart(ms, part)
		part.Close()
		if err != nil {
			return fail(err)
		}
	}
	if ms.entityJSON == nil {
		return fail(errorf(http.StatusBadRequest, "no part with file name %q", entityFile))
	}
	if err := json.Unmarshal(ms.entityJSON, &ms.objs); err != nil {
		return fail(errorf(http.StatusBadRequest, "the %s part must be a JSON array: %v", entityFile, err))
	}
	return ms, nil
}

// spoolPart writes one file part to a temporary file and checks that its
// MD5 equals the part's form name.
func (s *Server) spoolPart(ms *multipartSave, part *multipart.Part) error {
	name := part.FormName()
	want, err := md5FromUUID(name)
	if err != nil {
		return errorf(http.StatusBadRequest, "file part name must be the file's md5 in uuid form: %v", err)
	}
	f, err := s.blobs.tempFile()
	if err != nil {
		return err
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), part)
	s.stats.received.Add(n)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return badBody(err, "cannot read file part "+name)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want {
		os.Remove(f.Name())
		return errorf(http.StatusBadRequest, "file part %s: content md5 is %s", name, md5ToUUID(got))
	}
	if _, dup := ms.parts[want]; dup {
		os.Remove(f.Name())
		return nil
	}
	ms.parts[want] = f.Name()
	ms.order = append(ms.order, want)
	return nil
}

// badBody turns a body read error into 413 when the body was too large,
// else into a 400 with msg.
func badBody(err error, msg string) error {
	var mbe *http.MaxBytesError
	var ae *apiError
	if errors.As(err, &mbe) || errors.As(err, &ae) {
		return err
	}
	return errorf(http.StatusBadRequest, "%s: %v", msg, err)
}

// has reports whether the request carried the file with this MD5.
func (ms *multipartSave) has(md5hex string) bool {
	_, ok := ms.parts[md5hex]
	return ok
}

// adoptAll moves every received file into the blob store.
func (ms *multipartSave) adoptAll(b *blobStore) error {
	for _, m := range ms.order {
		tmp := ms.parts[m]
		if err := syncFile(tmp); err != nil {
			return err
		}
		if err := b.adopt(tmp, m); err != nil {
			return err
		}
		delete(ms.parts, m)
	}
	return nil
}

// cleanup removes temporary files that were not adopted.
func (ms *multipartSave) cleanup() {
	for _, tmp := range ms.parts {
		os.Remove(tmp)
	}
	ms.parts = map[string]string{}
}

// syncFile flushes a file's data to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
