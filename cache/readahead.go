package cache

// How far ahead of a reader the cache downloads. A first read fetches what
// it asks (rounded out to fetchAlign) and minLead more (one chunk with
// chunks smaller than that). A reader going on sequentially gets a lead of
// an eighth of what it read in a row while that is under slowLeadUntil, so
// that `head -c 1M` fetches little more than it reads, then of half of it,
// so that a long read soon runs chunks ahead even on a slow link; the lead
// is capped at maxWindow chunks (and at a quarter of MaxBytes, so that it
// is not evicted before being read). Reads jumping about, two or more in a
// row, get no lead at all.
// A file of at most smallFile bytes (or one chunk, if less) is fetched
// whole at its first read: one request instead of a few.
const (
	minLead       = 128 << 10
	slowLeadUntil = 2 << 20
	maxWindow     = 16
	smallFile     = 1 << 20
)

// maxReadAhead bounds the read-ahead downloads running at once in the whole
// cache, however many files are read.
const maxReadAhead = 8

// A file being checked gets as many read-ahead downloads as keep its check
// busy, no more. While the check waits for bytes, all of maxReadAhead: a
// slow link needs many requests in flight. Each time it has hashed
// calmAfter bytes in a row without waiting, one fewer, down to
// minCheckedReadAhead: the link outruns the hash, and more downloads at
// once would only take CPU from it. (On 2 cores and a fast link, a cold
// read of 1 GiB used to have 2 to 7 downloads running; with at most 2 it
// ends about 4% sooner, and no later on a slow link.)
const (
	calmAfter           = 16 << 20
	minCheckedReadAhead = 2
)

// checkWaited records that the file's check ran out of bytes to hash: it
// gets all the read-ahead it may. Call with c.mu held.
func (ks *keyState) checkWaited() {
	ks.raWanted, ks.hashedInRow = maxReadAhead, 0
}

// hashedWithoutWaiting records n more bytes hashed since the check last
// waited, with one read-ahead download fewer for every calmAfter of them.
// Call with c.mu held.
func (ks *keyState) hashedWithoutWaiting(n int64) {
	ks.hashedInRow += n
	for ks.hashedInRow >= calmAfter {
		ks.hashedInRow -= calmAfter
		ks.raWanted = max(ks.raWanted-1, minCheckedReadAhead)
	}
}

// readAheadFull reports whether the file has all the read-ahead downloads
// its check wants. Call with c.mu held.
func (ks *keyState) readAheadFull() bool {
	return ks.md5 != "" && !ks.verified && ks.raRunning >= ks.raWanted
}

// plan records a read of [off, end) of the file and returns how far the
// file should be on its way to disk: end for a random read, end plus the
// reader's lead otherwise. Reads slightly out of order (the kernel's
// parallel read-ahead) still count as sequential. Call with c.mu held.
func (c *Content) plan(ks *keyState, off, end int64) int64 {
	slack := min(c.o.ChunkSize/4, 1<<20)
	sequential := ks.lastEnd > 0 && off >= ks.lastEnd-slack && off <= ks.lastEnd+slack
	if sequential {
		ks.seq += end - off
		ks.lastEnd = max(ks.lastEnd, end)
		ks.random = 0
	} else {
		ks.seq = end - off
		ks.lastEnd = end
		ks.random++
	}
	var lead int64
	switch {
	case sequential && ks.seq < slowLeadUntil:
		lead = max(ks.seq/8, c.minLead)
	case sequential:
		lead = min(ks.seq/2, c.maxLead)
	case ks.random == 1:
		lead = c.minLead // maybe the start of a sequential reader
	}
	if ks.md5 != "" && !ks.verified && end-ks.hashNext <= 2*hashAhead {
		// Downloads stay where their buffers are kept for the check (see
		// offer): a lead of up to twice hashAhead when the check keeps up
		// (a slow link), less when it lags (the check sets the pace).
		lead = max(min(lead, ks.hashNext+2*hashAhead-end), 0)
	}
	if ks.size <= min(smallFile, c.o.ChunkSize) {
		return ks.size
	}
	return min(ks.size, end+lead)
}

// roundOut widens [from, to) to the download granularity (fetchAlign, or
// the chunk size if smaller) within the file of size bytes.
func (c *Content) roundOut(from, to, size int64) (int64, int64) {
	a := c.align
	return from / a * a, min(size, (to+a-1)/a*a)
}
