package cache

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"slices"
)

// hashAhead bounds how far a reader of a file not yet verified may get
// ahead of its check, and so how far downloads run ahead of it: the check
// (md5, the slowest step of a cold read) sets the pace, and the bytes it
// has not hashed yet are still in memory for it (pending) instead of being
// read back from disk.
const hashAhead = 16 << 20

// castagnoli is the CRC-32C table: each chunk of a verified file has one,
// checked when a later run first reads the chunk.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errRefetch tells the readers waiting for a check that failed before any
// byte of the file was served: they read again, and the file is fetched
// anew, once (Content.refetched); a second failure is ErrCorrupt.
var errRefetch = errors.New("cache: cached bytes did not match their md5; fetching them again")

// paced reports whether a read at off must wait for the file's check to
// catch up. Call with c.mu held.
func (c *Content) paced(ks *keyState, off int64) bool {
	return ks.md5 != "" && !ks.verified && ks.check != nil && off > ks.hashNext+hashAhead
}

// offer gives the check a downloaded buffer holding the file's bytes at
// off, with their CRC-32C, if it is about to need them and memory allows:
// it reports whether it kept data. Call with c.mu held.
func (c *Content) offer(ks *keyState, off int64, data []byte, crc uint32) bool {
	if ks.md5 == "" || ks.verified || off < ks.hashNext || off >= ks.hashNext+2*hashAhead ||
		c.pendingBytes+int64(cap(data)) > c.pendingMax {
		return false
	}
	ks.pending = append(ks.pending, pendingBuf{off: off, data: data, crc: crc})
	c.pendingBytes += int64(cap(data))
	return true
}

// dropPending gives the check's buffers back. Call with c.mu held.
func (c *Content) dropPending(ks *keyState) {
	for _, p := range ks.pending {
		c.pendingBytes -= int64(cap(p.data))
		c.mem.reuse(p.data)
	}
	ks.pending = nil
}

// restartHash makes the check start over from the file's first byte (a
// hashed chunk went away). Call with c.mu held.
func (c *Content) restartHash(ks *keyState) {
	ks.hash, ks.crc, ks.hashNext = nil, 0, 0
	ks.hashGen++
	c.dropPending(ks)
}

// startCheck returns the file's check, starting it if none runs. Call with
// c.mu held.
func (c *Content) startCheck(ks *keyState) *flight {
	if ks.check != nil {
		return ks.check
	}
	f := newFlight()
	ks.check = f
	ks.verifying++
	c.wg.Go(func() { c.runCheck(ks, f) })
	return f
}

// kickCheck starts the check of a file with an md5 whose next bytes to hash
// are on disk, if none runs. Call with c.mu held.
func (c *Content) kickCheck(ks *keyState) {
	if ks.md5 == "" || ks.verified || ks.check != nil {
		return
	}
	if _, n := c.nextToHash(ks); n > 0 {
		c.startCheck(ks)
	}
}

// nextToHash finds the bytes at ks.hashNext: the chunk holding them and
// how many are on disk in a row (0: none), up to the end of the chunk.
// Call with c.mu held.
func (c *Content) nextToHash(ks *keyState) (*piece, int64) {
	pc := ks.pieces[ks.hashNext/c.o.ChunkSize]
	if pc == nil {
		return nil, 0
	}
	at := ks.hashNext - pc.base(c.o.ChunkSize)
	return pc, pc.have.reach(at) - at
}

// maxFailed bounds Content.failed.
const maxFailed = 1000

