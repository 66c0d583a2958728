package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// The writable files (name, description, tags/*, inbox entries) behave as
// local files would where tools notice (docs/writing.md).

// syncBuffer is a log destination tests read while the mount writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logWarnings sends the mount's warnings and errors to buf.
func logWarnings(buf *syncBuffer) envOption {
	return func(o *compsfs.Options) {
		o.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
}

// recordSaves makes the env record the body of every save the server is
// sent (work item saves and tag changes), in order.
func (e *env) recordSaves() func() []string {
	var mu sync.Mutex
	var bodies []string
	e.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		mu.Lock()
		bodies = append(bodies, r.URL.Path+" "+string(b))
		mu.Unlock()
		return false
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(bodies)
	}
}

// TestShellRedirectionsSaveOnce: the shell's `echo x > file` opens and
// truncates, closes its first descriptor (a flush with nothing written),
// writes, and closes again. The content is saved once, the emptied value is
// never sent, and nothing is logged; `: > name` is an empty name (EINVAL at
// close, the name unchanged), `: > description` and `: > tags/k` save the
// empty value once.
func TestShellRedirectionsSaveOnce(t *testing.T) {
	var id string
	var logs syncBuffer
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "old", Description: "old", State: "Succeeded",
			Tags: map[string]any{"k": "v"}})
	}, logWarnings(&logs))
	sent := e.recordSaves()
	sh := func(script string) {
		t.Helper()
		if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil {
			t.Fatalf("sh -c %q: %v: %s", script, err, out)
		}
	}
	wi := func(p string) string { return e.path("workitems", id, p) }
	sh("echo x > " + wi("name"))
	sh("echo y > " + wi("tags/k"))
	sh("echo z > " + wi("tags/new"))
	sh("echo w > " + wi("description"))
	if got := sent(); len(got) != 4 || !strings.Contains(got[0], `"x"`) || !strings.Contains(got[1], `"y"`) ||
		!strings.Contains(got[2], `"z"`) || !strings.Contains(got[3], `"w"`) {
		t.Errorf("sent for four echos:\n%s", strings.Join(got, "\n"))
	}
	if l := logs.String(); l != "" {
		t.Errorf("logged:\n%s", l)
	}
	srv := e.serverItem(id)
	if srv.Name != "x" || srv.Description != "w" || srv.Tags["k"] != "y" || srv.Tags["new"] != "z" {
		t.Errorf("server after the echos: %+v", srv)
	}

	// `: > name` from Go: open(O_TRUNC), close.
	f, err := os.OpenFile(wi("name"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf(": > name: close gave %v, want EINVAL", err)
	}
	if got := e.read("workitems", id, "name"); got != "x\n" {
		t.Errorf("name after : > name = %q", got)
	}
	before := len(sent())
	sh(": > " + wi("description"))
	sh(": > " + wi("tags/k"))
	got := sent()[before:]
	if len(got) != 2 || !strings.Contains(got[0], `"Description":""`) || !strings.Contains(got[1], `"k":""`) {
		t.Errorf("sent for : > description and : > tags/k:\n%s", strings.Join(got, "\n"))
	}
	srv = e.serverItem(id)
	if srv.Name != "x" || srv.Description != "" || srv.Tags["k"] != "" {
		t.Errorf("server after : > = %+v", srv)
	}
}

