package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// headReads are the reads the kernel sends for `head -c 1M` of a file:
// 16, 32 and 64 KiB, then 128 KiB reads, to 1.23 MiB (its read-ahead).
var headReads = []span{{0, 16 << 10}, {16 << 10, 32 << 10}, {48 << 10, 64 << 10}, {112 << 10, 128 << 10},
	{240 << 10, 128 << 10}, {368 << 10, 128 << 10}, {496 << 10, 128 << 10}, {624 << 10, 128 << 10},
	{752 << 10, 128 << 10}, {880 << 10, 128 << 10}, {1008 << 10, 128 << 10}, {1136 << 10, 128 << 10}}

func fetchedBytes(src *testSource) int64 {
	var n int64
	for _, s := range src.Calls() {
		n += s.length
	}
	return n
}

func TestReadFetchesLittleMoreThanAsked(t *testing.T) {
	const size = 10<<30 + 123 // 10 GiB and a short last chunk
	c := openTest(t, ContentOptions{MaxBytes: 64 << 20})
	src := newSource(size)
	k := Key{MD5: strings.Repeat("ab", 16), Size: size}
	for _, r := range headReads {
		readOK(t, c, k, src.Source, r.off, r.length)
	}
	c.wg.Wait()
	if n := fetchedBytes(src); n > 3<<19 {
		t.Fatalf("head -c 1M fetched %d bytes in %v, want at most 1.5 MiB", n, src.Calls())
	}
	before := len(src.Calls())
	readOK(t, c, k, src.Source, 100, 1<<20) // already there: from disk
	if len(src.Calls()) != before {
		t.Fatalf("a read of cached bytes fetched %v", src.Calls()[before:])
	}
	// A read of the tail fetches its 64 KiB-aligned range and the short
	// last chunk's end, nothing more.
	readOK(t, c, k, src.Source, size-100, 200)
	last := int64(size / DefaultChunkSize * DefaultChunkSize)
	if got := src.Calls()[before:]; !slices.Equal(got, []span{{last, 123}}) {
		t.Fatalf("tail read fetched %v, want %v", got, []span{{last, 123}})
	}
	// Random reads stay small: one aligned 64 KiB range each.
	for _, off := range []int64{3 << 30, 5<<30 + 12345, 7 << 30} {
		before := len(src.Calls())
		readOK(t, c, k, src.Source, off, 4096)
		c.wg.Wait()
		if n := fetchedBytes(&testSource{calls: src.Calls()[before:]}); n > 64<<10 {
			t.Fatalf("a random 4 KiB read at %d fetched %v", off, src.Calls()[before:])
		}
	}
	// A read across a chunk boundary fetches from both chunks.
	before = len(src.Calls())
	readOK(t, c, k, src.Source, 3*DefaultChunkSize-10, 20)
	if got := src.Calls()[before:]; len(got) != 2 {
		t.Fatalf("a read across chunks 2 and 3 fetched %v, want a range of each", got)
	}
}

func TestReadEdgeCases(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(0)
	p := make([]byte, 10)
	empty := Key{MD5: md5Of(nil), Size: 0}
	if n, err := c.ReadAt(context.Background(), empty, src.Source, p, 0); n != 0 || err != io.EOF {
		t.Fatalf("empty file: %d, %v", n, err)
	}
	k := Key{ID: "https://comps/asset/1", Size: 2500}
	for _, tc := range []struct {
		name    string
		k       Key
		p       []byte
		off     int64
		n       int
		wantErr func(error) bool
	}{
		{"negative offset", k, p, -1, 0, func(err error) bool { return err != nil && err != io.EOF }},
		{"offset at size", k, p, 2500, 0, func(err error) bool { return err == io.EOF }},
		{"offset past size", k, p, 1 << 62, 0, func(err error) bool { return err == io.EOF }},
		{"empty buffer", k, nil, 5, 0, func(err error) bool { return err == nil }},
		{"empty buffer past size", k, []byte{}, 9999, 0, func(err error) bool { return err == nil }},
		{"no md5 no id", Key{Size: 5}, p, 0, 0, func(err error) bool { return err != nil && err != io.EOF }},
		{"bad md5", Key{MD5: "xyz", Size: 5}, p, 0, 0, func(err error) bool { return err != nil && err != io.EOF }},
		{"negative size", Key{ID: "a", Size: -5}, p, 0, 0, func(err error) bool { return err != nil && err != io.EOF }},
	} {
		n, err := c.ReadAt(context.Background(), tc.k, src.Source, tc.p, tc.off)
		if n != tc.n || !tc.wantErr(err) {
			t.Errorf("%s: ReadAt = %d, %v", tc.name, n, err)
		}
	}
	if calls := src.Calls(); len(calls) != 0 {
		t.Fatalf("edge cases fetched %v", calls)
	}
	// The tail: fewer bytes than asked, with io.EOF; a nil source is an error, not a panic.
	src = newSource(2500)
	readOK(t, c, k, src.Source, 2490, 100)
	if _, err := c.ReadAt(context.Background(), k, nil, p, 0); err == nil {
		t.Fatal("read of an uncached chunk with a nil Source succeeded")
	}
	// Upper-case md5 names the same content as lower case.
	data := content(0, 2500)
	up := Key{MD5: strings.ToUpper(md5Of(data)), Size: 2500}
	readOK(t, c, up, src.Source, 0, 2500)
	lo := Key{MD5: md5Of(data), Size: 2500}
	before := len(src.Calls())
	readOK(t, c, lo, src.Source, 0, 2500)
	if len(src.Calls()) != before {
		t.Fatal("lower-case md5 did not find what the upper-case one cached")
	}
}

