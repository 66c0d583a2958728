package cache

import "context"

// maxReadAhead bounds the read-ahead downloads running at once in the whole
// cache, however many files are read.
const maxReadAhead = 4

// readAhead starts downloading the next chunk in the background when a read of
// n bytes at off continues the previous read of the file and has passed the
// middle of its chunk. A read from offset 0 alone (head -c 1M) fetches nothing
// more.
func (c *Content) readAhead(ctx context.Context, name string, src Source, off, n int64) {
	cs := c.o.ChunkSize
	end := off + n
	next := (end-1)/cs + 1
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.keys[name]
	if ks == nil {
		return
	}
	sequential := off > 0 && off == ks.lastEnd
	ks.lastEnd = end
	if !sequential || end-(next-1)*cs < cs/2 || next >= ks.nChunks || ks.pieces[next] != nil {
		return
	}
	if c.flights[flightID{name, next}] != nil {
		return
	}
	select {
	case c.raSlots <- struct{}{}:
	default:
		return // enough read-ahead running
	}
	f := c.startDownload(ctx, ks, next, src)
	go func() {
		<-f.done
		<-c.raSlots
	}()
}
