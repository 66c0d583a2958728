package cache

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// startDownload returns the flight downloading chunk idx, starting it if none
// runs. The download keeps ctx's values but not its cancellation. Call with
// c.mu held.
func (c *Content) startDownload(ctx context.Context, ks *keyState, idx int64, src Source) *flight {
	return c.startFlight(flightID{ks.name, idx}, &ks.active, func(f *flight) {
		c.download(context.WithoutCancel(ctx), ks, idx, src, f)
	})
}

// download fetches chunk idx, checks it, stores it and, if it completes the
// file, has the file verified; then it hands the bytes to the waiting readers.
func (c *Content) download(ctx context.Context, ks *keyState, idx int64, src Source, f *flight) {
	off := idx * c.o.ChunkSize
	data, err := c.fetch(ctx, src, off, c.chunkLen(ks.size, idx))
	if err != nil {
		err = fmt.Errorf("cache: fetch chunk %d of %s: %w", idx, ks.name, err)
		c.log.Warn("chunk download failed", "file", ks.name, "chunk", idx, "err", err)
	}
	verifiedNow := false
	if err == nil && ks.nChunks == 1 && ks.md5 != "" {
		sum := md5.Sum(data)
		if got := hex.EncodeToString(sum[:]); got != ks.md5 {
			c.verifyFailures.Add(1)
			err = fmt.Errorf("cache: %s: downloaded bytes have md5 %s: %w", ks.name, got, ErrCorrupt)
			c.log.Error("downloaded file does not match its md5", "file", ks.name, "md5", got)
		}
		verifiedNow = err == nil
	}
	stored := err == nil && c.store(ks, idx, data)

	c.mu.Lock()
	delete(c.flights, flightID{ks.name, idx})
	ks.active--
	var vf *flight
	if stored && ks.pieces[idx] != nil && ks.complete() && ks.md5 != "" && !ks.verified {
		if verifiedNow {
			c.markVerified(ks)
		} else {
			vf = c.startVerify(ks)
		}
	}
	c.forgetIfIdle(ks)
	c.mu.Unlock()

	if vf != nil {
		if verr := vf.wait(ctx); verr != nil {
			data, err = nil, verr
		}
	}
	f.data, f.err = data, err
	close(f.done)
}

// fetch downloads length bytes at off, trying again on any failure.
func (c *Content) fetch(ctx context.Context, src Source, off, length int64) ([]byte, error) {
	var err error
	for attempt := 0; attempt <= c.o.Retries; attempt++ {
		if attempt > 0 {
			c.log.Info("retrying chunk download", "off", off, "attempt", attempt+1, "err", err)
			time.Sleep(c.backoff(attempt))
		}
		var data []byte
		if data, err = c.fetchOnce(ctx, src, off, length); err == nil {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%d attempts: %w", c.o.Retries+1, err)
}

// fetchOnce makes one bounded attempt; a body of any other length than asked
// is an error.
func (c *Content) fetchOnce(ctx context.Context, src Source, off, length int64) ([]byte, error) {
	if src == nil {
		return nil, errors.New("no source to download from")
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.FetchTimeout)
	defer cancel()
	body, err := src(ctx, off, length)
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errors.New("source returned no body")
	}
	defer body.Close()
	data := make([]byte, length)
	n, err := io.ReadFull(body, data)
	c.fetched.Add(int64(n))
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("short body, %d of %d bytes: %w", n, length, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, fmt.Errorf("read body after %d of %d bytes: %w", n, length, err)
	}
	var extra [1]byte
	if m, _ := io.ReadFull(body, extra[:]); m > 0 {
		return nil, fmt.Errorf("body longer than the %d bytes asked (range ignored?)", length)
	}
	return data, nil
}

// store writes a chunk atomically (temporary file in the same folder, fsync,
// rename), records it and evicts down to MaxBytes. A failure is logged, not
// returned: the readers still get their bytes.
func (c *Content) store(ks *keyState, idx int64, data []byte) bool {
	path := c.chunkPath(ks.name, idx)
	if err := writeAtomic(path, data); err != nil {
		c.log.Warn("cannot cache chunk", "file", ks.name, "chunk", idx, "err", err)
		return false
	}
	c.mu.Lock()
	c.addPiece(ks, idx, int64(len(data)))
	c.evict()
	c.mu.Unlock()
	return true
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	now := time.Now() // the same clock as the touch on read, for the LRU order after a restart
	if err = os.Chtimes(tmp.Name(), now, now); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// tmpPrefix starts the names of files being written; a start-up scan removes them.
const tmpPrefix = ".tmp-"

func defaultBackoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<(attempt-1), 2*time.Second)
}