func TestConcurrentReadersShareOneDownload(t *testing.T) {
	const cs = 64 << 10
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: cs})
	src := newSource(10 * cs)
	src.gate = make(chan struct{})
	gate := sync.OnceFunc(func() { close(src.gate) })
	defer gate()
	k := Key{ID: "f", Size: 10 * cs}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if err := readCheck(c, k, src.Source, cs+int64(i)*100, 1000); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let every reader join
	gate()
	wg.Wait()
	c.wg.Wait()
	chunk1 := 0
	for _, s := range src.Calls() {
		if s.off < 2*cs && s.off+s.length > cs {
			chunk1++
		}
	}
	if chunk1 != 1 {
		t.Fatalf("64 readers of chunk 1 made calls %v, want one for chunk 1", src.Calls())
	}
	if s := c.Stats(); s.Misses+s.Hits != 64 || s.Misses == 0 {
		t.Fatalf("Stats = %+v, want 64 chunk reads, some waiting", s)
	}
}

func TestCancelledReaderLeavesDownloadRunning(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(5000)
	src.gate = make(chan struct{})
	gate := sync.OnceFunc(func() { close(src.gate) })
	defer gate()
	k := Key{MD5: md5Of(content(0, 5000)), Size: 5000}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.ReadAt(ctx, k, src.Source, make([]byte, 10), 2000)
		done <- err
	}()
	for len(src.Calls()) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled reader got %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancelled reader did not return")
	}
	src.mu.Lock()
	first := src.ctxs[0]
	src.mu.Unlock()
	if err := first.Err(); err != nil {
		t.Fatalf("the download's context ended with its reader: %v", err)
	}
	gate()
	c.wg.Wait()
	calls := len(src.Calls()) // chunk 2 and its lead
	readOK(t, c, k, src.Source, 2000, 1000)
	if n := len(src.Calls()); n != calls {
		t.Fatalf("%d calls, want the %d the cancelled reader started", n, calls)
	}
}