// TestACreatedTagIsSeenWhileItsCreatorWrites: a tag created with O_CREAT is
// listed, found and opened by others from its creation, showing what is
// written so far, and saved when its creator closes it.
func TestACreatedTagIsSeenWhileItsCreatorWrites(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Running", Tags: map[string]any{"a": "1"}})
	})
	tag := e.path("workitems", id, "tags", "new")
	f, err := os.OpenFile(tag, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := e.names("workitems", id, "tags"); !slices.Equal(got, []string{"a", "new"}) {
		t.Errorf("ls tags/ right after the create = %v", got)
	}
	if got := e.read("workitems", id, "tags", "new"); got != "" {
		t.Errorf("cat of the new tag before any write = %q", got)
	}
	if _, err := f.WriteString("so far"); err != nil {
		t.Fatal(err)
	}
	if got := e.read("workitems", id, "tags", "new"); got != "so far" {
		t.Errorf("cat of the new tag while written = %q, want what is written so far", got)
	}
	if st, err := os.Stat(tag); err != nil || st.Size() != int64(len("so far")) {
		t.Errorf("stat of the new tag while written: %v, %v", st, err)
	}
	g, err := os.OpenFile(tag, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("a second open for writing: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("closing the second descriptor, unchanged: %v", err)
	}
	if got := e.serverItem(id).Tags; hasKey2(got, "new") {
		t.Errorf("the server has the tag before its creator closed it: %v", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.serverItem(id).Tags["new"]; got != "so far" {
		t.Errorf("server tag after close = %v", got)
	}
	if got := e.read("workitems", id, "tags", "new"); got != "so far\n" {
		t.Errorf("cat after close = %q", got)
	}
}

// hasKey2 reports whether tags has key.
func hasKey2[V any](tags map[string]V, key string) bool {
	_, ok := tags[key]
	return ok
}

// TestARemovedTagStaysRemoved: a tag removed while a writer holds it open
// does not come back when the writer closes (the close saves nothing), nor
// does a tag created and removed before its first save; the open
// descriptor still reads and stats what it holds, with no link left.
func TestARemovedTagStaysRemoved(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Running", Tags: map[string]any{"a": "1"}})
	})
	tags := func(name string) string { return e.path("workitems", id, "tags", name) }
	old, err := os.OpenFile(tags("a"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	created, err := os.OpenFile(tags("b"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer created.Close()
	for _, f := range []*os.File{old, created} {
		if _, err := f.WriteString("written before rm"); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"a", "b"} {
		if err := os.Remove(tags(n)); err != nil {
			t.Fatalf("rm tags/%s: %v", n, err)
		}
	}
	if _, err := old.WriteString(", and after"); err != nil {
		t.Fatal(err)
	}
	st, err := created.Stat()
	if err != nil {
		t.Fatalf("fstat of the removed tag: %v", err)
	}
	if n := st.Sys().(*syscall.Stat_t).Nlink; n != 0 || st.Size() != int64(len("written before rm")) {
		t.Errorf("fstat of the removed tag: %d links, %d bytes", n, st.Size())
	}
	if b, err := io.ReadAll(io.NewSectionReader(created, 0, 100)); err != nil || string(b) != "written before rm" {
		t.Errorf("read of the removed tag: %q, %v", b, err)
	}
	for _, f := range []*os.File{old, created} {
		if err := f.Close(); err != nil {
			t.Errorf("close of a removed tag: %v", err)
		}
	}
	if got := e.serverItem(id).Tags; len(got) != 0 {
		t.Errorf("server tags after the writers closed: %v", got)
	}
	if got := e.names("workitems", id, "tags"); len(got) != 0 {
		t.Errorf("tags/ after the writers closed: %v", got)
	}
	for _, n := range []string{"a", "b"} {
		if _, err := os.Stat(tags(n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat tags/%s: %v, want ENOENT", n, err)
		}
	}
}

// TestGrowingPastTheLimitIsEFBIG: ftruncate, truncate and a write past the
// 1 MiB a writable file holds are EFBIG and change nothing.
func TestGrowingPastTheLimitIsEFBIG(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Running", Tags: map[string]any{"a": "1"}})
	})
	tag := e.path("workitems", id, "tags", "a")
	f, err := os.OpenFile(tag, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1_234_567); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("ftruncate to 1234567: %v, want EFBIG", err)
	}
	if _, err := f.WriteAt([]byte("xy"), 1<<20-1); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("a write ending past 1 MiB: %v, want EFBIG", err)
	}
	if st, err := f.Stat(); err != nil || st.Size() != 2 {
		t.Errorf("fstat after the refusals: %v, %v; want 2 bytes", st, err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := os.Truncate(tag, 1_234_567); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("truncate to 1234567: %v, want EFBIG", err)
	}
	if got := e.read("workitems", id, "tags", "a"); got != "1\n" {
		t.Errorf("tags/a after the refusals = %q", got)
	}
}

// TestValuesThatAreNotUTF8AreRefused: the server keeps text, so bytes that
// are not UTF-8 are EINVAL at close and nothing changes, rather than being
// replaced by U+FFFD.
func TestValuesThatAreNotUTF8AreRefused(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", Description: "d", State: "Running",
			Tags: map[string]any{"a": "1"}})
	})
	bad := []byte{'v', 0xff, 0xfe, '\n'}
	for _, p := range []string{"tags/a", "tags/new", "description", "name"} {
		if err := os.WriteFile(e.path("workitems", id, p), bad, 0o644); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("writing bytes that are not UTF-8 to %s: %v, want EINVAL", p, err)
		}
	}
	srv := e.serverItem(id)
	if srv.Name != "n" || srv.Description != "d" || len(srv.Tags) != 1 || srv.Tags["a"] != "1" {
		t.Errorf("the server changed: %+v", srv)
	}
	if got := e.names("workitems", id, "tags"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("tags/ = %v", got)
	}
	// Valid UTF-8 beyond ASCII is kept byte for byte.
	if err := os.WriteFile(e.path("workitems", id, "tags", "a"), []byte("é ✓\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := e.read("workitems", id, "tags", "a"); got != "é ✓\n" {
		t.Errorf("tags/a = %q", got)
	}
}

