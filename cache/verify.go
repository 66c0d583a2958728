package cache

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// startVerify returns the flight hashing a file's chunks in order, starting
// it if none runs. Call with c.mu held.
func (c *Content) startVerify(ks *keyState) *flight {
	return c.startFlight(flightID{ks.name, verifyIdx}, &ks.verifying, func(f *flight) { c.verify(ks, f) })
}

// kickVerify starts hashing a file with an md5 whose next chunk to hash is
// on disk, if no hashing runs. Call with c.mu held.
func (c *Content) kickVerify(ks *keyState) {
	if ks.md5 == "" || ks.verified || ks.pieces[ks.hashNext] == nil || c.flights[flightID{ks.name, verifyIdx}] != nil {
		return
	}
	c.startVerify(ks)
}

// maxFailed bounds Content.failed.
const maxFailed = 1000

// verify hashes the file's chunks in order from ks.hashNext, as far as they
// are on disk, and returns at the first missing one (its download starts
// the hashing again). Once all are hashed it compares: on a match the file
// is verified, its chunks are made durable and it gets its mark; otherwise
// all of it is discarded and the flight's error matches ErrCorrupt. Readers
// are served meanwhile; only those that wait for the flight see the verdict.
func (c *Content) verify(ks *keyState, f *flight) {
	var err error
	buf := make([]byte, 256<<10)
	c.mu.Lock()
	for !ks.verified {
		if ks.hashNext == ks.nChunks {
			if ks.hash == nil {
				ks.hash = newHash()
			}
			got := hex.EncodeToString(ks.hash.Sum(nil))
			if got == ks.md5 {
				ks.verified = true
				delete(c.failed, ks.name)
				break
			}
			c.verifyFailures.Add(1)
			if len(c.failed) >= maxFailed {
				clear(c.failed)
			}
			c.failed[ks.name] = true
			err = fmt.Errorf("cache: %s: cached chunks have md5 %s: %w", ks.name, got, ErrCorrupt)
			c.log.Error("cached file does not match its md5, discarding it", "file", ks.name, "md5", got)
			c.discard(ks)
			break
		}
		idx := ks.hashNext
		pc := ks.pieces[idx]
		if pc == nil {
			break // the chunk's arrival starts hashing again
		}
		fh, oerr := c.pieceFile(pc)
		if ks.hash == nil {
			ks.hash = newHash()
		}
		h, gen := ks.hash, ks.hashGen
		c.mu.Unlock()
		var n int64
		rerr := oerr
		if rerr == nil {
			n, rerr = io.CopyBuffer(h, io.NewSectionReader(fh, 0, pc.size), buf)
		}
		c.mu.Lock()
		switch {
		case gen != ks.hashGen:
			// A hashed chunk went away meanwhile: it starts over.
			continue
		case ks.pieces[idx] != pc || errors.Is(rerr, os.ErrClosed):
			// The chunk went away, or its file was closed (open-file
			// limit), while being hashed: h holds part of it, start over.
		case rerr != nil || n != pc.size:
			c.log.Warn("cached chunk unreadable, discarding it", "file", ks.name, "chunk", idx, "read", n, "err", rerr)
			c.removePiece(pc)
		default:
			ks.hashNext++
			continue
		}
		ks.hash, ks.hashNext = nil, 0
		ks.hashGen++
	}
	delete(c.flights, flightID{ks.name, verifyIdx})
	ks.verifying--
	verified := ks.verified && err == nil
	if verified {
		ks.verifying++ // keep ks while making it durable below
	}
	c.forgetIfIdle(ks)
	c.mu.Unlock()
	f.err = err
	close(f.done)
	if verified {
		c.persistVerified(ks)
	}
}

// persistVerified makes a verified file's chunks durable, then writes its
// mark: after a crash, a marked file is trusted without hashing it again.
// Runs after the readers have their verdict, off their path.
func (c *Content) persistVerified(ks *keyState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() {
		ks.verifying--
		c.forgetIfIdle(ks)
	}()
	for idx := range ks.nChunks {
		for ks.verified {
			pc := ks.pieces[idx]
			if pc.synced {
				break
			}
			fh, err := c.pieceFile(pc)
			if err == nil {
				c.mu.Unlock()
				err = fh.Sync()
				c.mu.Lock()
			}
			if errors.Is(err, os.ErrClosed) {
				continue // closed under us: open it again
			}
			if err != nil {
				c.log.Warn("cannot make cached chunk durable; the file stays unmarked", "file", ks.name, "chunk", idx, "err", err)
				return
			}
			if ks.pieces[idx] == pc {
				pc.synced = true
			}
		}
	}
	if ks.verified && c.keys[ks.name] == ks {
		c.markVerified(ks)
	}
}

// verifiedNow records a file checked on arrival and has it made durable
// and marked in the background. Call with c.mu held.
func (c *Content) verifiedNow(ks *keyState) {
	ks.verified = true
	delete(c.failed, ks.name)
	ks.verifying++
	c.wg.Go(func() { c.persistVerified(ks) })
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
