package fs_test

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/localcomps"
)

// dropKernelPages makes the kernel forget the pages it keeps of path, so
// that the next read of it is not served from them.
func dropKernelPages(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
}

// An output whose bytes are whole in the cache and verified when it is
// first opened (here: the same bytes, read before as another work item's
// output) is read by the kernel from the cache's file (passthrough): no
// read reaches the content cache, and the bytes are the output's. An output
// first read through the page cache goes on that way (the kernel fails
// opens that switch), and never fails an open.
func TestVerifiedOutputIsReadByTheKernelFromTheCache(t *testing.T) {
	data := randomBytes(31, 9<<20+123)
	var first, second string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		first = seedOne(t, s, localcomps.SeedWorkItem{Name: "first", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "out.bin", Data: data}}})
		second = seedOne(t, s, localcomps.SeedWorkItem{Name: "second", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "same.bin", Data: data}}})
	})
	if !e.mnt.Mount.Passthrough() {
		t.Skip("no FUSE passthrough here: the kernel does not offer it, the test does not run as root, or the cache's filesystem is stacked")
	}
	cold := e.path("workitems", first, "outputs", "out.bin")
	warm := e.path("workitems", second, "outputs", "same.bin")

	// A cold read through the page cache, held open while the other file
	// is read: both right.
	held, err := os.Open(cold)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close() // on a failure too: an open file would keep the mount busy at cleanup
	if b, err := os.ReadFile(cold); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("cold read: %d bytes, %v", len(b), err)
	}
	readsOf := func(path string) int64 {
		t.Helper()
		dropKernelPages(t, path)
		before := e.opts.Content.Stats().Hits
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("read of %s: %d bytes, %v", path, len(b), err)
		}
		return e.opts.Content.Stats().Hits - before
	}
	if n := readsOf(warm); n != 0 {
		t.Fatalf("a verified output first opened now went through the cache (%d reads): no passthrough", n)
	}
	// The output read through the page cache stays so, open or closed.
	if n := readsOf(cold); n == 0 {
		t.Error("the output first read through the page cache was not read through it again")
	}
	held.Close()
	for range 20 {
		if n := readsOf(cold); n == 0 {
			t.Fatal("an output first read through the page cache switched to passthrough")
		}
	}

	// Many at once, both ways.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			path := warm
			if i%2 == 0 {
				path = cold
			}
			b, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(b, data) {
				t.Errorf("parallel read of %s: %d bytes, %v", path, len(b), err)
			}
		})
	}
	wg.Wait()
}
