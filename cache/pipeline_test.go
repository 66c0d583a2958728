package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// fetchedChunks lists the chunk indexes the source was asked for, sorted.
func fetchedChunks(src *testSource, cs int64) []int64 {
	var idx []int64
	for _, s := range src.Calls() {
		idx = append(idx, s.off/cs)
	}
	slices.Sort(idx)
	return idx
}

func chunkRange(from, to int64) []int64 {
	var r []int64
	for i := from; i <= to; i++ {
		r = append(r, i)
	}
	return r
}

func TestReadAheadWindowDoubles(t *testing.T) {
	const cs = 1000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(100 * cs)
	k := Key{ID: "f", Size: 100 * cs}
	// A sequential reader in 250-byte reads; after passing the middle of
	// chunk i the window is 1, 2, 4, 8, 16, 16 chunks beyond it.
	want := map[int64]int64{0: 1, 1: 3, 2: 6, 3: 11, 4: 20, 5: 21, 6: 22}
	for off := int64(0); off < 7*cs; off += 250 {
		readOK(t, c, k, src.Source, off, 250)
		c.wg.Wait()
		if end := off + 250; end%cs == cs/2 {
			last := want[off/cs]
			if got := fetchedChunks(src, cs); !slices.Equal(got, chunkRange(0, last)) {
				t.Fatalf("after reading to %d: fetched chunks %v, want 0..%d", end, got, last)
			}
		}
	}
	// A seek resets the window: the next sequential reads start again at one.
	before := len(src.Calls())
	readOK(t, c, k, src.Source, 50*cs, 250)
	readOK(t, c, k, src.Source, 50*cs+250, 500)
	c.wg.Wait()
	if got := fetchedChunks(src, cs)[before:]; !slices.Equal(got, []int64{50, 51}) {
		t.Fatalf("after a seek: fetched %v, want chunk 50 and one ahead", got)
	}
}

func TestReadAheadToleratesReadsSlightlyOutOfOrder(t *testing.T) {
	// The kernel's read-ahead sends reads in parallel; they arrive a little
	// out of order, and are still a sequential reader.
	const cs = 4000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(20 * cs)
	k := Key{ID: "f", Size: 20 * cs}
	for _, off := range []int64{0, 1000, 500, 1500, 2500, 2000} {
		readOK(t, c, k, src.Source, off, 500)
	}
	c.wg.Wait()
	if got := fetchedChunks(src, cs); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("fetched %v, want chunk 1 read ahead", got)
	}
}

func TestDownloadsShareAGlobalMemoryBound(t *testing.T) {
	const cs = 1000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs, MaxMemory: 3 * cs})
	src := newSource(cs)
	src.gate = make(chan struct{})
	gate := sync.OnceFunc(func() { close(src.gate) })
	defer gate()
	var wg sync.WaitGroup
	for i := range 8 { // eight files, one chunk each, read at once
		wg.Go(func() {
			if err := readCheck(c, Key{ID: string(rune('a' + i)), Size: cs}, src.Source, 0, cs); err != nil {
				t.Error(err)
			}
		})
	}
	for start := time.Now(); len(src.Calls()) < 3 && time.Since(start) < 5*time.Second; {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // time for a download too many to start
	if n := len(src.Calls()); n != 3 {
		t.Fatalf("%d downloads hold memory at once, bound is 3 chunks", n)
	}
	gate()
	wg.Wait()
	c.wg.Wait()
	c.mem.mu.Lock()
	defer c.mem.mu.Unlock()
	if c.mem.peak > 3*cs || c.mem.used != 0 || c.mem.waits == 0 {
		t.Fatalf("memory: peak %d, used %d after all reads, %d waits; bound %d", c.mem.peak, c.mem.used, c.mem.waits, 3*cs)
	}
	if s := c.Stats(); s.BytesFetched != 8*cs {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestReadAheadLeavesMemoryForReaders(t *testing.T) {
	// MaxMemory of 4 chunks: at most 2 go to read-ahead, so a reader of
	// another file is not kept waiting behind stalled read-ahead.
	const cs = 1000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs, MaxMemory: 4 * cs})
	if cap(c.raSlots) != 2 {
		t.Fatalf("%d read-ahead slots, want 2", cap(c.raSlots))
	}
	stalled := newSource(100 * cs)
	for i := range 4 {
		k := Key{ID: string(rune('a' + i)), Size: 100 * cs}
		readOK(t, c, k, stalled.Source, 0, 300)
	}
	stalled.gate = make(chan struct{})
	defer close(stalled.gate)
	for i := range 4 {
		k := Key{ID: string(rune('a' + i)), Size: 100 * cs}
		readOK(t, c, k, stalled.Source, 300, 300) // read-ahead of chunk 1, stalls
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ReadAt(ctx, Key{ID: "other", Size: cs}, newSource(cs).Source, make([]byte, 10), 0); err != nil {
		t.Fatalf("a reader behind stalled read-ahead: %v", err)
	}
}

func TestSequentialReadOfCorruptFileEndsInErrCorrupt(t *testing.T) {
	// The file is checked in the background while it is read. Here
	// read-ahead brings the last chunks and the check fails while the reader
	// is still in the middle: it goes on (what it reads now is fetched
	// again), and the read reaching the end gets ErrCorrupt, not EOF.
	const cs, size = 1000, 9500
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(size)
	src.corruptAt = 3333
	var err error
	off := int64(0)
	for ; off < size; off += 500 {
		if _, err = c.ReadAt(context.Background(), k, src.Source, make([]byte, 500), off); err != nil {
			break
		}
		c.wg.Wait() // read-ahead and the check finish before the next read
	}
	if !errors.Is(err, ErrCorrupt) || off != size-500 {
		t.Fatalf("sequential read of a corrupt file: %v at %d, want ErrCorrupt at the read reaching the end", err, off)
	}
	if s := c.Stats(); s.VerifyFailures == 0 {
		t.Fatalf("Stats = %+v, want a failed check", s)
	}
}

func TestEvictingAHashedChunkRestartsTheCheck(t *testing.T) {
	// Chunk 0 is hashed, evicted, and comes back corrupt: the check must
	// hash what is on disk, not what was there before.
	const cs, size = 1000, 3000
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	c := openTest(t, ContentOptions{MaxBytes: 4 * cs, ChunkSize: cs})
	other := Key{ID: "other", Size: size}
	readOK(t, c, k, newSource(size).Source, 0, 10)
	readOK(t, c, k, newSource(size).Source, 1000, 10)
	c.wg.Wait() // chunks 0 and 1 hashed
	readOK(t, c, other, newSource(size).Source, 0, 10)
	readOK(t, c, other, newSource(size).Source, 1000, 10)
	readOK(t, c, k, nil, 1000, 10)                        // chunk 0 of k is now the least recently read
	readOK(t, c, other, newSource(size).Source, 2000, 10) // evicts it
	c.wg.Wait()
	bad := newSource(size)
	bad.corruptAt = 10
	readOK(t, c, k, bad.Source, 20, 10) // chunk 0 again, unverified and wrong at byte 10
	if _, err := c.ReadAt(context.Background(), k, bad.Source, make([]byte, 10), size-10); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("completing a file whose re-fetched chunk 0 is corrupt gave %v, want ErrCorrupt", err)
	}
}