// TestFstatOfARemovedInboxFile: an open inbox file removed with rm still
// answers fstat (no link left) and reads, as a local file does.
func TestFstatOfARemovedInboxFile(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{})
	if err := os.Mkdir(e.path("inbox", "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.path("inbox", "run", "cases.csv"), []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(e.path("inbox", "run", "cases.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	order, err := os.Create(e.path("inbox", "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer order.Close()
	if _, err := order.WriteString("{}"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("inbox", "run", "cases.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("inbox", "order.json")); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[*os.File]string{in: "a,b\n", order: "{}"} {
		st, err := f.Stat()
		if err != nil {
			t.Errorf("fstat of removed %s: %v", f.Name(), err)
			continue
		}
		if n := st.Sys().(*syscall.Stat_t).Nlink; n != 0 || st.Size() != int64(len(want)) {
			t.Errorf("fstat of removed %s: %d links, %d bytes", f.Name(), n, st.Size())
		}
		if b, err := io.ReadAll(io.NewSectionReader(f, 0, 100)); err != nil || string(b) != want {
			t.Errorf("read of removed %s: %q, %v", f.Name(), b, err)
		}
	}
}

// TestConcurrentTagWritersEndRight: 8 writers, each writing its own tag and
// a shared one 50 times, end with every own tag at its last value and the
// shared one at the last value of one of them.
func TestConcurrentTagWritersEndRight(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Running"})
	})
	const writers, writes = 8, 50
	parallelDo(writers, writers, func(w int) {
		for i := range writes {
			for _, name := range []string{fmt.Sprintf("w%d", w), "shared"} {
				v := fmt.Sprintf("%d-%d\n", w, i)
				if err := os.WriteFile(e.path("workitems", id, "tags", name), []byte(v), 0o644); err != nil {
					t.Errorf("writer %d, write %d of %s: %v", w, i, name, err)
				}
			}
		}
	})
	tags := e.serverItem(id).Tags
	var lasts []string
	for w := range writers {
		last := fmt.Sprintf("%d-%d", w, writes-1)
		lasts = append(lasts, last)
		if got := tags[fmt.Sprintf("w%d", w)]; got != last {
			t.Errorf("tag w%d = %v, want %s", w, got, last)
		}
	}
	if got, _ := tags["shared"].(string); !slices.Contains(lasts, got) {
		t.Errorf("tag shared = %v, want one of %v", tags["shared"], lasts)
	}
	if got := e.names("workitems", id, "tags"); len(got) != writers+1 {
		t.Errorf("tags/ = %v", got)
	}
}