func TestFailedDownloadsAreNotRetriedByTheCache(t *testing.T) {
	// Retrying is the Source's business (the client's one retry policy):
	// the cache makes one call per download and fails the read cleanly.
	k := Key{ID: "f", Size: 3000}
	t.Run("short body", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
		src := newSource(1000)
		src.short = 1
		one := Key{ID: "one", Size: 1000}
		n, err := c.ReadAt(context.Background(), one, src.Source, make([]byte, 1000), 0)
		if n != 0 || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "fetch bytes 0 to 1000") {
			t.Fatalf("ReadAt = %d, %v; want a wrapped short-body error", n, err)
		}
		if calls := src.Calls(); len(calls) != 1 {
			t.Fatalf("calls %v, want one: no retry", calls)
		}
		// What arrived before the cut is kept; the next reader fetches the rest only.
		readOK(t, c, one, src.Source, 0, 1000)
		if calls := src.Calls(); len(calls) != 2 || calls[1] != (span{500, 500}) {
			t.Fatalf("calls %v, want the missing half fetched last", calls)
		}
	})
	t.Run("long body", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
		src := newSource(3000)
		src.ignoreRange = true
		if _, err := c.ReadAt(context.Background(), k, src.Source, make([]byte, 1), 1500); err == nil || !strings.Contains(err.Error(), "longer") {
			t.Fatalf("a body ignoring the range gave %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000, FetchTimeout: 20 * time.Millisecond})
		src := newSource(3000)
		src.delay = time.Hour
		_, err := c.ReadAt(context.Background(), Key{ID: "one", Size: 1000}, src.Source, make([]byte, 1), 0)
		if !errors.Is(err, context.DeadlineExceeded) || len(src.Calls()) != 1 {
			t.Fatalf("stalled source: %v after %d calls", err, len(src.Calls()))
		}
	})
	t.Run("source error", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
		src := newSource(3000)
		src.fail = os.ErrPermission
		if _, err := c.ReadAt(context.Background(), k, src.Source, make([]byte, 1), 0); !errors.Is(err, os.ErrPermission) {
			t.Fatalf("error %v does not wrap the source's", err)
		}
		if s := c.Stats(); s.BytesOnDisk != 0 {
			t.Fatalf("Stats = %+v, want nothing on disk", s)
		}
	})
}

// diskFiles lists the regular files under dir (relative paths).
func diskFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// diskBytes sums the bytes of cached data under dir: the bytes of the data
// files that are not zero (evicted chunks are punched out, and a hole
// smaller than a block is zeroed rather than freed; the test data has few
// zeros), and the sizes of the other files but markers (sparse, empty).
func diskBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	for _, f := range diskFiles(t, dir) {
		path := filepath.Join(dir, f)
		if filepath.Base(f) == dataName {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			n += int64(len(b) - bytes.Count(b, []byte{0}))
			continue
		}
		if _, err := strconv.ParseInt(filepath.Base(f), 10, 64); err == nil {
			continue // a chunk's marker
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	return n
}

// rot changes the byte at off of the cached file name's data on disk, as
// if it had rotted there.
func rot(t *testing.T, dir, name string, off int64) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "content", name, dataName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestSingleChunkFileVerifiedOnArrival(t *testing.T) {
	data := content(0, 700)
	k := Key{MD5: md5Of(data), Size: 700}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	bad := newSource(700)
	bad.corruptAt = 350
	_, err := c.ReadAt(context.Background(), k, bad.Source, make([]byte, 10), 0)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt download gave %v, want ErrCorrupt", err)
	}
	// Nothing had been served: it was fetched once more, and failed again.
	// The download's end (and the removal of the file's folder) may come
	// after the reader's verdict.
	c.wg.Wait()
	if s := c.Stats(); s.VerifyFailures != 2 || len(bad.Calls()) != 2 || s.BytesOnDisk != 0 || len(diskFiles(t, c.o.Dir)) != 0 {
		t.Fatalf("after a corrupt download: %+v, %d calls, files %v", s, len(bad.Calls()), diskFiles(t, c.o.Dir))
	}
	good := newSource(700)
	readOK(t, c, k, good.Source, 0, 700)
	c.wg.Wait() // the mark is written once the chunk is durable, in the background
	name, _, _ := k.dirName()
	if _, err := os.Stat(filepath.Join(c.root, name, markerName)); err != nil {
		t.Fatalf("no verified mark: %v", err)
	}
}

