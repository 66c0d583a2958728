package cache

import (
	"container/list"
	"os"
	"path/filepath"
	"strconv"
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
	verifying int              // > 0: a verification reads the chunks, do not evict them
	active    int              // downloads running for this file
	lastEnd   int64            // where the last read ended, to spot sequential reading
}

// piece is one chunk file on disk.
type piece struct {
	ks   *keyState
	idx  int64
	size int64
	elem *list.Element
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
		}
		c.keys[name] = ks
	}
	return ks
}

// addPiece records a chunk file now on disk. Call with c.mu held.
func (c *Content) addPiece(ks *keyState, idx, size int64) {
	if old := ks.pieces[idx]; old != nil {
		c.lru.Remove(old.elem)
		c.onDisk -= old.size
	}
	pc := &piece{ks: ks, idx: idx, size: size}
	pc.elem = c.lru.PushFront(pc)
	ks.pieces[idx] = pc
	c.onDisk += size
}

// removePiece deletes a chunk from the index and the disk; the file loses its
// verified mark first, so a crash never leaves a mark on an incomplete file.
// Readers holding the chunk file open keep reading it. Call with c.mu held.
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
	c.lru.Remove(pc.elem)
	delete(ks.pieces, pc.idx)
	c.onDisk -= pc.size
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
