package cache

import (
	"container/list"
	"hash"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
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
	verifying int              // > 0: the check (hashing) or its persisting runs
	active    int              // downloads running for this file
	readers   int              // reads in progress
	check     *flight          // the check running, or nil
	// checkingAhead: chunks found at start-up are being checked in the
	// background ahead of a reader (see checkAhead).
	checkingAhead bool

	// changed is raised whenever bytes arrive, downloads end or the check
	// ends: the readers waiting on it look again. Readers held back by the
	// check (paced) wait on hashMoved instead, raised when the check has
	// moved on by hashWakeStep (or ends): the check then wakes only them,
	// and seldom, and downloads never do.
	changed    signal
	hashMoved  signal
	hashWokeAt int64 // hashNext when hashMoved was last raised

	// The check hashes the file in order as its bytes arrive: hash holds
	// the md5 state of [0, hashNext) and crc the CRC-32C of the part of
	// the current chunk below hashNext. Removing a hashed chunk starts it
	// over (hashGen tells a running hasher). pending holds downloaded
	// buffers not yet hashed, so that they need not be read back from disk.
	hash     hash.Hash
	crc      uint32
	hashNext int64
	hashGen  int
	pending  []pendingBuf

	// served records that bytes were handed to readers while the file was
	// not verified: if its check fails, those readers must be told
	// (ErrCorrupt); otherwise the file is simply fetched again.
	served bool
	// checkErr is the verdict of a failed check, for readers that find the
	// file's chunks gone before they wait for it; new bytes clear it.
	checkErr error

	// Sequential reading: where the last read ended, the bytes read in a
	// row so far, and how many reads in a row were not sequential.
	lastEnd int64
	seq     int64
	random  int

	// raRunning counts the file's read-ahead downloads, and raWanted
	// bounds them while the file is checked: see checkWaited and
	// hashedWithoutWaiting. hashedInRow counts the bytes hashed since the
	// check last waited for bytes.
	raRunning, raWanted int
	hashedInRow         int64
}

// pendingBuf is a downloaded buffer of the file's bytes at off, kept for
// the hasher.
type pendingBuf struct {
	off  int64
	data []byte
	crc  uint32 // CRC-32C of data, computed by the download
}

// piece is one chunk of a file on disk, complete or being filled: a range
// of the file's data file, named by an empty marker once complete.
type piece struct {
	ks     *keyState
	idx    int64
	size   int64  // the chunk's full length
	have   ranges // the bytes on disk, relative to the chunk's start
	path   string // its marker once complete and named, "" until then
	elem   *list.Element
	fh     *os.File // the data file open for this chunk, or nil; in Content.fds
	fdElem *list.Element
	// refs counts readers holding the chunk (waiting for bytes, or until
	// Release) and downloads writing it: such a chunk is neither evicted
	// nor closed, and a removed one is closed when the last lets go.
	refs    int
	gone    bool      // removed from the index (evicted or discarded)
	flights []*flight // downloads running into it
	used    time.Time // last read (or written), for the LRU order persisted at Close
	mtime   time.Time // the time last set on disk, roughly
	synced  bool      // known durable (fsync'd, or found after a clean shutdown)
	// crc is the chunk's CRC-32C once the file is verified; a chunk found
	// at start-up is checked against it on its first read (checked false).
	crc      uint32
	hasCRC   bool
	checked  bool
	checking chan struct{} // closed when a check of the chunk ends
}

func (pc *piece) complete() bool { return pc.have.covers(0, pc.size) }

// base is the file offset of the chunk's first byte.
func (pc *piece) base(cs int64) int64 { return pc.idx * cs }

func (ks *keyState) complete() bool {
	if int64(len(ks.pieces)) != ks.nChunks {
		return false
	}
	for _, pc := range ks.pieces {
		if !pc.complete() {
			return false
		}
	}
	return true
}

// notify wakes every reader waiting on the file, paced ones included. Call
// with c.mu held.
func (ks *keyState) notify() {
	ks.notifyArrival()
	ks.wakePaced()
}

// notifyArrival wakes the readers waiting for bytes (not the paced ones:
// an arrival never lets them go on). Call with c.mu held.
func (ks *keyState) notifyArrival() { ks.changed.raise() }

