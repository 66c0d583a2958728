package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Held is a read's bytes, in the file's data file on disk, its chunks held
// until Release: a FUSE server can hand them to the kernel by file
// descriptor (File) without copying them through user space.
type Held struct {
	c     *Content
	parts []heldPart
	n     int
}

// heldPart is the bytes [off, off+n) of the data file, in one chunk.
type heldPart struct {
	pc  *piece
	f   *os.File
	off int64
	n   int
}

// Len is the number of bytes held: fewer than asked only at the end of the
// file.
func (h *Held) Len() int { return h.n }

// File returns the open data file holding all the bytes and their offset
// in it (the chunks of a file are ranges of one data file; not for no
// bytes). The file stays open until Release.
func (h *Held) File() (*os.File, int64, bool) {
	if len(h.parts) == 0 {
		return nil, 0, false
	}
	return h.parts[0].f, h.parts[0].off, true
}

// Copy copies the bytes into p, as many as fit, and returns how many.
func (h *Held) Copy(p []byte) (int, error) {
	n := 0
	for _, part := range h.parts {
		if n == len(p) {
			break
		}
		want := min(part.n, len(p)-n)
		m, err := part.f.ReadAt(p[n:n+want], part.off)
		n += m
		if m < want {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, fmt.Errorf("cache: read chunk %d of %s: %w", part.pc.idx, part.pc.ks.name, err)
		}
	}
	return n, nil
}

// Release lets go of the bytes; h must not be used afterwards. Releasing
// again does nothing.
func (h *Held) Release() {
	if h == nil || h.c == nil {
		return
	}
	h.c.mu.Lock()
	for _, part := range h.parts {
		h.c.release(part.pc)
	}
	h.c.mu.Unlock()
	h.c, h.parts = nil, nil
}

// errReadAgain means the bytes a read waited for went away (a chunk
// evicted or discarded, a check to do again): it starts over.
var errReadAgain = errors.New("cache: the chunks being read keep going away")

// maxReadTries bounds how often one read starts over.
const maxReadTries = 4

// goneErr is why a read finds its chunks gone: the failed check that
// discarded them, or errReadAgain. Call with c.mu held.
func goneErr(ks *keyState) error {
	if ks.checkErr != nil {
		return ks.checkErr
	}
	return errReadAgain
}

// Hold returns up to n bytes of k's content at off, held on disk until the
// caller calls Release: fewer only at the end of the file, none at or past
// it. What is not on disk is downloaded with src, once for all concurrent
// readers, with a lead for sequential readers (see plan); the read waits
// only for its own bytes. When ctx ends Hold returns ctx.Err() at once,
// while the downloads go on to fill the cache.
//
// A file with an md5 is checked as its bytes arrive (see runCheck): its
// bytes are served unverified until it is complete; from then on, a read
// waits for the verdict, and fails with an error matching ErrCorrupt if
// the bytes do not match k.MD5 (everything cached of the file is then
// discarded; when none of it had been served, it is fetched again
// instead). A reader is kept at most hashAhead bytes ahead of the check.
func (c *Content) Hold(ctx context.Context, k Key, src Source, off int64, n int) (*Held, error) {
	if off < 0 {
		return nil, fmt.Errorf("cache: read at negative offset %d", off)
	}
	name, md5, err := k.dirName()
	if err != nil {
		return nil, err
	}
	if n <= 0 || off >= k.Size {
		return &Held{}, nil
	}
	end := min(off+int64(n), k.Size)
	for tries := 1; ; tries++ {
		h, err := c.hold(ctx, name, md5, k.Size, src, off, end)
		again := errors.Is(err, errReadAgain) || errors.Is(err, errRefetch)
		if !again || tries >= maxReadTries {
			return h, err
		}
	}
}

