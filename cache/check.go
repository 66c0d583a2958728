package cache

import (
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// checkPiece checks a chunk of a verified file found at start-up against
// the CRC-32C its mark recorded, before the chunk's first read: a chunk
// that rotted on disk is never served. On a mismatch the whole file is
// discarded (and fetched again by the reader); it returns false. The
// caller holds pc. Call with c.mu held; it is released while reading.
func (c *Content) checkPiece(pc *piece) bool {
	for !pc.checked && !pc.gone {
		if pc.checking != nil { // another reader checks it
			ch := pc.checking
			c.mu.Unlock()
			<-ch
			c.mu.Lock()
			continue
		}
		fh, err := c.pieceFile(pc)
		ch := make(chan struct{})
		pc.checking = ch
		c.mu.Unlock()
		var crc uint32
		if err == nil {
			buf := c.mem.get()
			crc, err = crcOf(fh, pc.base(c.o.ChunkSize), pc.size, buf)
			c.mem.put(buf)
		}
		c.mu.Lock()
		pc.checking = nil
		close(ch)
		if err == nil && crc == pc.crc {
			pc.checked = true
			break
		}
		if err == nil {
			err = fmt.Errorf("CRC-32C %08x, want %08x", crc, pc.crc)
		}
		c.verifyFailures.Add(1)
		c.log.Error("cached chunk does not match its file's mark, discarding the file", "file", pc.ks.name, "chunk", pc.idx, "err", err)
		c.discard(pc.ks)
	}
	return pc.checked && !pc.gone
}

// checkAheadChunks is how many chunks after a read are checked in the
// background, ahead of a sequential reader.
const checkAheadChunks = 4

// checkAhead checks, in the background, the chunks after idx of a file
// found at start-up that are not checked yet, so that a sequential reader
// finds them checked instead of waiting for each. One such walk runs per
// file at a time. Call with c.mu held.
func (c *Content) checkAhead(ks *keyState, idx int64) {
	if ks.checkingAhead {
		return
	}
	var todo []*piece
	for i := idx; i < idx+checkAheadChunks && i < ks.nChunks; i++ {
		if pc := ks.pieces[i]; pc != nil && pc.hasCRC && !pc.checked && pc.checking == nil {
			pc.hold()
			todo = append(todo, pc)
		}
	}
	if len(todo) == 0 {
		return
	}
	ks.checkingAhead = true
	ks.verifying++ // keeps ks while the walk runs
	c.wg.Go(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, pc := range todo {
			c.checkPiece(pc)
			c.release(pc)
		}
		ks.checkingAhead = false
		ks.verifying--
		c.forgetIfIdle(ks)
	})
}

// crcOf is the CRC-32C of the n bytes of f at from, which must have them,
// read through buf.
func crcOf(f *os.File, from, n int64, buf []byte) (uint32, error) {
	var crc uint32
	for off := from; off < from+n; {
		m, err := f.ReadAt(buf[:min(int64(len(buf)), from+n-off)], off)
		crc = crc32.Update(crc, castagnoli, buf[:m])
		off += int64(m)
		if err != nil && off < from+n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return crc, err
		}
	}
	return crc, nil
}