// signal wakes all the readers waiting on it (Content.wait) each time it is
// raised; raised with none waiting, it costs nothing. Guarded by Content.mu.
type signal struct {
	ch chan struct{} // made by the first reader to wait since the last raise
}

// raise wakes the readers waiting on s. Call with c.mu held.
func (s *signal) raise() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// hashWakeStep is how far the check moves on between wake-ups of the
// readers it paces: waking them at every buffer hashed would cost more
// than the hashing (they run, find they must still wait, and sleep again).
const hashWakeStep = 1 << 20

// notifyHashed wakes the paced readers once the check has moved on by
// hashWakeStep since it last did, or has hashed the whole file. Call with
// c.mu held.
func (ks *keyState) notifyHashed() {
	if ks.hashNext-ks.hashWokeAt >= hashWakeStep || ks.hashNext < ks.hashWokeAt || ks.hashNext == ks.size {
		ks.wakePaced()
	}
}

// wakePaced wakes the readers held back by the check. Call with c.mu held.
func (ks *keyState) wakePaced() {
	ks.hashWokeAt = ks.hashNext
	ks.hashMoved.raise()
}

func (c *Content) keyDir(name string) string { return filepath.Join(c.root, name) }

// dataName is the file in a file's folder that holds its cached bytes at
// their offsets (sparse where nothing is cached).
const dataName = "data"

func (c *Content) dataPath(name string) string { return filepath.Join(c.root, name, dataName) }

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
			name:     name,
			md5:      md5,
			size:     size,
			nChunks:  (size + c.o.ChunkSize - 1) / c.o.ChunkSize,
			pieces:   map[int64]*piece{},
			raWanted: maxReadAhead,
		}
		c.keys[name] = ks
	}
	return ks
}

// addPiece records a chunk file, with have its bytes on disk and fh open
// on it or nil. Call with c.mu held.
func (c *Content) addPiece(ks *keyState, idx int64, have ranges, path string, fh *os.File, mtime time.Time, synced bool) *piece {
	if old := ks.pieces[idx]; old != nil {
		c.dropPiece(old)
	}
	pc := &piece{ks: ks, idx: idx, size: c.chunkLen(ks.size, idx), have: have, path: path,
		used: mtime, mtime: mtime, synced: synced}
	pc.elem = c.lru.PushFront(pc)
	ks.pieces[idx] = pc
	c.onDisk += have.size()
	if fh != nil {
		c.keepOpen(pc, fh)
	}
	return pc
}

// dropPiece forgets a chunk in the index (not on disk); its file is closed
// once no one holds it. Call with c.mu held.
func (c *Content) dropPiece(pc *piece) {
	if pc.gone {
		return
	}
	ks := pc.ks
	pc.gone = true
	c.lru.Remove(pc.elem)
	if ks.pieces[pc.idx] == pc {
		delete(ks.pieces, pc.idx)
	}
	c.onDisk -= pc.have.size()
	if pc.refs == 0 {
		c.closeFile(pc)
	}
	if pc.idx*c.o.ChunkSize < ks.hashNext {
		c.restartHash(ks)
	}
	ks.notify()
}

// removePiece deletes a chunk from the index and the disk; the file loses its
// verified mark first, so a crash never leaves a mark on an incomplete file.
// A chunk no one holds has its bytes punched out of the data file. One
// still held (readers, downloads) takes the whole file with it (discard):
// the data file is unlinked, so that its holders finish with the bytes
// they hold while the file is fetched anew into a new one, which late
// writes of old downloads never reach. Call with c.mu held.
func (c *Content) removePiece(pc *piece) {
	ks := pc.ks
	if pc.refs > 0 && len(pc.have) > 0 {
		c.discard(ks)
		return
	}
	c.unmarkVerified(ks)
	if pc.path != "" {
		if err := os.Remove(pc.path); err != nil && !os.IsNotExist(err) {
			c.log.Warn("remove chunk marker", "file", ks.name, "chunk", pc.idx, "err", err)
		}
	}
	if len(pc.have) > 0 {
		if err := c.punch(pc); err != nil {
			c.log.Warn("cannot free a cached chunk's space; dropping its whole file", "file", ks.name, "chunk", pc.idx, "err", err)
			c.discard(ks)
			return
		}
	}
	c.dropPiece(pc)
	c.forgetIfIdle(ks)
}

