package cache

import (
	"os"
	"time"
)

// Backing is a whole file's cached bytes, held on disk for the kernel to
// read directly (FUSE passthrough): none of its chunks is evicted until
// Release.
type Backing struct {
	c   *Content
	pcs []*piece
	f   *os.File
}

// Verifiable reports whether Backing can ever give k's content: k is valid,
// names an md5 to check the bytes against, and is not empty.
func Verifiable(k Key) bool {
	_, ok := verifiableName(k)
	return ok
}

// verifiableName is the folder name of k's chunks when k is Verifiable.
func verifiableName(k Key) (name string, ok bool) {
	name, md5, err := k.dirName()
	return name, err == nil && md5 != "" && k.Size > 0
}

// Backing returns k's content as one open file when all of it is on disk
// and verified: its md5 matched, and each chunk found at start-up has been
// checked against its CRC-32C since. ok is false otherwise (no md5, not
// all cached, not verified yet): reads go through Hold. The file is the
// data file, with k's bytes at their own offsets. It counts as a read of
// every chunk for the eviction order. Call Release once nothing reads it.
func (c *Content) Backing(k Key) (b *Backing, ok bool) {
	name, ok := verifiableName(k)
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.keys[name]
	if ks == nil || !ks.verified || !ks.complete() {
		return nil, false
	}
	pcs := make([]*piece, 0, len(ks.pieces))
	for idx := range ks.nChunks {
		pc := ks.pieces[idx]
		if pc.gone || (pc.hasCRC && !pc.checked) {
			return nil, false
		}
		pcs = append(pcs, pc)
	}
	f, err := c.pieceFile(pcs[0])
	if err != nil {
		return nil, false
	}
	now := time.Now()
	for _, pc := range pcs {
		pc.hold()
		c.touch(pc, now)
	}
	return &Backing{c: c, pcs: pcs, f: f}, true
}

// File is the open data file: k's bytes at their own offsets. It stays
// open until Release.
func (b *Backing) File() *os.File { return b.f }

// Release lets the chunks go; b must not be used afterwards. Releasing
// again does nothing.
func (b *Backing) Release() {
	if b == nil || b.c == nil {
		return
	}
	b.c.mu.Lock()
	for _, pc := range b.pcs {
		b.c.release(pc)
	}
	b.c.mu.Unlock()
	b.c, b.pcs, b.f = nil, nil, nil
}
