package cache

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cleanName is the file in Dir/content that a Close leaves after making
// every chunk durable; a start takes it away, so that it is there at the next
// start only if this run is closed too.
const cleanName = ".clean"

// takeCleanMark reports whether the last run was closed cleanly, and removes
// the mark durably before anything is written.
func (c *Content) takeCleanMark() (bool, error) {
	path := filepath.Join(c.root, cleanName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := os.Remove(path); err != nil {
		return false, err
	}
	return true, syncDir(c.root)
}

// putCleanMark records a clean shutdown: every chunk is durable.
func (c *Content) putCleanMark() error {
	if err := os.WriteFile(filepath.Join(c.root, cleanName), nil, 0o600); err != nil {
		return err
	}
	return syncDir(c.root)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// persistLRU writes the order of last reads into the chunk files' times,
// strictly increasing from the least recently read, touching only those that
// need it. Call with c.mu held.
func (c *Content) persistLRU() {
	var last time.Time
	for e := c.lru.Back(); e != nil; e = e.Prev() {
		pc := e.Value.(*piece)
		if pc.path != c.chunkPath(pc.ks.name, pc.idx) {
			continue // not complete, or not named: not kept across runs
		}
		t := pc.used
		if !t.After(last) {
			t = last.Add(time.Microsecond)
		}
		last = t
		if t.Equal(pc.mtime) {
			continue
		}
		if err := os.Chtimes(pc.path, t, t); err != nil {
			c.log.Warn("cannot record the time of a chunk's last read", "file", pc.ks.name, "chunk", pc.idx, "err", err)
			continue
		}
		pc.mtime = t
	}
}

// scan rebuilds the index from what an earlier run left in c.root: the
// chunks whose markers are valid are kept in the LRU order of the markers'
// modification times; leftover temporary files, markers of the wrong length
// or alignment (a different ChunkSize) or beyond the data file's end,
// folders without a data file (an earlier layout) and marks on incomplete
// files, or that do not read back, are removed. After a run that was not closed cleanly
// (clean false), chunks written without fsync may be torn: only files
// marked verified (made durable before being marked) are kept. The chunks
// of a marked file get the CRCs of the mark, checked at their first read.
func (c *Content) scan(clean bool) error {
	entries, err := os.ReadDir(c.root)
	if err != nil {
		return err
	}
	type found struct {
		ks     *keyState
		idx    int64
		size   int64
		mtime  time.Time
		crc    uint32
		hasCRC bool
	}
	var all []found
	dropped := 0
	for _, e := range entries {
		name := e.Name()
		md5, size, ok := parseDirName(name)
		if !ok || !e.IsDir() {
			c.log.Warn("ignoring unknown entry in cache folder", "name", name)
			continue
		}
		dir := c.keyDir(name)
		ks := c.keyState(name, md5, size)
		files, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		hasMark := false
		dataSize := int64(-1)
		var kept []found
		for _, f := range files {
			if f.Name() == markerName {
				hasMark = true
				continue
			}
			info, ierr := f.Info()
			if f.Name() == dataName && ierr == nil && info.Mode().IsRegular() {
				dataSize = info.Size()
				continue
			}
			off, err := strconv.ParseInt(f.Name(), 10, 64)
			if err != nil || ierr != nil || strconv.FormatInt(off, 10) != f.Name() || !info.Mode().IsRegular() ||
				off < 0 || off >= size || off%c.o.ChunkSize != 0 || info.Size() != c.chunkLen(size, off/c.o.ChunkSize) {
				if !strings.HasPrefix(f.Name(), tmpPrefix) {
					c.log.Info("removing invalid cache file", "file", name, "name", f.Name())
				}
				if err := os.RemoveAll(filepath.Join(dir, f.Name())); err != nil {
					return err
				}
				continue
			}
			kept = append(kept, found{ks: ks, idx: off / c.o.ChunkSize, size: info.Size(), mtime: info.ModTime()})
		}
		if dataSize < 0 && len(kept) > 0 {
			// Chunk files of an earlier layout (each holding its bytes), or
			// markers whose data file is gone: nothing here can be trusted.
			c.log.Info("removing cached file without its data file", "file", name)
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			continue
		}
		kept = slices.DeleteFunc(kept, func(f found) bool {
			if f.idx*c.o.ChunkSize+f.size <= dataSize {
				return false
			}
			c.log.Info("removing marker of a chunk beyond the data file's end", "file", name, "chunk", f.idx)
			_ = os.Remove(c.chunkPath(name, f.idx))
			return true
		})
		var crcs []uint32
		marked := false
		if hasMark && md5 != "" && int64(len(kept)) == ks.nChunks {
			crcs, marked = readMark(dir, c.o.ChunkSize, ks.nChunks)
		}
		switch {
		case marked:
			ks.verified = true
			for i := range kept {
				kept[i].crc, kept[i].hasCRC = crcs[kept[i].idx], true
			}
		case !clean:
			// Not verified, after a crash: any chunk may be torn.
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			dropped++
			continue
		case hasMark:
			if err := os.Remove(markPath(dir)); err != nil {
				return err
			}
		}
		all = append(all, kept...)
	}
	if dropped > 0 {
		c.log.Info("the cache was not closed cleanly: dropped the files not verified, whose chunks may be torn", "files", dropped)
	}
	slices.SortStableFunc(all, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	for _, f := range all {
		pc := c.addPiece(f.ks, f.idx, ranges{{0, f.size}}, c.chunkPath(f.ks.name, f.idx), nil, f.mtime, true)
		pc.crc, pc.hasCRC = f.crc, f.hasCRC
	}
	for _, ks := range c.keys {
		c.forgetIfIdle(ks)
	}
	c.evict()
	return nil
}