func TestVerifiedChunksAreDurableBeforeTheMark(t *testing.T) {
	const cs, size = 1000, 3500
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	readOK(t, c, k, newSource(size).Source, 0, size)
	c.wg.Wait()
	name, _, _ := k.dirName()
	if _, err := os.Stat(filepath.Join(c.root, name, markerName)); err != nil {
		t.Fatalf("no mark: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for idx, pc := range c.keys[name].pieces {
		if !pc.synced {
			t.Fatalf("chunk %d of a marked file was not made durable", idx)
		}
	}
}

func TestRestartAfterCrashKeepsOnlyVerifiedFiles(t *testing.T) {
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	full := Key{MD5: md5Of(content(0, 2500)), Size: 2500}
	part := Key{MD5: md5Of(content(0, 5000)), Size: 5000}
	byID := Key{ID: "asset", Size: 2000}
	c := openTest(t, o)
	src := newSource(5000)
	readOK(t, c, full, src.Source, 0, 2500)
	readOK(t, c, part, src.Source, 1000, 10)
	readOK(t, c, byID, src.Source, 0, 2000)
	c.wg.Wait()
	// A crash: no Close. Chunks written without fsync may be torn; marked
	// files had theirs made durable first.
	c2 := openTest(t, o)
	if s := c2.Stats(); s.BytesOnDisk != 2500 {
		t.Fatalf("after a crash: %+v, want only the verified file", s)
	}
	fail := newSource(5000)
	fail.fail = errors.New("must not be called")
	readOK(t, c2, full, fail.Source, 0, 2500)
	readOK(t, c2, part, src.Source, 1000, 10)
	readOK(t, c2, byID, src.Source, 0, 10)
	c2.Close()
	// A clean shutdown: everything is trusted.
	c3 := openTest(t, o)
	if s := c3.Stats(); s.BytesOnDisk != 2500+1000+1000 {
		t.Fatalf("after a clean shutdown: %+v", s)
	}
	readOK(t, c3, part, fail.Source, 1000, 10)
	readOK(t, c3, byID, fail.Source, 0, 10)
}

func TestOpenFilesAreBounded(t *testing.T) {
	const cs = 100
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	n := int64(maxOpenFiles + 20)
	k := Key{ID: "f", Size: n * cs}
	src := newSource(n * cs)
	readOK(t, c, k, src.Source, 0, n*cs)
	readOK(t, c, k, nil, 0, n*cs) // from disk, reopening the chunks closed
	c.mu.Lock()
	open := c.fds.Len()
	c.mu.Unlock()
	if open > maxOpenFiles {
		t.Fatalf("%d chunk files open, bound is %d", open, maxOpenFiles)
	}
}
