package cache

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
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

func TestLeadGrowsWithSequentialReads(t *testing.T) {
	// A sequential reader in 128 KiB reads: the cache keeps between half
	// and all of its lead (an eighth of what it read in a row, at least
	// 128 KiB, then from 2 MiB half of it, at most 16 chunks) downloaded
	// ahead of it, never more.
	const cs, size = 1 << 20, 256 << 20
	c := openTest(t, ContentOptions{MaxBytes: 1 << 30, ChunkSize: cs})
	src := newSource(size)
	k := Key{ID: "f", Size: size}
	frontier := func() int64 {
		var f int64
		for _, s := range src.Calls() {
			f = max(f, s.off+s.length)
		}
		return f
	}
	check := func(end, seq int64) {
		t.Helper()
		lead := max(seq/8, minLead)
		if seq >= slowLeadUntil {
			lead = min(seq/2, maxWindow*cs)
		}
		if f := frontier(); f < min(size, end+lead/2) || f > end+lead+fetchAlign {
			t.Fatalf("after reading to %d (%d in a row): fetched to %d, want %d to %d ahead", end, seq, f, lead/2, lead)
		}
	}
	const read = 128 << 10
	for off := int64(0); off < 200<<20; off += read {
		readOK(t, c, k, src.Source, off, read)
		c.wg.Wait()
		check(off+read, off+read)
	}
	if n := len(src.Calls()); n > 300 {
		t.Errorf("%d downloads for 200 MiB read in %d reads: the lead does not grow", n, 200<<20/read)
	}
	// A seek starts a new reader: a small lead again.
	before := frontier()
	readOK(t, c, k, src.Source, 240<<20, read)
	readOK(t, c, k, src.Source, 240<<20+read, read)
	c.wg.Wait()
	if f := frontier(); f <= before || f > 240<<20+2*read+minLead+fetchAlign {
		t.Fatalf("after a seek to 240 MiB and two reads: fetched to %d", f)
	}
}

func TestReadAheadToleratesReadsSlightlyOutOfOrder(t *testing.T) {
	// The kernel's read-ahead sends reads in parallel; they arrive a little
	// out of order, and are still one sequential reader.
	const cs = 4000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(20 * cs)
	k := Key{ID: "f", Size: 20 * cs}
	for _, off := range []int64{0, 1000, 500, 1500, 2500, 2000} {
		readOK(t, c, k, src.Source, off, 500)
	}
	name, _, _ := k.dirName()
	c.mu.Lock()
	defer c.mu.Unlock()
	if ks := c.keys[name]; ks == nil || ks.random != 0 || ks.seq != 3000 {
		t.Fatalf("after six reads a little out of order: %+v, want one sequential reader of 3000 bytes", ks)
	}
}

func TestDownloadsShareAGlobalMemoryBound(t *testing.T) {
	// Half of MaxMemory goes to downloads: three buffers of one chunk.
	const cs = 1000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs, MaxMemory: 6 * cs})
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
	// MaxMemory of 4 chunks: 2 download buffers, at most 1 for read-ahead,
	// so a reader of another file is not kept waiting behind stalled
	// read-ahead.
	const cs = 1000
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs, MaxMemory: 4 * cs})
	if cap(c.raSlots) != 1 {
		t.Fatalf("%d read-ahead slots, want 1", cap(c.raSlots))
	}
	stalled := newSource(100 * cs)
	key := func(i int) Key { return Key{ID: string(rune('a' + i)), Size: 100 * cs} }
	for i := range 4 { // chunks 0 to 2 of each on disk (one read-ahead at a time)
		readOK(t, c, key(i), stalled.Source, 0, 1000)
		readOK(t, c, key(i), stalled.Source, 1000, 600)
		c.wg.Wait()
	}
	stalled.gate = make(chan struct{})
	defer close(stalled.gate)
	for i := range 4 {
		readOK(t, c, key(i), stalled.Source, 1600, 1000) // read-ahead of chunk 3, stalls
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ReadAt(ctx, Key{ID: "other", Size: cs}, newSource(cs).Source, make([]byte, 10), 0); err != nil {
		t.Fatalf("a reader behind stalled read-ahead: %v", err)
	}
}

