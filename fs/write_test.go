package fs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// serverItem reads a work item (with its tags) straight from the server.
func (e *env) serverItem(id string) *client.WorkItem {
	e.t.Helper()
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{Children: []string{"Tags"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return wi
}

// mode is a path's permission bits through the mount.
func (e *env) mode(parts ...string) os.FileMode {
	e.t.Helper()
	st, err := os.Lstat(e.path(parts...))
	if err != nil {
		e.t.Fatal(err)
	}
	return st.Mode().Perm()
}

// saves counts the work-item saves the server answered.
func (e *env) saves() int64 { return e.srv.Stats().Requests["POST /api/WorkItems"] }

func TestNameAndDescriptionAreWrittenAndShownAtOnce(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "old", Description: "old text", State: "Succeeded"})
	})
	name, desc := []string{"workitems", id, "name"}, []string{"workitems", id, "description"}
	if got := e.read(name...); got != "old\n" { // the catalog and the kernel now hold the old value
		t.Fatalf("name = %q", got)
	}
	_ = e.names("workitems")
	if err := os.WriteFile(e.path(name...), []byte("new name\n"), 0o644); err != nil {
		t.Fatalf("echo > name: %v", err)
	}
	if wi := e.serverItem(id); wi.Name != "new name" {
		t.Errorf("server name = %q, want %q", wi.Name, "new name")
	}
	if got := e.read(name...); got != "new name\n" {
		t.Errorf("cat name after the write = %q", got)
	}
	if st, err := os.Stat(e.path(name...)); err != nil || st.Size() != int64(len("new name\n")) {
		t.Errorf("stat name after the write: %v, %v", st, err)
	}
	if !slices.Contains(e.names("workitems"), id) {
		t.Errorf("workitems/ lost %s", id)
	}
	if got := e.read("workitems", id, "metadata.json"); !strings.Contains(got, `"name": "new name"`) {
		t.Errorf("metadata.json after the write:\n%s", got)
	}

	// printf without a newline; then clearing the description.
	if err := os.WriteFile(e.path(desc...), []byte("no newline"), 0o644); err != nil {
		t.Fatal(err)
	}
	if wi := e.serverItem(id); wi.Description != "no newline" {
		t.Errorf("server description = %q", wi.Description)
	}
	if got := e.read(desc...); got != "no newline\n" {
		t.Errorf("cat description = %q", got)
	}
	if st, err := os.Stat(e.path(desc...)); err != nil || st.Size() != int64(len("no newline\n")) {
		t.Errorf("stat description after printf: %v, %v", st, err)
	}
	if err := os.WriteFile(e.path(desc...), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if wi := e.serverItem(id); wi.Description != "" {
		t.Errorf("server description after : > = %q", wi.Description)
	}
	if got := e.read(desc...); got != "" {
		t.Errorf("cat description after : > = %q", got)
	}

	// A shell's redirection: open, truncate, write, close.
	if out, err := exec.Command("sh", "-c", "echo from the shell > "+e.path(name...)).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	if got := e.read(name...); got != "from the shell\n" {
		t.Errorf("cat name after sh = %q", got)
	}
	for _, p := range [][]string{name, desc, {"workitems", id, "ctl"}} {
		if m := e.mode(p...); m != 0o644 {
			t.Errorf("mode of %s = %v, want 0644", p[len(p)-1], m)
		}
	}
	if m := e.mode("workitems", id, "state"); m != 0o444 {
		t.Errorf("mode of state = %v, want 0444", m)
	}
}