func TestMultiChunkFileVerifiedWhenComplete(t *testing.T) {
	const size = 4500 // 5 chunks of 1000, the last 500
	k := Key{MD5: md5Of(content(0, size)), Size: size}
	order := []int64{4, 0, 2, 1, 3}

	t.Run("match", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
		src := newSource(size)
		for _, idx := range order {
			readOK(t, c, k, src.Source, idx*1000, 10)
		}
		if s := c.Stats(); s.VerifyFailures != 0 || s.BytesOnDisk != size {
			t.Fatalf("Stats = %+v", s)
		}
		// Complete and verified: no Source needed any more.
		readOK(t, c, k, nil, 0, size)
		c.wg.Wait() // the mark is written once the chunks are durable, in the background
		name, _, _ := k.dirName()
		if _, err := os.Stat(filepath.Join(c.root, name, markerName)); err != nil {
			t.Fatalf("no verified mark: %v", err)
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
		src := newSource(size)
		src.corruptAt = 2222
		for _, idx := range order[:4] { // unverified chunks are served as they come
			if _, err := c.ReadAt(context.Background(), k, src.Source, make([]byte, 10), idx*1000); err != nil {
				t.Fatalf("chunk %d: %v", idx, err)
			}
		}
		_, err := c.ReadAt(context.Background(), k, src.Source, make([]byte, 10), 3000)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("read completing a corrupt file gave %v, want ErrCorrupt", err)
		}
		c.wg.Wait() // the downloads end, and the file's folder goes, after the verdict
		if s := c.Stats(); s.VerifyFailures != 1 || s.BytesOnDisk != 0 || len(diskFiles(t, c.o.Dir)) != 0 {
			t.Fatalf("after a corrupt file: %+v, files %v", s, diskFiles(t, c.o.Dir))
		}
		src.corruptAt = -1
		calls := len(src.Calls())
		readOK(t, c, k, src.Source, 0, size) // everything comes again
		if n := len(src.Calls()) - calls; n != 5 {
			t.Fatalf("re-read after corruption made %d calls, want 5", n)
		}
	})
}

func TestNoMD5CachedByIDWithoutVerification(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(2500)
	a := Key{ID: "https://comps/asset/a", Size: 2500}
	readOK(t, c, a, src.Source, 0, 2500)
	readOK(t, c, a, src.Source, 0, 2500)
	if n := len(src.Calls()); n != 3 {
		t.Fatalf("%d calls, want 3 (one per chunk)", n)
	}
	readOK(t, c, Key{ID: "https://comps/asset/b", Size: 2500}, src.Source, 0, 10)
	if n := len(src.Calls()); n == 3 {
		t.Fatal("another ID shared the cache")
	}
	if s := c.Stats(); s.VerifyFailures != 0 {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestEvictsLeastRecentlyRead(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 3000, ChunkSize: 1000})
	src := newSource(1000)
	key := func(s string) Key { return Key{ID: s, Size: 1000} }
	for _, id := range []string{"a", "b", "c"} {
		readOK(t, c, key(id), src.Source, 0, 10)
	}
	readOK(t, c, key("a"), src.Source, 0, 10) // a is now newer than b
	c.wg.Wait()                               // the downloads let go of their chunks: b may be evicted
	readOK(t, c, key("d"), src.Source, 0, 10) // evicts b
	if s := c.Stats(); s.Evictions != 1 || s.BytesOnDisk != 3000 {
		t.Fatalf("Stats = %+v", s)
	}
	if got := diskBytes(t, c.o.Dir); got > 3000 {
		t.Fatalf("%d bytes on disk, bound is 3000", got)
	}
	calls := len(src.Calls())
	readOK(t, c, key("a"), src.Source, 0, 10)
	if len(src.Calls()) != calls {
		t.Fatal("a was evicted")
	}
	readOK(t, c, key("b"), src.Source, 0, 10)
	if len(src.Calls()) != calls+1 {
		t.Fatal("b was not evicted")
	}
}

func TestVerifiedFileLosesMarkWhenAChunkIsEvicted(t *testing.T) {
	k := Key{MD5: md5Of(content(0, 2000)), Size: 2000}
	c := openTest(t, ContentOptions{MaxBytes: 2500, ChunkSize: 1000})
	src := newSource(2000)
	readOK(t, c, k, src.Source, 0, 2000)
	readOK(t, c, Key{ID: "other", Size: 1000}, src.Source, 0, 10) // evicts chunk 0 of k
	name, _, _ := k.dirName()
	if _, err := os.Stat(filepath.Join(c.root, name, markerName)); !os.IsNotExist(err) {
		t.Fatalf("verified mark kept on an incomplete file: %v", err)
	}
	readOK(t, c, k, src.Source, 0, 2000)
}

