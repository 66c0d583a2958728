package cache

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scan rebuilds the index from what an earlier run left in c.root: valid
// chunks are kept in the LRU order of their modification times (set on every
// read); leftover temporary files, chunks of the wrong length or alignment
// (a different ChunkSize) and marks on incomplete files are removed.
func (c *Content) scan() error {
	entries, err := os.ReadDir(c.root)
	if err != nil {
		return err
	}
	type found struct {
		ks    *keyState
		idx   int64
		size  int64
		mtime time.Time
	}
	var all []found
	for _, e := range entries {
		name := e.Name()
		md5, size, ok := parseDirName(name)
		if !ok || !e.IsDir() {
			c.log.Warn("ignoring unknown entry in cache folder", "name", name)
			continue
		}
		ks := c.keyState(name, md5, size)
		dir := c.keyDir(name)
		files, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		marked := false
		for _, f := range files {
			if f.Name() == markerName {
				marked = true
				continue
			}
			off, err := strconv.ParseInt(f.Name(), 10, 64)
			info, ierr := f.Info()
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
			all = append(all, found{ks, off / c.o.ChunkSize, info.Size(), info.ModTime()})
			ks.pieces[off/c.o.ChunkSize] = nil // counted now, recorded in LRU order below
		}
		switch {
		case marked && md5 != "" && ks.complete():
			ks.verified = true
		case marked:
			if err := os.Remove(filepath.Join(dir, markerName)); err != nil {
				return err
			}
		}
	}
	slices.SortStableFunc(all, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	for _, f := range all {
		c.addPiece(f.ks, f.idx, f.size)
	}
	for _, ks := range c.keys {
		c.forgetIfIdle(ks)
	}
	c.evict()
	return nil
}