func TestTheKernelForgetsTheFolderOfAWrittenItem(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "old", State: "Succeeded"})
	})
	// A finished item's folder attributes are kept by the kernel for an hour.
	before, err := os.Stat(e.path("workitems", id))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // so that last_modified moves
	if err := os.WriteFile(e.path("workitems", id, "name"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := e.serverItem(id).LastModified.Time
	deadline := time.Now().Add(time.Second) // the notification is sent after close's reply
	for {
		st, err := os.Stat(e.path("workitems", id))
		if err == nil && st.ModTime().Equal(want) && !st.ModTime().Equal(before.ModTime()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("folder mtime %v (before %v), want the new last_modified %v", st.ModTime(), before.ModTime(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNamesWrittenDuringListingsAreShownAtOnce(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var items []localcomps.SeedWorkItem
		for range 50 {
			items = append(items, localcomps.SeedWorkItem{Name: "filler", State: "Succeeded"})
		}
		if _, err := s.Seed(ctx, items); err != nil {
			t.Fatal(err)
		}
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "v0", State: "Succeeded"})
	})
	// Listings keep running (each one refills every item's metadata) while
	// the name is written again and again: none may bring an older name back.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, _ = os.ReadDir(e.path("workitems"))
			_, _ = os.ReadFile(e.path("workitems", id, "name"))
		}
	}()
	defer func() { close(stop); <-done }()
	for i := 1; i <= 20; i++ {
		v := fmt.Sprintf("v%d", i)
		if err := os.WriteFile(e.path("workitems", id, "name"), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := e.read("workitems", id, "name"); got != v+"\n" {
			t.Fatalf("cat name right after writing %s = %q", v, got)
		}
	}
}

func TestFlushSavesOnlyWhatWasWrittenSinceTheLastSave(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "old", State: "Running"})
	})
	f, err := os.OpenFile(e.path("workitems", id, "name"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("first"); err != nil {
		t.Fatal(err)
	}
	before := e.saves()
	dup, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Close(dup); err != nil { // Flush: saves "first"
		t.Fatalf("close of the dup: %v", err)
	}
	if got := e.serverItem(id).Name; got != "first" {
		t.Errorf("after the dup's close the server has %q", got)
	}
	if _, err := f.WriteAt([]byte("second"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil { // Flush again: saves "second"
		t.Fatal(err)
	}
	if got := e.serverItem(id).Name; got != "second" {
		t.Errorf("after close the server has %q", got)
	}
	if n := e.saves() - before; n != 2 {
		t.Errorf("%d saves, want 2", n)
	}
	// Opened and closed without a write: nothing to save.
	g, err := os.OpenFile(e.path("workitems", id, "name"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if n := e.saves() - before; n != 2 {
		t.Errorf("%d saves after an open without writes, want 2", n)
	}
}

func TestTruncateAfterACloseTruncatesTheFileNotTheHandle(t *testing.T) {
	// The kernel releases a closed file in the background, so a handle can
	// outlive its close for a while; here a dup keeps it open on purpose.
	// truncate(1) by path from the same process is then about the file:
	// saved at once, refused at once when empty.
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "kept", State: "Succeeded"})
	})
	name := e.path("workitems", id, "name")
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dup, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Close(dup); err != nil { // a flush: this open is over
		t.Fatal(err)
	}
	if err := syscall.Truncate(name, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("truncate to an empty name: %v, want EINVAL", err)
	}
	if err := syscall.Truncate(name, 2); err != nil {
		t.Fatalf("truncate to 2 bytes: %v", err)
	}
	if got := e.serverItem(id).Name; got != "ke" {
		t.Errorf("right after the truncate the server has %q, want ke", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.serverItem(id).Name; got != "ke" {
		t.Errorf("after the close the server has %q, want ke", got)
	}
}

func TestServerRefusalReachesTheWriter(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "kept", State: "Succeeded"})
	})
	name := e.path("workitems", id, "name")
	_ = e.read("workitems", id, "name")
	if err := os.WriteFile(name, []byte("\n"), 0o644); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("empty name: %v, want EINVAL", err)
	}
	e.srv.SetFaults(localcomps.Faults{FailRate: 1})
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		e.srv.SetFaults(localcomps.Faults{})
		t.Fatal(err)
	}
	_, werr := f.WriteString("lost")
	cerr := f.Close()
	e.srv.SetFaults(localcomps.Faults{})
	if werr != nil || !errors.Is(cerr, syscall.EIO) {
		t.Errorf("write, close with the server failing: %v, %v; want nil, EIO", werr, cerr)
	}
	if got := e.serverItem(id).Name; got != "kept" {
		t.Errorf("server name = %q, want kept", got)
	}
	if got := e.read("workitems", id, "name"); got != "kept\n" {
		t.Errorf("cat name = %q, want kept", got)
	}
}

