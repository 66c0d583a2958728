package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Chunked upload parameters (§8.1): files strictly larger than LargeFileSize
// go up in chunks before the entity is saved. Chunks start at 1 MiB, double
// after a chunk faster than 2 s and halve after one slower than 10 s.
const (
	LargeFileSize    = 10 << 20
	firstChunkSize   = 1 << 20
	minChunkSize     = 64 << 10
	fastChunk        = 2 * time.Second
	slowChunk        = 10 * time.Second
	maxChunkSize     = 64 << 20 // pyCOMPS has no cap; one keeps memory and request size bounded
	checkBeforeBytes = 64 << 10 // unknown files above this size are checked before being sent
)

// UploadStatus is what the server holds of a file (GET /api/upload/check).
type UploadStatus struct {
	Complete bool  // the whole file is stored
	Size     int64 // bytes stored so far of a partial upload
}

// CheckFile asks whether the server holds the file with this md5 (hex or
// UUID form). GET /api/upload/check/{md5uuid}: 200 complete, 206 partial with
// {"Size": n}, 404 absent (§8.1).
func (c *Client) CheckFile(ctx context.Context, md5 string) (UploadStatus, error) {
	u, err := MD5ToUUID(md5)
	if err != nil {
		return UploadStatus{}, err
	}
	var partial struct{ Size int64 }
	r := &request{method: http.MethodGet, path: "upload/check/" + u, idempotent: true,
		accept: []int{http.StatusNotFound}}
	resp, err := c.call(ctx, r, &partial)
	if err != nil {
		return UploadStatus{}, fmt.Errorf("check file %s: %w", u, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		c.markKnown(md5)
		return UploadStatus{Complete: true}, nil
	case http.StatusPartialContent:
		return UploadStatus{Size: partial.Size}, nil
	}
	return UploadStatus{}, nil
}

// UploadLarge sends a file in chunks keyed by its md5, resuming from what the
// server already holds (§8.1): GET /api/upload/check/{md5uuid}, then
// POST /api/upload/{md5uuid} with Content-Range until complete. A failed chunk
// is never re-sent blindly: the client asks the server how much it has and
// goes on from there.
func (c *Client) UploadLarge(ctx context.Context, f FileUpload) error {
	st, err := c.CheckFile(ctx, f.MD5)
	if err != nil || st.Complete {
		return err
	}
	src, closeSrc, err := f.readerAt()
	if err != nil {
		return err
	}
	defer closeSrc()
	u, _ := MD5ToUUID(f.MD5) // CheckFile validated it
	off, size := st.Size, int64(firstChunkSize)
	// a is the attempt budget of the chunk at off; progress is reported
	// after every chunk or resumption.
	a := c.newAttempts()
	for ; off < f.Size; reportProgress(ctx, off, f.Size) {
		n := min(size, f.Size-off)
		chunk := make([]byte, n)
		if _, err := src.ReadAt(chunk, off); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("upload %s: read at %d: %w", f.FileName, off, err)
		}
		start := time.Now()
		r := &request{method: http.MethodPost, path: "upload/" + u, body: chunk,
			contentType: "application/octet-stream",
			header:      http.Header{"Content-Range": {fmt.Sprintf("bytes %d-%d/%d", off, off+n-1, f.Size)}}}
		if _, err := c.callWith(ctx, r, nil, a); err != nil {
			err = fmt.Errorf("upload %s chunk at %d: %w", f.FileName, off, err)
			if ctx.Err() != nil || errors.Is(err, ErrBadRequest) {
				return err
			}
			if why := a.wait(ctx, 0); why != nil {
				return giveUp(err, why)
			}
			c.log.Debug("chunk upload failed; asking the server where to resume", "file", f.FileName, "offset", off, "err", err)
			st, cerr := c.CheckFile(ctx, f.MD5)
			if cerr != nil {
				return fmt.Errorf("%w (and check: %v)", err, cerr)
			}
			if st.Complete {
				return nil
			}
			if st.Size > off {
				a = c.newAttempts() // the chunk got through after all: progress
			}
			off = st.Size
			continue
		}
		off += n
		a = c.newAttempts() // MaxAttempts bounds the tries of one chunk, not of the file
		switch took := time.Since(start); {
		case took < fastChunk:
			size = min(size*2, maxChunkSize)
		case took > slowChunk && size > minChunkSize:
			size /= 2
		}
	}
	c.markKnown(f.MD5)
	return nil
}

// markKnown records that the server holds a file, so later saves reference it
// by md5 alone.
func (c *Client) markKnown(md5 string) {
	h, err := MD5Hex(md5)
	if err != nil {
		return
	}
	c.knownMu.Lock()
	c.knownFiles[h] = true
	c.knownMu.Unlock()
}

// forgetKnown drops files the server said it does not hold.
func (c *Client) forgetKnown(md5s []string) {
	c.knownMu.Lock()
	defer c.knownMu.Unlock()
	for _, m := range md5s {
		if h, err := MD5Hex(m); err == nil {
			delete(c.knownFiles, h)
		}
	}
}

// isKnown reports whether the server is known to hold the file.
func (c *Client) isKnown(md5 string) bool {
	c.knownMu.Lock()
	defer c.knownMu.Unlock()
	return c.knownFiles[md5]
}
