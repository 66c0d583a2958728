package cache

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// startVerify returns the flight checking a complete file against its md5,
// starting it if none runs. Its chunks stay on disk meanwhile. Call with c.mu
// held.
func (c *Content) startVerify(ks *keyState) *flight {
	return c.startFlight(flightID{ks.name, verifyIdx}, &ks.verifying, func(f *flight) { c.verify(ks, f) })
}

// verify hashes the chunks in order. On a match the file is marked verified;
// otherwise all of it is discarded and the error matches ErrCorrupt.
func (c *Content) verify(ks *keyState, f *flight) {
	got, err := c.hashChunks(ks)
	c.mu.Lock()
	delete(c.flights, flightID{ks.name, verifyIdx})
	ks.verifying--
	switch {
	case err != nil:
		err = fmt.Errorf("cache: verify %s: %w", ks.name, err)
		c.log.Warn("cannot verify cached file, discarding it", "file", ks.name, "err", err)
		c.discard(ks)
	case got != ks.md5:
		c.verifyFailures.Add(1)
		err = fmt.Errorf("cache: %s: cached chunks have md5 %s: %w", ks.name, got, ErrCorrupt)
		c.log.Error("cached file does not match its md5, discarding it", "file", ks.name, "md5", got)
		c.discard(ks)
	default:
		c.markVerified(ks)
	}
	c.forgetIfIdle(ks)
	c.evict() // what was spared while verifying
	c.mu.Unlock()
	f.err = err
	close(f.done)
}

func (c *Content) hashChunks(ks *keyState) (string, error) {
	h := md5.New()
	for idx := range ks.nChunks {
		fh, err := os.Open(c.chunkPath(ks.name, idx))
		if err != nil {
			return "", err
		}
		n, err := io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", fmt.Errorf("read chunk %d: %w", idx, err)
		}
		if want := c.chunkLen(ks.size, idx); n != want {
			return "", fmt.Errorf("chunk %d has %d bytes, want %d", idx, n, want)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// markVerified records that a complete file matches its md5. Call with c.mu held.
func (c *Content) markVerified(ks *keyState) {
	ks.verified = true
	if err := os.WriteFile(filepath.Join(c.keyDir(ks.name), markerName), nil, 0o600); err != nil {
		c.log.Warn("cannot record verified mark", "file", ks.name, "err", err)
	}
}

// discard removes every chunk of a file. Call with c.mu held.
func (c *Content) discard(ks *keyState) {
	for _, pc := range ks.pieces {
		c.removePiece(pc)
	}
}
