package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
	"golang.org/x/sys/unix"
)

// TestOfflineServesWhatWasFetched: with the server stopped after a
// listing, the listing, metadata (expired or not) and cached output bytes
// still read; an output never fetched is EIO within --timeout; .stats says
// since when the server is unreachable; once the server is back, fresh data
// again, without remounting.
func TestOfflineServesWhatWasFetched(t *testing.T) {
	var done, running string
	out := bytes.Repeat([]byte("cached line\n"), 1000)
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		done = seedOne(t, s, localcomps.SeedWorkItem{Name: "done", State: "Succeeded", Outputs: []localcomps.SeedFile{
			{Path: "read.txt", Data: out}, {Path: "never.txt", Data: []byte("never read\n")}}})
		running = seedOne(t, s, localcomps.SeedWorkItem{Name: "running", State: "Running"})
	}, func(o *compsfs.Options) {
		o.Timeout, o.AttrTTL, o.DirTTL = 2*time.Second, 200*time.Millisecond, 400*time.Millisecond
	})
	listed := e.names("workitems")
	metadata := e.read("workitems", running, "metadata.json")
	if got := e.read("workitems", done, "outputs", "read.txt"); got != string(out) {
		t.Fatalf("read.txt online: %d bytes", len(got))
	}
	e.stopServer()
	time.Sleep(500 * time.Millisecond) // every listing and unfinished item has expired

	start := time.Now()
	if got := e.names("workitems"); !slices.Equal(got, listed) {
		t.Errorf("ls workitems/ offline = %v, want %v", got, listed)
	}
	if got := e.read("workitems", running, "state"); got != "Running\n" {
		t.Errorf("state offline = %q", got)
	}
	if got := e.read("workitems", running, "metadata.json"); got != metadata {
		t.Errorf("metadata.json offline differs:\n%s", got)
	}
	if got := e.read("workitems", done, "outputs", "read.txt"); got != string(out) {
		t.Errorf("cached output offline: %d bytes", len(got))
	}
	if took := time.Since(start); took > e.opts.Timeout {
		t.Errorf("reading what was cached took %s offline, more than --timeout", took)
	}
	start = time.Now()
	_, err := os.ReadFile(e.path("workitems", done, "outputs", "never.txt"))
	if !errors.Is(err, syscall.EIO) {
		t.Errorf("an output never fetched, offline: %v, want EIO", err)
	}
	if took := time.Since(start); took > e.opts.Timeout+time.Second {
		t.Errorf("the uncached read took %s, more than --timeout + 1 s", took)
	}
	stats, err := compsfs.ReadStats(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Server.Reachable || stats.Server.UnreachableSince == nil || stats.Server.StaleServed == 0 {
		t.Errorf(".stats server offline = %+v, want unreachable since a time, stale answers counted", stats.Server)
	}

	e.startServer()
	fresh := seedOne(t, e.srv, localcomps.SeedWorkItem{Name: "fresh", State: "Created"})
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(e.names("workitems"), fresh) {
		if time.Now().After(deadline) {
			t.Fatalf("the server is back, but workitems/ never showed a new item")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := e.read("workitems", done, "outputs", "never.txt"); got != "never read\n" {
		t.Errorf("never.txt once the server is back = %q", got)
	}
	if stats, _ := compsfs.ReadStats(e.dir); !stats.Server.Reachable {
		t.Errorf(".stats server once back = %+v", stats.Server)
	}
}

// TestDeadServerBoundsEveryCall: 100 concurrent reads of outputs never
// fetched, with the server gone: every read returns (EIO) within --timeout
// + 1 s, the kernel has no request left waiting, and once the server is back
// on the same address every read succeeds without remounting.
func TestDeadServerBoundsEveryCall(t *testing.T) {
	const n = 100
	var id string
	outs := make([]localcomps.SeedFile, n)
	for i := range outs {
		outs[i] = localcomps.SeedFile{Path: fmt.Sprintf("f%03d.bin", i), Data: bytes.Repeat([]byte{byte(i)}, 256<<10)}
	}
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "many", State: "Succeeded", Outputs: outs})
	}, func(o *compsfs.Options) { o.Timeout = 2 * time.Second })
	dir := e.path("workitems", id, "outputs")
	if got := len(e.names("workitems", id, "outputs")); got != n {
		t.Fatalf("%d outputs listed", got)
	}
	e.stopServer()

	var mu sync.Mutex
	var slowest time.Duration
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			_, err := os.ReadFile(filepath.Join(dir, outs[i].Path))
			took := time.Since(start)
			mu.Lock()
			slowest = max(slowest, took)
			mu.Unlock()
			if !errors.Is(err, syscall.EIO) {
				t.Errorf("read %s with the server gone: %v, want EIO", outs[i].Path, err)
			}
		}()
	}
	wg.Wait()
	t.Logf("slowest of %d concurrent reads with the server gone: %s (--timeout %s)", n, slowest, e.opts.Timeout)
	if slowest > e.opts.Timeout+time.Second {
		t.Errorf("slowest read took %s, more than --timeout + 1 s", slowest)
	}
	// Requests the readers did not wait for (read-ahead, releases) end too,
	// within the same bound.
	waiting := kernelWaiting(t, e.dir)
	for end := time.Now().Add(e.opts.Timeout + time.Second); waiting > 0 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
		waiting = kernelWaiting(t, e.dir)
	}
	if waiting > 0 {
		t.Errorf("the kernel still has %d requests waiting --timeout + 1 s after the reads ended", waiting)
	}

	e.startServer()
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < n; {
		b, err := os.ReadFile(filepath.Join(dir, outs[i].Path))
		if err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("read %s once the server is back: %v", outs[i].Path, err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if !bytes.Equal(b, outs[i].Data) {
			t.Fatalf("%s differs once the server is back", outs[i].Path)
		}
		i++
	}
}

// kernelWaiting is the kernel's count of requests waiting for an answer on
// the mount at dir (/sys/fs/fuse/connections/<dev>/waiting, mounting the
// fusectl filesystem there when it is not), -1 (logged) when it cannot be
// read.
func kernelWaiting(t *testing.T, dir string) int {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	const conns = "/sys/fs/fuse/connections"
	path := fmt.Sprintf("%s/%d/waiting", conns, unix.Minor(st.Dev))
	if _, err := os.Stat(path); err != nil {
		if err := syscall.Mount("fusectl", conns, "fusectl", 0, ""); err != nil {
			t.Logf("mount fusectl on %s: %v", conns, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("the kernel's waiting count of %s cannot be read: %v", dir, err)
		return -1
	}
	var n int
	fmt.Sscan(strings.TrimSpace(string(b)), &n)
	return n
}