func TestReadOnlyFilesRefuseWrites(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Succeeded"})
	})
	state := e.path("workitems", id, "state")
	if err := os.WriteFile(state, []byte("Failed\n"), 0o644); !errors.Is(err, syscall.EACCES) {
		t.Errorf("write state: %v, want EACCES", err)
	}
	if err := os.Truncate(state, 0); !errors.Is(err, syscall.EACCES) {
		t.Errorf("truncate state: %v, want EACCES", err)
	}
	if err := os.Remove(e.path("workitems", id, "name")); !errors.Is(err, syscall.EACCES) {
		t.Errorf("rm name: %v, want EACCES", err)
	}
	if err := os.WriteFile(e.path("workitems", id, "new"), nil, 0o644); !errors.Is(err, syscall.EACCES) {
		t.Errorf("create in a work item folder: %v, want EACCES", err)
	}
	if got := e.read("workitems", id, "state"); got != "Succeeded\n" {
		t.Errorf("state = %q", got)
	}
}

func TestReadOnlyMountRefusesEveryWriteWithEROFS(t *testing.T) {
	var id, other string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Created", Tags: map[string]any{"k": "v"}})
		other = seedOne(t, s, localcomps.SeedWorkItem{Name: "o", State: "Succeeded"})
	}, func(o *compsfs.Options) { o.ReadOnly = true })
	wi := func(parts ...string) string { return e.path(append([]string{"workitems", id}, parts...)...) }
	for what, err := range map[string]error{
		"name":        os.WriteFile(wi("name"), []byte("x"), 0o644),
		"description": os.WriteFile(wi("description"), []byte("x"), 0o644),
		"truncate":    os.Truncate(wi("name"), 0),
		"new tag":     os.WriteFile(wi("tags", "new"), []byte("x"), 0o644),
		"tag":         os.WriteFile(wi("tags", "k"), []byte("x"), 0o644),
		"rm tag":      os.Remove(wi("tags", "k")),
		"ctl":         os.WriteFile(wi("ctl"), []byte("commission\n"), 0o644),
		"ln -s":       os.Symlink(e.path("workitems", other), wi("relations", "depends_on", other)),
		"state":       os.WriteFile(wi("state"), []byte("x"), 0o644),
	} {
		if !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s on a read-only mount: %v, want EROFS", what, err)
		}
	}
	wantModes := map[string]os.FileMode{"name": 0o444, "ctl": 0o444, "tags": 0o555, "tags/k": 0o444}
	for p, want := range wantModes {
		if got := e.mode("workitems", id, p); got != want {
			t.Errorf("mode of %s on a read-only mount = %v, want %v", p, got, want)
		}
	}
	got := e.serverItem(id)
	if got.Name != "n" || got.State != client.StateCreated || got.Tags["k"] != "v" || len(got.Tags) != 1 {
		t.Errorf("the server changed: %+v", got)
	}
}

func TestAnotherMountSeesWhatWasWritten(t *testing.T) {
	var id, other string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "before", State: "Succeeded"})
		other = seedOne(t, s, localcomps.SeedWorkItem{Name: "other", State: "Succeeded"})
	})
	wi := func(parts ...string) string { return e.path(append([]string{"workitems", id}, parts...)...) }
	for p, v := range map[string]string{"name": "after\n", "description": "written\n", "tags/a%2Fb": "tagged\n"} {
		if err := os.WriteFile(wi(p), []byte(v), 0o644); err != nil {
			t.Fatalf("write %s: %v", p, err)
		}
	}
	if err := os.Symlink("../../../../workitems/"+other, wi("relations", "depends_on", other)); err != nil {
		t.Fatal(err)
	}
	e.mount() // a fresh mount of the same server
	for p, want := range map[string]string{"name": "after\n", "description": "written\n", "tags/a%2Fb": "tagged\n"} {
		if got := e.read("workitems", id, p); got != want {
			t.Errorf("second mount: %s = %q, want %q", p, got, want)
		}
	}
	e.checkLink("../../../../workitems/"+other, "workitems", id, "relations", "depends_on", other)
	srv := e.serverItem(id)
	if srv.Name != "after" || srv.Description != "written" || srv.Tags["a/b"] != "tagged" {
		t.Errorf("server: %+v", srv)
	}
}
