package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"
)

// fetchAlign is the granularity of downloads: ranges are rounded out to it
// (within the file), so that the kernel's page-aligned reads find whole
// ranges.
const fetchAlign = 64 << 10

// errGone ends a download whose chunk was removed under it (evicted while
// no reader held it, or discarded after a failed check).
var errGone = errors.New("the chunk was removed while being downloaded")

// fetch makes sure the bytes [from, to) of the file are on disk or on their
// way: it starts downloads, cut at chunk boundaries, for the parts that are
// neither. It returns the downloads running that overlap [from, to). A
// read-ahead download takes one of raSlots, and none starts without one
// (nor beyond what the file's check wants, see calmAfter).
// Call with c.mu held.
func (c *Content) fetch(ctx context.Context, ks *keyState, src Source, from, to int64, readAhead bool) ([]*flight, error) {
	cs := c.o.ChunkSize
	var deps []*flight
	for idx := from / cs; idx*cs < to; idx++ {
		pc := ks.pieces[idx]
		if pc == nil {
			var err error
			if pc, err = c.newPiece(ks, idx); err != nil {
				return deps, err
			}
		}
		base := pc.base(cs)
		a, b := max(from, base)-base, min(to, base+pc.size)-base
		for _, f := range pc.flights {
			if f.from-base < b && f.to-base > a {
				deps = append(deps, f)
			}
		}
		gaps := c.busy(pc).gaps(a, b)
		if len(gaps) == 0 {
			continue
		}
		if _, err := c.pieceFile(pc); err != nil { // closed for the open-file limit, and now unopenable
			c.removePiece(pc)
			return deps, fmt.Errorf("cache: reopen chunk %d of %s: %w", idx, ks.name, err)
		}
		for _, g := range gaps {
			if readAhead && !c.takeReadAheadSlot(ks) {
				// Enough read-ahead running: later reads go on.
				if len(pc.have) == 0 && len(pc.flights) == 0 && pc.refs == 0 {
					c.removePiece(pc) // made for nothing
				}
				return deps, nil
			}
			deps = append(deps, c.startDownload(ctx, ks, pc, src, base+g.from, base+g.to, readAhead))
		}
	}
	return deps, nil
}

// takeReadAheadSlot takes one of raSlots for a read-ahead download of the
// file, unless the file has all its check wants or none is free. Call with
// c.mu held.
func (c *Content) takeReadAheadSlot(ks *keyState) bool {
	if ks.readAheadFull() {
		return false
	}
	select {
	case c.raSlots <- struct{}{}:
		ks.raRunning++
		return true
	default:
		return false
	}
}

// newPiece makes a chunk about to be filled in the file's data file (made
// if needed); it has no marker until it is complete. Call with c.mu held.
func (c *Content) newPiece(ks *keyState, idx int64) (*piece, error) {
	dir := c.keyDir(ks.name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: make folder for %s: %w", ks.name, err)
	}
	fh, err := os.OpenFile(c.dataPath(ks.name), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache: open data file for chunk %d of %s: %w", idx, ks.name, err)
	}
	return c.addPiece(ks, idx, nil, "", fh, time.Now(), false), nil
}

// tmpPrefix starts the names of files being written (marks); a start-up
// scan removes them.
const tmpPrefix = ".tmp-"

// startDownload runs the download of [from, to) into pc. It keeps ctx's
// values but not its cancellation: readers may leave, the download goes on
// to fill the cache (without retries, see Wanted). Call with c.mu held.
func (c *Content) startDownload(ctx context.Context, ks *keyState, pc *piece, src Source, from, to int64, readAhead bool) *flight {
	f := newFlight()
	f.pc, f.from, f.to, f.pos, f.readAhead = pc, from, to, from, readAhead
	pc.flights = append(pc.flights, f)
	pc.hold()
	ks.active++
	fh := pc.fh // open while held
	ctx = context.WithValue(context.WithoutCancel(ctx), wantedKey{}, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if f.waiters == 0 {
			f.declined = true
		}
		return f.waiters > 0
	})
	c.wg.Go(func() {
		err := c.stream(ctx, ks, f, fh, src)
		if err != nil && !errors.Is(err, errGone) {
			err = fmt.Errorf("cache: fetch bytes %d to %d of %s: %w", from, to, ks.name, err)
			c.log.Warn("download failed", "file", ks.name, "from", from, "to", to, "err", err)
		}
		c.finishDownload(ks, f, err)
	})
	return f
}