func TestSequentialReadOfCorruptFileEndsInErrCorrupt(t *testing.T) {
	// The file is checked while it is read. Its bytes are served
	// unverified until it is complete; from then on reads wait for the
	// verdict, and get ErrCorrupt. A reader going on to the end (what it
	// reads now is fetched again, and the file never completes) never
	// sees EOF without an error.
	const cs, size = 1000, 9500
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(size)
	src.corruptAt = 3333
	corrupt := 0
	var err error
	for off := int64(0); off < size; off += 500 {
		_, err = c.ReadAt(context.Background(), k, src.Source, make([]byte, 500), off)
		if errors.Is(err, ErrCorrupt) {
			corrupt++
		} else if err != nil {
			t.Fatalf("read at %d: %v", off, err)
		}
		c.wg.Wait() // read-ahead and the check finish before the next read
	}
	if corrupt == 0 || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("sequential read of a corrupt file: %d reads got ErrCorrupt, the last %v", corrupt, err)
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
	if s := c3.Stats(); s.BytesOnDisk != 2500+2000+2000 { // each read fetched its chunk and one ahead
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
	c.wg.Wait()                   // downloads ending let go of their chunks, and trim the open ones
	c.mu.Lock()
	open := c.fds.Len()
	c.mu.Unlock()
	if open > maxOpenFiles {
		t.Fatalf("%d chunk files open, bound is %d", open, maxOpenFiles)
	}
}

func TestCheckHashesDownloadedBuffersOrReadsThemBack(t *testing.T) {
	// The md5 check takes the downloads' buffers as they come, combining
	// the CRCs the downloads computed for them; with no memory to keep
	// them, it reads the bytes back from disk and computes their CRCs.
	// Either way the file ends verified, and its mark holds the CRC-32C of
	// each chunk (of four buffers: a chunk's CRC combines several).
	const cs, size = 4 * bufSize, 3*4*bufSize + 777
	data := content(0, size)
	k := Key{MD5: md5Of(data), Size: size}
	for _, tc := range []struct {
		name      string
		maxMemory int64 // 1: no memory to keep buffers for the check
		readBack  bool
	}{{"kept", 0, false}, {"read back", 1, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := openTest(t, ContentOptions{MaxBytes: 1 << 30, ChunkSize: cs, MaxMemory: tc.maxMemory})
			src := newSource(size)
			for off := int64(0); off < size; off += 100 << 10 {
				readOK(t, c, k, src.Source, off, 100<<10)
			}
			c.wg.Wait()
			if s := c.Stats(); (s.ReadBack == size) != tc.readBack || (!tc.readBack && s.ReadBack > 0) || s.VerifyFailures != 0 {
				t.Fatalf("Stats = %+v, want all bytes read back: %v, or none", s, tc.readBack)
			}
			name, _, _ := k.dirName()
			crcs, ok := readMark(c.keyDir(name), cs, (size+cs-1)/cs)
			if !ok {
				t.Fatal("not marked verified")
			}
			for i, crc := range crcs {
				chunk := data[int64(i)*cs : min(int64(i+1)*cs, size)]
				if want := crc32.Checksum(chunk, castagnoli); crc != want {
					t.Errorf("chunk %d: CRC %08x in the mark, want %08x", i, crc, want)
				}
			}
		})
	}
}

// recordingBody records where each Read of a download's body starts and
// how many bytes it asks for.
type recordingBody struct {
	io.ReadCloser
	pos   int64
	mu    *sync.Mutex
	reads *[]span
}

func (b *recordingBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	*b.reads = append(*b.reads, span{b.pos, int64(len(p))})
	b.mu.Unlock()
	n, err := b.ReadCloser.Read(p)
	b.pos += int64(n)
	return n, err
}

func TestDownloadBuffersEndOnMultiplesOfTheirSize(t *testing.T) {
	// Reads from mid-buffer start downloads there; their buffers (each
	// written at once) still end on multiples of the buffer size.
	const size = 6 << 20
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 30})
	src := newSource(size)
	var mu sync.Mutex
	var reads []span
	source := func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		body, err := src.Source(ctx, off, n)
		if err != nil {
			return nil, err
		}
		return &recordingBody{ReadCloser: body, pos: off, mu: &mu, reads: &reads}, nil
	}
	for off := int64(100 << 10); off < size; off += 300 << 10 {
		readOK(t, c, k, source, off, 300<<10)
	}
	c.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	unaligned := 0
	for _, r := range reads {
		if r.off%bufSize != 0 {
			unaligned++
		}
		// The last buffer of a download asks for one byte more, which
		// must not come (a body longer than asked).
		if last := r.off + r.length - 2; r.length > 1 && r.off/bufSize != last/bufSize {
			t.Errorf("a buffer of %d bytes at %d crosses a multiple of %d", r.length, r.off, bufSize)
		}
	}
	if unaligned == 0 {
		t.Fatalf("no download started mid-buffer (%d reads): the test proves nothing", len(reads))
	}
}
