package fs_test

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

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

// A complete, verified output is read by the kernel from the cache's file
// (passthrough) once nothing has it open through the page cache: no read
// reaches the content cache, and the bytes are the output's. Opens while
// one is open the other way never fail (the kernel would say EIO).
func TestVerifiedOutputIsReadByTheKernelFromTheCache(t *testing.T) {
	data := randomBytes(31, 9<<20+123)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "passthrough", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "out.bin", Data: data}}})
	})
	if !e.mnt.Mount.Passthrough() {
		t.Skip("the kernel does not offer FUSE passthrough here, or the test does not run as root")
	}
	path := e.path("workitems", id, "outputs", "out.bin")

	// A cold read, with a second open made while the first is open and
	// the file not verified yet: both through the page cache.
	first, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close() // on a failure too: an open file would keep the mount busy at cleanup
	got := make([]byte, len(data))
	if _, err := first.ReadAt(got[:1<<20], 0); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(path) // reads the rest; the file is verified at its end
	if err != nil || !bytes.Equal(second, data) {
		t.Fatalf("read while another open is held: %d bytes, %v", len(second), err)
	}
	// Verified now, but first is still open through the page cache: a
	// new open must be too.
	if again, err := os.ReadFile(path); err != nil || !bytes.Equal(again, data) {
		t.Fatalf("read beside an open through the page cache: %d bytes, %v", len(again), err)
	}
	first.Close()

	// Once the releases are in, the next reads never reach the cache.
	var hits int64
	for i := 0; ; i++ {
		dropKernelPages(t, path)
		before := e.opts.Content.Stats().Hits
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("read of the verified file: %d bytes, %v", len(b), err)
		}
		if hits = e.opts.Content.Stats().Hits - before; hits == 0 {
			break
		}
		if i == 50 {
			t.Fatalf("every read of a verified file went through the cache (%d reads the last time): no passthrough", hits)
		}
		time.Sleep(20 * time.Millisecond) // releases are sent after close
	}

	// Many at once, passthrough and not mixed, all right.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			b, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(b, data) {
				t.Errorf("parallel read: %d bytes, %v", len(b), err)
			}
		})
	}
	wg.Wait()
}
