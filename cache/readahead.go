package cache

import "context"

// maxReadAhead bounds the read-ahead downloads running at once in the whole
// cache, however many files are read (fewer when MaxMemory holds fewer than
// twice as many chunks: the rest is for readers waiting on a download).
const maxReadAhead = 8

// maxWindow bounds how many chunks ahead of a sequential reader are
// downloaded.
const maxWindow = 16

// readAhead follows the reading of a file after a read of n bytes at off. A
// read that continues the previous one (give or take a little: the kernel's
// reads may arrive out of order) is sequential; the window of chunks
// downloaded ahead starts at one when a sequential reader passes the middle
// of a chunk and doubles at the middle of each later chunk (1, 2, 4, ...
// maxWindow); any other read resets it. A read from offset 0 alone (head -c
// 1M) fetches nothing more. The downloads share maxReadAhead slots with every
// other file: a window not yet covered is filled by later reads.
func (c *Content) readAhead(ctx context.Context, name string, src Source, off, n int64) {
	if src == nil || n == 0 {
		return
	}
	cs := c.o.ChunkSize
	end := off + n
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.keys[name]
	if ks == nil {
		return
	}
	slack := min(cs/4, 1<<20)
	sequential := ks.lastEnd > 0 && off >= ks.lastEnd-slack && off <= ks.lastEnd+slack
	ks.lastEnd = end
	if !sequential {
		ks.window, ks.grownAt = 0, -1
		return
	}
	cur := (end - 1) / cs
	if end-cur*cs >= cs/2 && cur > ks.grownAt {
		ks.grownAt = cur
		ks.window = min(max(2*ks.window, 1), c.maxWindow)
	}
	for idx := cur + 1; idx <= cur+ks.window && idx < ks.nChunks; idx++ {
		if ks.pieces[idx] != nil || c.flights[flightID{name, idx}] != nil {
			continue
		}
		select {
		case c.raSlots <- struct{}{}:
		default:
			return // enough read-ahead running
		}
		c.startDownload(ctx, ks, idx, src).readAhead = true
	}
}