// stream copies the download's body into the chunk file as it arrives,
// buffer by buffer, letting readers and the check know of every one. A body
// of any other length than asked is an error; the bytes written before a
// failure stay.
func (c *Content) stream(ctx context.Context, ks *keyState, f *flight, fh *os.File, src Source) error {
	if src == nil {
		return errors.New("no source to download from")
	}
	buf := c.mem.get() // first: the budget bounds the downloads running
	defer func() { c.mem.put(buf) }()
	ctx, cancel := context.WithTimeout(ctx, c.o.FetchTimeout)
	defer cancel()
	body, err := src(ctx, f.from, f.to-f.from)
	if err != nil {
		return err
	}
	if body == nil {
		return errors.New("source returned no body")
	}
	defer body.Close()
	for pos := f.from; pos < f.to; {
		want := min(int64(len(buf)), f.to-pos)
		// Buffers end on multiples of their size, as a download from
		// mid-buffer otherwise would not: whole aligned writes let the
		// kernel keep the data file in large pages, which the readers of
		// a cached file copy from faster (a warm cat of 1 GiB: 3% faster).
		if edge := (pos/int64(len(buf)) + 1) * int64(len(buf)); edge < pos+want {
			want = edge - pos
		}
		if want < int64(len(buf)) && pos+want == f.to {
			want++ // the last buffer: one byte more shows a body longer than asked before it is written
		}
		n, err := io.ReadFull(body, buf[:want])
		c.fetched.Add(int64(n))
		if err == nil && pos+int64(n) == f.to {
			// The last bytes fill the buffer: one byte more shows a body
			// longer than asked before they are written.
			var extra [1]byte
			if m, _ := io.ReadFull(body, extra[:]); m > 0 {
				n++
			}
		}
		if pos+int64(n) > f.to {
			c.unwrite(f)
			return fmt.Errorf("body longer than the %d bytes asked (range ignored?)", f.to-f.from)
		}
		if n > 0 {
			var crc uint32
			if ks.md5 != "" { // for the check: see pendingBuf and crc32c.go
				crc = crc32.Checksum(buf[:n], castagnoli)
			}
			if _, werr := fh.WriteAt(buf[:n], pos); werr != nil {
				return fmt.Errorf("write chunk file: %w", werr)
			}
			kept, gone := c.arrived(ks, f, pos, buf[:n], crc)
			if gone {
				return errGone
			}
			if kept {
				c.mem.detach()
				buf = c.mem.get()
			}
			pos += int64(n)
		}
		switch {
		case (err == io.EOF || err == io.ErrUnexpectedEOF) && pos == f.to:
			return nil // the extra byte asked for the last buffer is not there: good
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return fmt.Errorf("short body, %d of %d bytes: %w", pos-f.from, f.to-f.from, io.ErrUnexpectedEOF)
		case err != nil:
			return fmt.Errorf("read body after %d of %d bytes: %w", pos-f.from, f.to-f.from, err)
		}
	}
	var extra [1]byte
	if m, _ := io.ReadFull(body, extra[:]); m > 0 {
		c.unwrite(f)
		return fmt.Errorf("body longer than the %d bytes asked (range ignored?)", f.to-f.from)
	}
	return nil
}

// unwrite forgets the bytes a download wrote: its body proved wrong (a
// Source ignoring the range), so later readers fetch them again. Takes
// c.mu.
func (c *Content) unwrite(f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := f.pc
	if pc.gone {
		return
	}
	base := pc.base(c.o.ChunkSize)
	before := pc.have.size()
	pc.have.remove(f.from-base, f.pos-base)
	c.onDisk -= before - pc.have.size()
	if f.from < pc.ks.hashNext {
		c.restartHash(pc.ks)
	}
}

// arrived records n bytes written at pos, whose CRC-32C is crc: readers
// waiting for them are woken, the check may take the buffer (kept: the
// downloader needs another) and is started if it can go on. gone means the
// chunk was removed: the download stops. Takes c.mu.
func (c *Content) arrived(ks *keyState, f *flight, pos int64, data []byte, crc uint32) (kept, gone bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := f.pc
	if pc.gone {
		return false, true
	}
	base := pc.base(c.o.ChunkSize)
	before := pc.have.size()
	pc.have.add(pos-base, pos-base+int64(len(data)))
	c.onDisk += pc.have.size() - before
	f.pos = pos + int64(len(data))
	pc.used = time.Now()
	ks.checkErr = nil
	kept = c.offer(ks, pos, data, crc)
	c.kickCheck(ks)
	ks.notifyArrival()
	c.evict()
	return kept, false
}

// finishDownload ends a download: a chunk now complete gets its final name,
// a file now complete gets checked, and the readers learn the outcome.
func (c *Content) finishDownload(ks *keyState, f *flight, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := f.pc
	for i, g := range pc.flights {
		if g == f {
			pc.flights = append(pc.flights[:i], pc.flights[i+1:]...)
			break
		}
	}
	ks.active--
	if f.readAhead {
		<-c.raSlots
		ks.raRunning--
	}
	f.err = err
	close(f.done)
	switch {
	case pc.gone:
	case pc.complete():
		c.nameChunk(pc)
		if ks.md5 != "" && !ks.verified && ks.complete() {
			c.startCheck(ks)
		}
	case len(pc.have) == 0 && len(pc.flights) == 0:
		c.removePiece(pc) // nothing came: no empty file left behind
	}
	ks.notify()
	c.release(pc)
	c.forgetIfIdle(ks)
}

// nameChunk gives a complete chunk its marker, by which a later start finds
// it: a file named by its offset, as long as the chunk but empty (sparse),
// so that a start with another chunk size tells it from its own. Until
// then (or if that fails) it serves this run only. Call with c.mu held.
func (c *Content) nameChunk(pc *piece) {
	final := c.chunkPath(pc.ks.name, pc.idx)
	if pc.path == final {
		return
	}
	if err := writeMarker(final, pc.size); err != nil {
		c.log.Warn("cannot name cached chunk; it serves this run only", "file", pc.ks.name, "chunk", pc.idx, "err", err)
		return
	}
	pc.path = final
	pc.mtime = time.Now()
}

// writeMarker makes the marker of a complete chunk of size bytes.
func writeMarker(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