// hold is one try of Hold for the bytes [off, end).
func (c *Content) hold(ctx context.Context, name, md5 string, size int64, src Source, off, end int64) (*Held, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.keyState(name, md5, size)
	ks.readers++
	defer func() {
		ks.readers--
		c.forgetIfIdle(ks)
	}()
	for c.paced(ks, off) {
		if err := c.wait(ctx, &ks.hashMoved); err != nil {
			return nil, err
		}
	}
	deps, err := c.fetchFor(ctx, ks, src, off, end)
	if err != nil {
		return nil, err
	}
	cs := c.o.ChunkSize
	var pcs []*piece
	for idx := off / cs; idx*cs < end; idx++ {
		pc := ks.pieces[idx] // made by fetchFor
		if pc == nil {
			return nil, errReadAgain
		}
		pc.hold()
		pcs = append(pcs, pc)
	}
	for _, f := range deps {
		f.waiters++
	}
	served := false
	defer func() {
		for _, f := range deps {
			f.waiters--
		}
		if !served {
			for _, pc := range pcs {
				c.release(pc)
			}
		}
	}()
	for _, pc := range pcs {
		if pc.hasCRC && !pc.checked && !c.checkPiece(pc) {
			return nil, errReadAgain
		}
	}
	if last := pcs[len(pcs)-1]; last.hasCRC {
		c.checkAhead(ks, last.idx+1)
	}
	waited, err := c.waitFor(ctx, ks, deps, pcs, off, end)
	if err != nil {
		return nil, err
	}
	if ks.md5 != "" && !ks.verified && ks.complete() {
		f := c.startCheck(ks)
		c.mu.Unlock()
		err := f.wait(ctx)
		c.mu.Lock()
		switch {
		case err != nil:
			return nil, err
		case !ks.verified:
			return nil, errReadAgain
		}
	}
	if ks.md5 != "" && end == size && !ks.verified && c.failed[name] {
		return nil, fmt.Errorf("cache: %s: a check of the file found it did not match its md5 (its bytes were discarded and are being fetched again): %w", name, ErrCorrupt)
	}
	h := &Held{c: c}
	now := time.Now()
	for i, pc := range pcs {
		if pc.gone {
			return nil, goneErr(ks)
		}
		fh, err := c.pieceFile(pc)
		if err != nil {
			c.log.Warn("cached chunk vanished", "file", name, "chunk", pc.idx, "err", err)
			c.removePiece(pc)
			return nil, errReadAgain
		}
		base := pc.base(cs)
		a, b := max(off, base)-base, min(end, base+pc.size)-base
		h.parts = append(h.parts, heldPart{pc: pc, f: fh, off: base + a, n: int(b - a)})
		h.n += int(b - a)
		c.touch(pc, now)
		if waited[i] {
			c.misses.Add(1)
		} else {
			c.hits.Add(1)
		}
	}
	if ks.md5 != "" && !ks.verified {
		ks.served = true
	}
	served = true
	return h, nil
}

// fetchFor starts what the read of [off, end) needs: the missing bytes it
// asks for, with the reader's lead in the same downloads; or, when those
// are all on their way, the lead alone, as read-ahead, once less than half
// of it is. It returns the downloads the read waits for. Call with c.mu
// held.
func (c *Content) fetchFor(ctx context.Context, ks *keyState, src Source, off, end int64) ([]*flight, error) {
	target := c.plan(ks, off, end)
	from, to := c.roundOut(off, end, ks.size)
	// The lead's end rounded down (never more than the lead), but at least
	// one unit of download when there is a lead.
	aheadFrom, aheadTo := to, target
	if target > to && target < ks.size {
		aheadTo = max(min(to+c.align, ks.size), target/c.align*c.align)
	}
	var deps []*flight
	var err error
	if c.firstMissing(ks, from, to) < to {
		deps, err = c.fetch(ctx, ks, src, from, max(to, aheadTo), false)
	} else {
		deps, err = c.fetch(ctx, ks, src, from, to, false) // only finds the downloads running
		if err == nil && aheadFrom < aheadTo && c.firstMissing(ks, aheadFrom, aheadTo) < end+(target-end)/2 {
			_, err = c.fetch(ctx, ks, src, aheadFrom, aheadTo, true)
		}
	}
	var mine []*flight
	for _, f := range deps {
		if f.from < end && f.to > off {
			mine = append(mine, f)
		}
	}
	return mine, err
}

