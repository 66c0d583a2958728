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

// download fetches chunk idx into a buffer of the memory budget, checks it,
// stores it and hands the buffer to the waiting readers; hashing for the
// file's check goes on in the background.
func (c *Content) download(ctx context.Context, ks *keyState, idx int64, src Source, f *flight) {
	data := c.mem.get(c.chunkLen(ks.size, idx))
	err := c.fetch(ctx, src, idx*c.o.ChunkSize, data)
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
	var fh *os.File
	if err == nil {
		var werr error
		if fh, werr = writeChunk(c.chunkPath(ks.name, idx), data); werr != nil {
			c.log.Warn("cannot cache chunk", "file", ks.name, "chunk", idx, "err", werr)
		}
	}

	c.mu.Lock()
	delete(c.flights, flightID{ks.name, idx})
	ks.active--
	if fh != nil {
		c.addPiece(ks, idx, int64(len(data)), fh, time.Now(), false)
		switch {
		case verifiedNow:
			c.verifiedNow(ks)
		case ks.md5 != "" && !ks.verified && ks.complete():
			f.verify = c.startVerify(ks)
		default:
			c.kickVerify(ks)
		}
		c.evict()
	}
	c.forgetIfIdle(ks)
	if f.readAhead {
		<-c.raSlots
	}
	f.err = err
	if err == nil {
		f.data = data
	} else {
		c.mem.put(data)
	}
	close(f.done)
	c.unref(f)
	c.mu.Unlock()
}

// fetch downloads len(p) bytes at off into p, trying again on any failure.
func (c *Content) fetch(ctx context.Context, src Source, off int64, p []byte) error {
	var err error
	for attempt := 0; attempt <= c.o.Retries; attempt++ {
		if attempt > 0 {
			c.log.Info("retrying chunk download", "off", off, "attempt", attempt+1, "err", err)
			time.Sleep(c.backoff(attempt))
		}
		if err = c.fetchOnce(ctx, src, off, p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%d attempts: %w", c.o.Retries+1, err)
}

// fetchOnce makes one bounded attempt; a body of any other length than asked
// is an error.
func (c *Content) fetchOnce(ctx context.Context, src Source, off int64, p []byte) error {
	if src == nil {
		return errors.New("no source to download from")
	}
	length := int64(len(p))
	ctx, cancel := context.WithTimeout(ctx, c.o.FetchTimeout)
	defer cancel()
	body, err := src(ctx, off, length)
	if err != nil {
		return err
	}
	if body == nil {
		return errors.New("source returned no body")
	}
	defer body.Close()
	n, err := io.ReadFull(body, p)
	c.fetched.Add(int64(n))
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("short body, %d of %d bytes: %w", n, length, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return fmt.Errorf("read body after %d of %d bytes: %w", n, length, err)
	}
	var extra [1]byte
	if m, _ := io.ReadFull(body, extra[:]); m > 0 {
		return fmt.Errorf("body longer than the %d bytes asked (range ignored?)", length)
	}
	return nil
}

// writeChunk writes a chunk atomically (temporary file in the same folder,
// rename) and returns it open. There is no fsync here, off the readers'
// path: a file's chunks are made durable before its verified mark is
// written, and all of them at Close; after a crash, the start-up scan keeps
// only marked files (see scan).
func writeChunk(path string, data []byte) (fh *os.File, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return nil, err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return tmp, nil
}

// tmpPrefix starts the names of files being written; a start-up scan removes them.
const tmpPrefix = ".tmp-"

func defaultBackoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<(attempt-1), 2*time.Second)
}
