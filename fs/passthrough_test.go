package fs_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
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

// An output whose bytes are whole in the cache and verified when it is
// opened (here: the same bytes, read before as another work item's output)
// is read by the kernel from the cache's file (passthrough): no read reaches
// the content cache, and the bytes are the output's. An output opened before
// it is verified is read through compsfs (direct I/O) for as long as such an
// open is left, mapped shared or not, and by the kernel afterwards; no open
// ever fails.
func TestVerifiedOutputIsReadByTheKernelFromTheCache(t *testing.T) {
	data := randomBytes(31, 9<<20+123)
	var first, second, third string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		first = seedOne(t, s, localcomps.SeedWorkItem{Name: "first", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "out.bin", Data: data}}})
		second = seedOne(t, s, localcomps.SeedWorkItem{Name: "second", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "same.bin", Data: data}}})
		third = seedOne(t, s, localcomps.SeedWorkItem{Name: "third", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "other.bin", Data: data[:5<<20]}}})
	})
	if !e.mnt.Mount.Passthrough() {
		t.Skip("no FUSE passthrough here: the kernel does not offer it, the test does not run as root, or the cache's filesystem is stacked")
	}
	cold := e.path("workitems", first, "outputs", "out.bin")
	warm := e.path("workitems", second, "outputs", "same.bin")
	mapped := e.path("workitems", third, "outputs", "other.bin")

	readsOf := func(path string, want []byte) int64 {
		t.Helper()
		dropKernelPages(t, path)
		before := e.opts.Content.Stats().Hits
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, want) {
			t.Fatalf("read of %s: %d bytes, %v", path, len(b), err)
		}
		return e.opts.Content.Stats().Hits - before
	}

	// kernelReadsOf is readsOf once the kernel has let compsfs know that
	// the last open made before the file was verified is released: close
	// returns before that (the kernel sends the release in the background),
	// and until then a new open goes through compsfs too.
	kernelReadsOf := func(path string, want []byte) (n int64) {
		t.Helper()
		for range 50 {
			if n = readsOf(path, want); n == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return n
	}

	// A cold read, held open while the other file is read: both right.
	held, err := os.Open(cold)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close() // on a failure too: an open file would keep the mount busy at cleanup
	if n := readsOf(cold, data); n == 0 {
		t.Fatal("a cold read reached no cache")
	}
	if n := readsOf(warm, data); n != 0 {
		t.Fatalf("a verified output opened now went through the cache (%d reads): no passthrough", n)
	}
	// While the open made before it was verified is left, the output is
	// read through compsfs; mapped shared too.
	if n := readsOf(cold, data); n == 0 {
		t.Error("an output opened while an earlier direct-I/O open is left did not go through compsfs")
	}
	mapShared(t, cold, data).done()
	if n := readsOf(cold, data); n == 0 {
		t.Error("an output opened while an earlier direct-I/O open is left did not go through compsfs")
	}
	held.Close()
	if n := kernelReadsOf(cold, data); n != 0 {
		t.Errorf("a verified output with no direct-I/O open left went through the cache (%d reads): no passthrough", n)
	}

	// A cold output mapped shared at its first open: right bytes, and
	// read by the kernel once the mapping and its file are gone.
	m := mapShared(t, mapped, data[:5<<20])
	if n := readsOf(mapped, data[:5<<20]); n == 0 {
		t.Error("an output opened while a shared mapping of it is left did not go through compsfs")
	}
	m.done()
	if n := kernelReadsOf(mapped, data[:5<<20]); n != 0 {
		t.Errorf("a verified output once mapped went through the cache (%d reads): no passthrough", n)
	}

	// Many at once, all ways.
	var wg sync.WaitGroup
	for i := range 9 {
		wg.Go(func() {
			path, want := warm, data
			switch i % 3 {
			case 0:
				path = cold
			case 1:
				path, want = mapped, data[:5<<20]
			}
			b, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(b, want) {
				t.Errorf("parallel read of %s: %d bytes, %v", path, len(b), err)
			}
		})
	}
	wg.Wait()
}

// sharedMapping is a helper process holding a shared mapping of a file.
type sharedMapping struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.Closer
}

// mapShared maps path shared, read-only, in a helper process (the test's
// own process serves the mount: a page fault of its own could wait on a
// stop of its own world), checks that the mapping holds want, and keeps it
// until done.
func mapShared(t *testing.T, path string, want []byte) *sharedMapping {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMapShared$")
	cmd.Env = append(os.Environ(), "COMPSFS_TEST_MAP="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m := &sharedMapping{t: t, cmd: cmd, stdin: stdin}
	t.Cleanup(m.done)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if sum := md5.Sum(want); err != nil || line != hex.EncodeToString(sum[:])+"\n" {
		t.Fatalf("shared mapping of %s: md5 %q (%v), want %x", path, line, err, sum)
	}
	return m
}

// done lets the helper unmap, close and exit, and waits for it.
func (m *sharedMapping) done() {
	if m.stdin == nil {
		return
	}
	m.stdin.Close()
	m.stdin = nil
	if err := m.cmd.Wait(); err != nil {
		m.t.Errorf("shared mapping helper: %v", err)
	}
}

// TestHelperMapShared is the process mapShared starts: it maps the file
// COMPSFS_TEST_MAP names, prints the md5 of the mapping, and unmaps once its
// standard input closes.
func TestHelperMapShared(t *testing.T) {
	path := os.Getenv("COMPSFS_TEST_MAP")
	if path == "" {
		t.Skip("the helper process of mapShared")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap %s: %v", path, err)
	}
	defer unix.Munmap(m)
	sum := md5.Sum(m)
	fmt.Println(hex.EncodeToString(sum[:]))
	_, _ = io.Copy(io.Discard, os.Stdin)
}