// runCheck hashes the file in order from ks.hashNext as far as its bytes
// are on disk, taking them from the pending buffers of downloads when it
// can and reading them back from disk otherwise, and records each chunk's
// CRC-32C on the way. It returns at the first byte not on disk (its
// arrival starts it again). Once all are hashed it compares: on a match
// the file is verified, made durable and marked; otherwise all of it is
// discarded and the flight's error matches ErrCorrupt (or is errRefetch
// when no byte of it had been served).
func (c *Content) runCheck(ks *keyState, f *flight) {
	var buf []byte
	defer func() {
		if buf != nil {
			c.mem.put(buf)
		}
	}()
	var err error
	c.mu.Lock()
	for !ks.verified {
		if ks.hashNext == ks.size {
			err = c.verdict(ks)
			break
		}
		if ks.hash == nil {
			ks.hash = md5.New()
		}
		pc, n := c.nextToHash(ks)
		if n == 0 {
			ks.checkWaited()
			// The arrival of the bytes starts the check again; buffers
			// kept for it are of no use if none is on its way.
			if pc == nil || !c.onTheWay(pc, ks.hashNext-pc.base(c.o.ChunkSize), ks.hashNext-pc.base(c.o.ChunkSize)+1) {
				c.dropPending(ks)
			}
			break
		}
		if first, whole := c.takePending(ks, n); first.data != nil {
			// With the buffers that follow it, in a row and in the chunk:
			// fewer turns of c.mu, which the readers and downloads want too.
			pieces, wholes := []hashPiece{first}, [][]byte{whole}
			for at, total := ks.hashNext+int64(len(first.data)), int64(len(first.data)); total < hashBatch && total < n; {
				next, w := c.takePendingAt(ks, at, n-total)
				if next.data == nil {
					break
				}
				pieces, wholes = append(pieces, next), append(wholes, w)
				at, total = at+int64(len(next.data)), total+int64(len(next.data))
			}
			c.hashed(ks, pc, pieces...)
			for _, w := range wholes {
				c.mem.reuse(w)
			}
			continue
		}
		n = min(n, c.untilPending(ks))
		fh, ferr := c.pieceFile(pc)
		if ferr != nil {
			c.log.Warn("cached chunk unreadable, discarding it", "file", ks.name, "chunk", pc.idx, "err", ferr)
			c.removePiece(pc)
			continue
		}
		if buf == nil {
			c.mu.Unlock()
			buf = c.mem.get()
			c.mu.Lock()
			continue // things may have moved meanwhile
		}
		data := buf[:min(n, int64(len(buf)))]
		gen, at := ks.hashGen, ks.hashNext
		pc.hold()
		c.mu.Unlock()
		m, rerr := fh.ReadAt(data, at)
		c.mu.Lock()
		c.release(pc)
		switch {
		case gen != ks.hashGen || pc.gone:
			// A hashed chunk, or this one, went away meanwhile: look again.
		case m < len(data):
			c.log.Warn("cached chunk unreadable, discarding it", "file", ks.name, "chunk", pc.idx, "read", m, "err", rerr)
			c.removePiece(pc)
		default:
			c.readBack.Add(int64(m))
			c.hashed(ks, pc, hashPiece{data: data})
		}
	}
	ks.check = nil
	ks.verifying--
	verified := ks.verified && err == nil
	if verified {
		ks.verifying++ // keep ks while making it durable below
	}
	f.err = err
	close(f.done)
	ks.notify()
	c.forgetIfIdle(ks)
	c.mu.Unlock()
	if verified {
		c.persistVerified(ks)
	}
}

// hashPiece is bytes for the check to hash, with their CRC-32C when the
// download computed it (a pending buffer taken whole).
type hashPiece struct {
	data   []byte
	crc    uint32
	hasCRC bool
}

// piece returns the bytes of p from at, with their CRC if that is all of
// them.
func (p pendingBuf) piece(at int64) hashPiece {
	if at == p.off {
		return hashPiece{data: p.data, crc: p.crc, hasCRC: true}
	}
	return hashPiece{data: p.data[at-p.off:]}
}

// takePending returns the bytes at ks.hashNext (at most n of them) from the
// pending buffer holding them, with the whole buffer to reuse afterwards,
// and drops the buffers behind ks.hashNext. Call with c.mu held.
func (c *Content) takePending(ks *keyState, n int64) (taken hashPiece, whole []byte) {
	kept := ks.pending[:0]
	for _, p := range ks.pending {
		end := p.off + int64(len(p.data))
		switch {
		case whole == nil && p.off <= ks.hashNext && ks.hashNext < end && end-ks.hashNext <= n:
			taken, whole = p.piece(ks.hashNext), p.data
			c.pendingBytes -= int64(cap(p.data))
		case end <= ks.hashNext:
			c.pendingBytes -= int64(cap(p.data))
			c.mem.reuse(p.data)
		default:
			kept = append(kept, p)
		}
	}
	clear(ks.pending[len(kept):])
	ks.pending = kept
	return taken, whole
}

// hashBatch is how many bytes of pending buffers the check hashes at one
// turn of c.mu, at most.
const hashBatch = 2 << 20

// takePendingAt returns the bytes at at (at most n of them, to its end)
// from the pending buffer holding them, with the whole buffer, or nothing.
// Call with c.mu held.
func (c *Content) takePendingAt(ks *keyState, at, n int64) (taken hashPiece, whole []byte) {
	for i, p := range ks.pending {
		end := p.off + int64(len(p.data))
		if p.off <= at && at < end && end-at <= n {
			ks.pending = slices.Delete(ks.pending, i, i+1)
			c.pendingBytes -= int64(cap(p.data))
			return p.piece(at), p.data
		}
	}
	return hashPiece{}, nil
}

// untilPending is how many bytes from ks.hashNext come before the first
// pending buffer: what to read from disk before taking that buffer. Call
// with c.mu held.
func (c *Content) untilPending(ks *keyState) int64 {
	n := ks.size - ks.hashNext
	for _, p := range ks.pending {
		if p.off > ks.hashNext {
			n = min(n, p.off-ks.hashNext)
		}
	}
	return n
}