// unmarkVerified takes the verified mark off a file about to lose bytes.
// Call with c.mu held.
func (c *Content) unmarkVerified(ks *keyState) {
	if !ks.verified {
		return
	}
	ks.verified = false
	if err := os.Remove(markPath(c.keyDir(ks.name))); err != nil && !os.IsNotExist(err) {
		c.log.Warn("remove verified mark", "file", ks.name, "err", err)
	}
}

// punch frees a chunk's bytes in the data file (a hole reads as zeros and
// takes no space). Call with c.mu held, on a chunk no one holds.
func (c *Content) punch(pc *piece) error {
	fh, err := os.OpenFile(c.dataPath(pc.ks.name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer fh.Close()
	return unix.Fallocate(int(fh.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, pc.base(c.o.ChunkSize), pc.size)
}

// hold takes a reference on a chunk. Call with c.mu held.
func (pc *piece) hold() { pc.refs++ }

// release lets go of a chunk: a removed one is closed when the last
// reference goes, and one over the bound may now be evicted. Call with c.mu
// held.
func (c *Content) release(pc *piece) {
	pc.refs--
	if pc.refs > 0 {
		return
	}
	if pc.gone {
		c.closeFile(pc)
		c.forgetIfIdle(pc.ks)
		return
	}
	c.trimOpen(nil)
	c.evict()
}

// forgetIfIdle drops a file with no chunk and no work running from the index
// and removes its folder. Call with c.mu held.
func (c *Content) forgetIfIdle(ks *keyState) {
	if len(ks.pieces) > 0 || ks.active > 0 || ks.verifying > 0 || ks.readers > 0 || c.keys[ks.name] != ks {
		return
	}
	c.dropPending(ks)
	delete(c.keys, ks.name)
	_ = os.Remove(c.dataPath(ks.name)) // its holders, if any, keep reading what they hold
	_ = os.Remove(c.keyDir(ks.name))   // fails harmlessly if something else is in it
}

// maxOpenFiles bounds the chunk files kept open for reading; chunks in use
// stay open beyond it.
const maxOpenFiles = 64

// pieceFile returns the data file open for the chunk, opening it if needed
// (for writing too while the chunk is being filled), and marks it recently
// used among the open ones. Offsets in it are the file's own. Call with
// c.mu held (eviction cannot unlink it first).
func (c *Content) pieceFile(pc *piece) (*os.File, error) {
	if pc.fh != nil {
		c.fds.MoveToFront(pc.fdElem)
		return pc.fh, nil
	}
	flag := os.O_RDONLY
	if !pc.complete() {
		flag = os.O_RDWR | os.O_CREATE
	}
	fh, err := os.OpenFile(c.dataPath(pc.ks.name), flag, 0o600)
	if err != nil {
		return nil, err
	}
	c.keepOpen(pc, fh)
	return fh, nil
}

// keepOpen records fh as pc's open file, closing the least recently used
// open chunk files not in use beyond maxOpenFiles. Call with c.mu held.
func (c *Content) keepOpen(pc *piece, fh *os.File) {
	c.closeFile(pc)
	pc.fh = fh
	pc.fdElem = c.fds.PushFront(pc)
	c.trimOpen(pc)
}

// trimOpen closes the least recently used open chunk files beyond
// maxOpenFiles, except those in use and keep. Call with c.mu held.
func (c *Content) trimOpen(keep *piece) {
	for e := c.fds.Back(); e != nil && c.fds.Len() > maxOpenFiles; {
		prev := e.Prev()
		if old := e.Value.(*piece); old.refs == 0 && old != keep {
			c.closeFile(old)
		}
		e = prev
	}
}

// closeFile closes pc's open file, if any. Call with c.mu held, and only
// when no one holds pc (or at Close).
func (c *Content) closeFile(pc *piece) {
	if pc.fh == nil {
		return
	}
	pc.fh.Close()
	c.fds.Remove(pc.fdElem)
	pc.fh, pc.fdElem = nil, nil
}