// firstMissing is the first byte of [from, to) neither on disk nor being
// downloaded, or to. Call with c.mu held.
func (c *Content) firstMissing(ks *keyState, from, to int64) int64 {
	cs := c.o.ChunkSize
	for idx := from / cs; idx*cs < to; idx++ {
		base := idx * cs
		pc := ks.pieces[idx]
		if pc == nil {
			return max(from, base)
		}
		a, b := max(from, base)-base, min(to, base+pc.size)-base
		if g := c.busy(pc).gaps(a, b); len(g) > 0 {
			return base + g[0].from
		}
	}
	return to
}

// waitFor waits until the held chunks pcs have all of [off, end) on disk,
// and reports which ones had to be waited for. It fails with the error of a
// download the read needed, or errReadAgain when the bytes went away or the
// download gave up before the read came (see flight.declined). Call
// with c.mu held; it is released while waiting.
func (c *Content) waitFor(ctx context.Context, ks *keyState, deps []*flight, pcs []*piece, off, end int64) ([]bool, error) {
	cs := c.o.ChunkSize
	waited := make([]bool, len(pcs))
	for {
		done := true
		for i, pc := range pcs {
			base := pc.base(cs)
			a, b := max(off, base)-base, min(end, base+pc.size)-base
			if pc.have.covers(a, b) && !pc.gone {
				continue
			}
			done, waited[i] = false, true
			for _, f := range deps {
				if f.pc == pc && f.finished() && f.err != nil && !errors.Is(f.err, errGone) {
					if f.declined {
						// It failed without retries, for want of a
						// reader: this one's own download retries.
						return nil, errReadAgain
					}
					return nil, f.err
				}
			}
			if pc.gone || !c.onTheWay(pc, a, b) {
				return nil, goneErr(ks)
			}
		}
		if done {
			return waited, nil
		}
		if err := c.wait(ctx, &ks.changed); err != nil {
			return nil, err
		}
	}
}

// onTheWay reports whether all of [a, b) of the chunk is on disk or being
// downloaded. Call with c.mu held.
func (c *Content) onTheWay(pc *piece, a, b int64) bool {
	return len(c.busy(pc).gaps(a, b)) == 0
}

// busy is the chunk's bytes on disk or being downloaded, relative to its
// start. Call with c.mu held.
func (c *Content) busy(pc *piece) ranges {
	r := append(ranges(nil), pc.have...)
	base := pc.base(c.o.ChunkSize)
	for _, f := range pc.flights {
		r.add(f.from-base, f.to-base)
	}
	return r
}

// wait waits until s is raised or ctx ends: ks.changed when something
// changes for a file (bytes arrive, a download or the check ends),
// ks.hashMoved when its check moves on (see notifyHashed). Call with c.mu
// held; it is released meanwhile.
func (c *Content) wait(ctx context.Context, s *signal) error {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	ch := s.ch
	c.mu.Unlock()
	defer c.mu.Lock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// touchEvery is how stale a chunk file's time may get before a read sets it
// again: the exact order of reads is kept in memory and written at Close;
// this only keeps a rough order for a start after a crash.
const touchEvery = time.Minute

// touch records a read of the chunk for the LRU order. Call with c.mu held.
func (c *Content) touch(pc *piece, now time.Time) {
	c.lru.MoveToFront(pc.elem)
	pc.used = now
	if now.Sub(pc.mtime) > touchEvery && pc.path == c.chunkPath(pc.ks.name, pc.idx) {
		pc.mtime = now
		_ = os.Chtimes(pc.path, now, now)
	}
}