func TestTinyBoundStillServesReads(t *testing.T) {
	// MaxBytes below one chunk: every chunk is evicted at once, reads still work.
	c := openTest(t, ContentOptions{MaxBytes: 10, ChunkSize: 1000})
	src := newSource(5000)
	readOK(t, c, Key{ID: "f", Size: 5000}, src.Source, 0, 5000)
	c.wg.Wait() // the downloads let go of their chunks
	if s := c.Stats(); s.BytesOnDisk != 0 || s.Evictions != 5 {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestEvictionUnderConcurrentReads(t *testing.T) {
	// Two chunks of room for eight files read at once: chunks are evicted while
	// being read, and every read still returns the right bytes.
	c := openTest(t, ContentOptions{MaxBytes: 2 << 10, ChunkSize: 1 << 10})
	src := newSource(8 << 10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 100 {
				k := Key{ID: string(rune('a' + r.IntN(8))), Size: 8 << 10}
				off := r.Int64N(8 << 10)
				if err := readCheck(c, k, src.Source, off, r.Int64N(3<<10)+1); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	c.wg.Wait()
	if s := c.Stats(); s.BytesOnDisk > 2<<10 || s.Evictions == 0 {
		t.Fatalf("Stats = %+v", s)
	}
	if got := diskBytes(t, c.o.Dir); got > 2<<10 {
		t.Fatalf("%d bytes on disk, bound is %d", got, 2<<10)
	}
}

func TestReopenFindsTheCache(t *testing.T) {
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	full := Key{MD5: md5Of(content(0, 2500)), Size: 2500}
	part := Key{ID: "partial", Size: 5000}
	c := openTest(t, o)
	src := newSource(5000)
	readOK(t, c, full, src.Source, 0, 2500)
	readOK(t, c, part, src.Source, 1000, 10)
	readOK(t, c, part, src.Source, 4000, 10)
	readOK(t, c, part, src.Source, 1000, 10) // chunk 1 of part is now the most recent
	c.Close()

	// What a crash leaves: a temporary file, a truncated chunk.
	partName, _, _ := part.dirName()
	os.WriteFile(filepath.Join(dir, "content", partName, tmpPrefix+"123"), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(dir, "content", partName, "2000"), []byte("short"), 0o600)

	c = openTest(t, o)
	if s := c.Stats(); s.BytesOnDisk != 2500+2000 {
		t.Fatalf("reopened Stats = %+v, want 4500 bytes on disk", s)
	}
	for _, f := range diskFiles(t, dir) {
		if strings.Contains(f, tmpPrefix) || f == filepath.Join("content", partName, "2000") {
			t.Fatalf("crash leftover %s survived the scan", f)
		}
	}
	fail := newSource(5000)
	fail.fail = errors.New("must not be called")
	readOK(t, c, part, fail.Source, 4000, 1000)
	readOK(t, c, full, fail.Source, 0, 2500) // complete and verified
	readOK(t, c, part, fail.Source, 1000, 1000)
	c.Close()

	// A smaller bound on the next start evicts by last read: chunk 4 of part
	// was read before the others.
	o.MaxBytes = 3500
	c = openTest(t, o)
	if s := c.Stats(); s.BytesOnDisk != 3500 || s.Evictions != 1 {
		t.Fatalf("Stats = %+v", s)
	}
	readOK(t, c, part, fail.Source, 1000, 1000)
	readOK(t, c, full, fail.Source, 0, 2500)
	if _, err := c.ReadAt(context.Background(), part, fail.Source, make([]byte, 1), 4000); err == nil {
		t.Fatal("the least recently read chunk survived")
	}
}

func TestReopenVerifiesACompleteUnmarkedFile(t *testing.T) {
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	k := Key{MD5: md5Of(content(0, 2500)), Size: 2500}
	c := openTest(t, o)
	readOK(t, c, k, newSource(2500).Source, 0, 2500)
	c.Close()
	// A crash before the mark was written, and a chunk rotted on disk.
	name, _, _ := k.dirName()
	os.Remove(filepath.Join(dir, "content", name, markerName))
	rot(t, dir, name, 1500)

	c = openTest(t, o)
	// The file is complete but not verified: no read is served before the
	// check. It fails, nothing was served: the read fetches it again.
	src := newSource(2500)
	readOK(t, c, k, src.Source, 1000, 10)
	if s := c.Stats(); s.VerifyFailures != 1 || len(src.Calls()) == 0 {
		t.Fatalf("Stats = %+v after %d calls, want the rotten file found and fetched again", s, len(src.Calls()))
	}
	readOK(t, c, k, src.Source, 0, 2500)
	c.wg.Wait()
	if s := c.Stats(); s.VerifyFailures != 1 || s.BytesOnDisk != 2500 {
		t.Fatalf("Stats = %+v, want the file whole and verified", s)
	}
}

func TestRottenChunkOfAVerifiedFileIsNeverServed(t *testing.T) {
	// A chunk of a verified file rots on disk between two runs: its first
	// read in the next run checks it against the CRC in the mark, and the
	// file is fetched again; the rotten bytes never reach a reader.
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	k := Key{MD5: md5Of(content(0, 2500)), Size: 2500}
	c := openTest(t, o)
	readOK(t, c, k, newSource(2500).Source, 0, 2500)
	c.Close()
	name, _, _ := k.dirName()
	rot(t, dir, name, 1500)
	c = openTest(t, o)
	untouched := newSource(2500)
	untouched.fail = errors.New("must not be called")
	readOK(t, c, k, untouched.Source, 0, 1000) // chunk 0 is sound
	src := newSource(2500)
	readOK(t, c, k, src.Source, 1000, 1000)
	if s := c.Stats(); s.VerifyFailures != 1 || len(src.Calls()) == 0 {
		t.Fatalf("Stats = %+v after %d calls, want the rotten chunk found and the file fetched again", s, len(src.Calls()))
	}
	readOK(t, c, k, src.Source, 0, 2500)
}

func TestReopenWithAnotherChunkSizeDropsMisfits(t *testing.T) {
	dir := t.TempDir()
	k := Key{ID: "f", Size: 12000}
	c := openTest(t, ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 4000})
	readOK(t, c, k, newSource(12000).Source, 0, 12000)
	c.Close()
	c = openTest(t, ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 8000})
	// 0..4000 has the wrong length for the first 8000-byte chunk, 4000 the wrong
	// alignment; 8000..12000 is the last chunk in both.
	if s := c.Stats(); s.BytesOnDisk != 4000 {
		t.Fatalf("Stats = %+v", s)
	}
	src := newSource(12000)
	readOK(t, c, k, src.Source, 0, 12000)
	if got := src.Calls(); !slices.Equal(got, []span{{0, 8000}}) {
		t.Fatalf("calls %v, want only the first chunk", got)
	}
}

func TestReadAheadAfterSeeks(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(10000)
	k := Key{ID: "f", Size: 10000}
	readOK(t, c, k, src.Source, 0, 300) // a first read: its chunk and one ahead
	readOK(t, c, k, src.Source, 300, 300)
	c.wg.Wait()
	if got := fetchedChunks(src, 1000); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("fetched chunks %v, want 0 and 1 ahead", got)
	}
	readOK(t, c, k, src.Source, 5000, 300) // a seek: the same small lead
	c.wg.Wait()
	if got := fetchedChunks(src, 1000); !slices.Equal(got, []int64{0, 1, 5, 6}) {
		t.Fatalf("fetched chunks %v after a seek, want 5 and 6 ahead", got)
	}
	readOK(t, c, k, src.Source, 8000, 300) // a second seek in a row: no lead
	c.wg.Wait()
	if got := fetchedChunks(src, 1000); !slices.Equal(got, []int64{0, 1, 5, 6, 8}) {
		t.Fatalf("fetched chunks %v after two seeks, want only 8 more", got)
	}
}

func TestReadAheadIsBoundedGlobally(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(10000)
	key := func(i int) Key { return Key{ID: string(rune('a' + i)), Size: 10000} }
	for i := range 10 { // ten files read sequentially: chunks 0 to 2 on disk
		readOK(t, c, key(i), src.Source, 0, 1000)
		readOK(t, c, key(i), src.Source, 1000, 600)
	}
	c.wg.Wait()
	before := len(src.Calls())
	src.gate = make(chan struct{}) // read-ahead downloads hang
	defer close(src.gate)
	for i := range 10 {
		readOK(t, c, key(i), src.Source, 1600, 1000) // from disk, and chunk 3 ahead
	}
	for start := time.Now(); len(src.Calls()) < before+maxReadAhead && time.Since(start) < 5*time.Second; {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // time for a download too many to show up
	if n := len(src.Calls()) - before; n != maxReadAhead {
		t.Fatalf("%d read-ahead downloads started, want %d", n, maxReadAhead)
	}
	filling := 0
	c.mu.Lock()
	for _, ks := range c.keys {
		for _, pc := range ks.pieces {
			if pc.path == "" && len(pc.flights) > 0 {
				filling++
			}
		}
	}
	c.mu.Unlock()
	if filling != maxReadAhead {
		t.Fatalf("%d chunk files being filled, want one per read-ahead download running", filling)
	}
}

func TestOpenContentRejectsBadOptions(t *testing.T) {
	for _, o := range []ContentOptions{
		{},
		{Dir: t.TempDir()},
		{Dir: t.TempDir(), MaxBytes: 1, ChunkSize: -1},
		{Dir: t.TempDir(), MaxBytes: 1, ChunkSize: 2 << 30},
	} {
		if _, err := OpenContent(o); err == nil {
			t.Errorf("OpenContent(%+v) succeeded", o)
		}
	}
}

func TestRandomReadsMatchTheSource(t *testing.T) {
	// A model check: random reads of random files under a tight bound return
	// exactly what the source holds.
	r := rand.New(rand.NewPCG(7, 7))
	for round := range 3 {
		cs := int64(1 + r.IntN(3000))
		c := openTest(t, ContentOptions{MaxBytes: cs * int64(1+r.IntN(6)), ChunkSize: cs})
		for range 150 {
			size := int64(r.IntN(10000))
			k := Key{MD5: md5Of(content(0, size)), Size: size}
			if r.IntN(3) == 0 {
				k = Key{ID: "f" + string(rune('0'+r.IntN(5))), Size: size}
			}
			off := r.Int64N(size + 100)
			readOK(t, c, k, newSource(size).Source, off, r.Int64N(5000))
		}
		if s := c.Stats(); s.VerifyFailures != 0 {
			t.Fatalf("round %d: Stats = %+v", round, s)
		}
	}
}

func TestChunkWhoseNameIsTakenStillServes(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	k := Key{ID: "f", Size: 1000}
	name, _, _ := k.dirName()
	// A folder where chunk 0 should go makes naming it fail.
	if err := os.MkdirAll(filepath.Join(c.root, name, "0"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.root, name, "0", "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src := newSource(1000)
	readOK(t, c, k, src.Source, 0, 1000)
	readOK(t, c, k, src.Source, 0, 1000) // this run keeps it under its temporary name
	if n := len(src.Calls()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	c.Close()
	c = openTest(t, ContentOptions{Dir: c.o.Dir, MaxBytes: 1 << 20, ChunkSize: 1000})
	if s := c.Stats(); s.BytesOnDisk != 0 {
		t.Fatalf("Stats = %+v: a chunk never named was kept across runs", s)
	}
}

func TestSmallFileIsFetchedWholeAtItsFirstRead(t *testing.T) {
	c := openTest(t, ContentOptions{MaxBytes: 64 << 20})
	for _, size := range []int64{300_000, 1 << 20} {
		src := newSource(size)
		k := Key{ID: fmt.Sprint(size), Size: size}
		readOK(t, c, k, src.Source, 4096, 4096)
		readOK(t, c, k, src.Source, 0, size)
		if got := src.Calls(); !slices.Equal(got, []span{{0, size}}) {
			t.Errorf("a %d-byte file read from the middle, then whole: calls %v, want one for all of it", size, got)
		}
	}
	src := newSource(1<<20 + 1)
	readOK(t, c, Key{ID: "bigger", Size: 1<<20 + 1}, src.Source, 0, 4096)
	if got := src.Calls(); len(got) != 1 || got[0].length > 256<<10 {
		t.Errorf("a file just over 1 MiB: first read fetched %v, want little more than asked", got)
	}
}

func TestChunksAheadOfAReaderAreCheckedInTheBackground(t *testing.T) {
	// After a start, the chunks of a verified file are checked against
	// their CRC before their first read; a read also has the next ones
	// checked in the background, so that a sequential reader does not wait
	// for each.
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	k := Key{MD5: md5Of(content(0, 6500)), Size: 6500}
	c := openTest(t, o)
	readOK(t, c, k, newSource(6500).Source, 0, 6500)
	c.Close()
	c = openTest(t, o)
	readOK(t, c, k, nil, 0, 10)
	c.wg.Wait()
	name, _, _ := k.dirName()
	c.mu.Lock()
	defer c.mu.Unlock()
	var checked []int64
	for idx := range int64(7) {
		if pc := c.keys[name].pieces[idx]; pc.checked {
			checked = append(checked, idx)
		}
	}
	if want := []int64{0, 1, 2, 3, 4}; !slices.Equal(checked, want) {
		t.Fatalf("chunks checked after a read of chunk 0: %v, want %v", checked, want)
	}
}