// hashed adds pieces, the bytes at ks.hashNext in chunk pc in a row, to
// the file's md5 and the chunk's CRC-32C (combining the CRCs the downloads
// computed), recording the CRC at the chunk's end. Call with c.mu held;
// the hashing itself runs without it (only runCheck changes hashNext and
// the hash state).
func (c *Content) hashed(ks *keyState, pc *piece, pieces ...hashPiece) {
	h, crc, gen := ks.hash, ks.crc, ks.hashGen
	c.mu.Unlock()
	var n int64
	for _, p := range pieces {
		h.Write(p.data)
		if p.hasCRC {
			crc = crc32cCombine(crc, p.crc, int64(len(p.data)))
		} else {
			crc = crc32.Update(crc, castagnoli, p.data)
		}
		n += int64(len(p.data))
	}
	c.mu.Lock()
	if gen != ks.hashGen || pc.gone {
		return // started over meanwhile
	}
	ks.hashNext += n
	ks.crc = crc
	ks.hashedWithoutWaiting(n)
	if ks.hashNext == pc.base(c.o.ChunkSize)+pc.size {
		pc.crc, pc.hasCRC, pc.checked = crc, true, true
		ks.crc = 0
	}
	ks.notifyHashed()
}

// verdict compares the hash of the whole file with its md5: the file is
// verified, or discarded. Call with c.mu held.
func (c *Content) verdict(ks *keyState) error {
	got := hex.EncodeToString(ks.hash.Sum(nil))
	if got == ks.md5 {
		ks.verified = true
		delete(c.failed, ks.name)
		delete(c.refetched, ks.name)
		return nil
	}
	c.verifyFailures.Add(1)
	c.log.Error("cached file does not match its md5, discarding it", "file", ks.name, "md5", got)
	served := ks.served
	c.discard(ks)
	if !served && !c.refetched[ks.name] {
		remember(c.refetched, ks.name)
		ks.checkErr = errRefetch
	} else {
		remember(c.failed, ks.name)
		ks.checkErr = fmt.Errorf("cache: %s: cached bytes have md5 %s: %w", ks.name, got, ErrCorrupt)
	}
	return ks.checkErr
}

// remember adds name to a set of file names bounded by maxFailed.
func remember(set map[string]bool, name string) {
	if len(set) >= maxFailed {
		clear(set)
	}
	set[name] = true
}

// persistVerified makes a verified file's chunks durable, then writes its
// mark with their CRCs: after a crash, a marked file is trusted without
// hashing it again (each chunk is checked against its CRC on its first
// read). Runs after the readers have their verdict, off their path.
func (c *Content) persistVerified(ks *keyState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() {
		ks.verifying--
		c.forgetIfIdle(ks)
	}()
	crcs := make([]uint32, ks.nChunks)
	synced := false // the data file, through one of its chunks: one fsync makes all durable
	for idx := range ks.nChunks {
		for ks.verified {
			pc := ks.pieces[idx]
			crcs[idx] = pc.crc
			if pc.synced || synced {
				pc.synced = true
				break
			}
			fh, err := c.pieceFile(pc)
			if err == nil {
				pc.hold()
				c.mu.Unlock()
				err = fh.Sync()
				c.mu.Lock()
				c.release(pc)
			}
			if err != nil {
				c.log.Warn("cannot make cached chunk durable; the file stays unmarked", "file", ks.name, "chunk", idx, "err", err)
				return
			}
			if ks.pieces[idx] == pc {
				pc.synced, synced = true, true
			}
		}
	}
	if ks.verified && c.keys[ks.name] == ks {
		if err := writeMark(c.keyDir(ks.name), c.o.ChunkSize, crcs); err != nil {
			c.log.Warn("cannot record verified mark", "file", ks.name, "err", err)
		}
	}
}

// discard removes every chunk of a file and forgets how much of it was
// hashed and served. Its data file is unlinked, not emptied: readers
// holding chunks finish with the bytes they hold, and downloads still
// running write into it harmlessly; the file is fetched anew into a new
// data file. Call with c.mu held.
func (c *Content) discard(ks *keyState) {
	c.unmarkVerified(ks)
	for _, pc := range ks.pieces {
		if pc.path != "" {
			if err := os.Remove(pc.path); err != nil && !os.IsNotExist(err) {
				c.log.Warn("remove chunk marker", "file", ks.name, "chunk", pc.idx, "err", err)
			}
		}
		c.dropPiece(pc)
	}
	if err := os.Remove(c.dataPath(ks.name)); err != nil && !os.IsNotExist(err) {
		c.log.Warn("remove cached file", "file", ks.name, "err", err)
	}
	c.restartHash(ks)
	ks.served = false
	c.forgetIfIdle(ks)
}
