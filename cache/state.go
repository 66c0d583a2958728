package cache

import (
	"container/list"
	"crypto/md5"
	"hash"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// keyState is what the index knows of one file's cached chunks. Guarded by
// Content.mu.
type keyState struct {
	name      string
	md5       string // "" when not verifiable
	size      int64
	nChunks   int64
	pieces    map[int64]*piece // by chunk index
	verified  bool             // all chunks present and matching md5
	verifying int              // > 0: the check (hashing) runs
	active    int              // downloads running for this file

	// The check hashes chunks in order as they arrive: hash holds the md5
	// state of chunks [0, hashNext). Removing one of those chunks starts it
	// over (hashGen tells a running hasher).
	hash     hash.Hash
	hashNext int64
	hashGen  int

	// Sequential reading: where the last read ended, the chunk whose middle
	// last grew the window, and how many chunks ahead to download.
	lastEnd int64
	grownAt int64
	window  int64
}

// piece is one chunk file on disk.
type piece struct {
	ks     *keyState
	idx    int64
	size   int64
	elem   *list.Element // in Content.lru
	fh     *os.File      // open, or nil; in Content.fds
	fdElem *list.Element
	used   time.Time // last read (or written), for the LRU order persisted at Close
	mtime  time.Time // the time last set on disk, roughly
	synced bool      // known durable (fsync'd, or found after a clean shutdown)
}

func (ks *keyState) complete() bool { return int64(len(ks.pieces)) == ks.nChunks }

func (c *Content) keyDir(name string) string { return filepath.Join(c.root, name) }

func (c *Content) chunkPath(name string, idx int64) string {
	return filepath.Join(c.root, name, strconv.FormatInt(idx*c.o.ChunkSize, 10))
}

// chunkLen is the length of chunk idx of a file of size bytes.
func (c *Content) chunkLen(size, idx int64) int64 {
	return min(c.o.ChunkSize, size-idx*c.o.ChunkSize)
}

// keyState returns the index entry of a file, making it if needed. Call with
// c.mu held.
func (c *Content) keyState(name, md5 string, size int64) *keyState {
	ks := c.keys[name]
	if ks == nil {
		ks = &keyState{
			name:    name,
			md5:     md5,
			size:    size,
			nChunks: (size + c.o.ChunkSize - 1) / c.o.ChunkSize,
			pieces:  map[int64]*piece{},
			grownAt: -1,
		}
		c.keys[name] = ks
	}
	return ks
}

// addPiece records a chunk file now on disk, with fh open on it or nil.
// Call with c.mu held.
func (c *Content) addPiece(ks *keyState, idx, size int64, fh *os.File, mtime time.Time, synced bool) {
	if old := ks.pieces[idx]; old != nil {
		c.dropPiece(old)
	}
	pc := &piece{ks: ks, idx: idx, size: size, used: mtime, mtime: mtime, synced: synced}
	pc.elem = c.lru.PushFront(pc)
	ks.pieces[idx] = pc
	c.onDisk += size
	if fh != nil {
		c.keepOpen(pc, fh)
	}
}

// dropPiece forgets a chunk in the index (not on disk). Call with c.mu held.
func (c *Content) dropPiece(pc *piece) {
	ks := pc.ks
	c.closeFile(pc)
	c.lru.Remove(pc.elem)
	delete(ks.pieces, pc.idx)
	c.onDisk -= pc.size
	if pc.idx < ks.hashNext {
		ks.hash, ks.hashNext = nil, 0
		ks.hashGen++
	}
}

// removePiece deletes a chunk from the index and the disk; the file loses its
// verified mark first, so a crash never leaves a mark on an incomplete file.
// Readers already reading the chunk finish (or see os.ErrClosed and look
// again). Call with c.mu held.
func (c *Content) removePiece(pc *piece) {
	ks := pc.ks
	if ks.verified {
		ks.verified = false
		if err := os.Remove(filepath.Join(c.keyDir(ks.name), markerName)); err != nil && !os.IsNotExist(err) {
			c.log.Warn("remove verified mark", "file", ks.name, "err", err)
		}
	}
	if err := os.Remove(c.chunkPath(ks.name, pc.idx)); err != nil && !os.IsNotExist(err) {
		c.log.Warn("remove chunk", "file", ks.name, "chunk", pc.idx, "err", err)
	}
	c.dropPiece(pc)
	c.forgetIfIdle(ks)
}

// forgetIfIdle drops a file with no chunk and no work running from the index
// and removes its folder. Call with c.mu held.
func (c *Content) forgetIfIdle(ks *keyState) {
	if len(ks.pieces) > 0 || ks.active > 0 || ks.verifying > 0 || c.keys[ks.name] != ks {
		return
	}
	delete(c.keys, ks.name)
	_ = os.Remove(c.keyDir(ks.name)) // fails harmlessly if something else is in it
}

// maxOpenFiles bounds the chunk files kept open for reading.
const maxOpenFiles = 64

// pieceFile returns an open file of the chunk, opening it if needed, and
// marks it recently used among the open ones. Call with c.mu held (eviction
// cannot unlink it first).
func (c *Content) pieceFile(pc *piece) (*os.File, error) {
	if pc.fh != nil {
		c.fds.MoveToFront(pc.fdElem)
		return pc.fh, nil
	}
	fh, err := os.Open(c.chunkPath(pc.ks.name, pc.idx))
	if err != nil {
		return nil, err
	}
	c.keepOpen(pc, fh)
	return fh, nil
}

// keepOpen records fh as pc's open file, closing the least recently used
// open chunk file beyond maxOpenFiles. Call with c.mu held.
func (c *Content) keepOpen(pc *piece, fh *os.File) {
	c.closeFile(pc)
	pc.fh = fh
	pc.fdElem = c.fds.PushFront(pc)
	for c.fds.Len() > maxOpenFiles {
		c.closeFile(c.fds.Back().Value.(*piece))
	}
}

// closeFile closes pc's open file, if any. A read running on it finishes;
// later ones get os.ErrClosed. Call with c.mu held.
func (c *Content) closeFile(pc *piece) {
	if pc.fh == nil {
		return
	}
	pc.fh.Close()
	c.fds.Remove(pc.fdElem)
	pc.fh, pc.fdElem = nil, nil
}

// newHash starts the in-order hash of a file. Call with c.mu held.
func newHash() hash.Hash { return md5.New() }
