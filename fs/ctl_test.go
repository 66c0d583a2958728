package fs_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestCtlCommissionsAndCancels(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "to run", State: "Created"})
	})
	ctl := e.path("workitems", id, "ctl")
	if got := e.read("workitems", id, "state"); got != "Created\n" { // cached from now on
		t.Fatalf("state = %q", got)
	}
	if got := e.names("by-state", "Created"); !slices.Contains(got, id) {
		t.Fatalf("by-state/Created = %v", got)
	}
	if err := os.WriteFile(ctl, []byte("commission\n"), 0o644); err != nil {
		t.Fatalf("echo commission > ctl: %v", err)
	}
	if got := e.serverItem(id).State; got != client.StateCommissionRequested {
		t.Errorf("server state = %s, want CommissionRequested", got)
	}
	if got := e.read("workitems", id, "state"); got != "CommissionRequested\n" {
		t.Errorf("cat state after commission = %q", got)
	}
	if got := e.read("workitems", id, "ctl"); got != "state CommissionRequested\ncommands: cancel\n" {
		t.Errorf("cat ctl after commission = %q", got)
	}
	if got := e.names("by-state", "CommissionRequested"); !slices.Contains(got, id) {
		t.Errorf("by-state/CommissionRequested = %v, want %s in it", got, id)
	}
	if _, err := os.Lstat(e.path("by-state", "Created", id)); !os.IsNotExist(err) {
		t.Errorf("by-state/Created/%s after commission: %v, want ENOENT", id, err)
	}
	if err := os.WriteFile(ctl, []byte("cancel"), 0o644); err != nil {
		t.Fatalf("printf cancel > ctl: %v", err)
	}
	// With no local worker holding it, the server cancels at once.
	if got := e.read("workitems", id, "state"); got != "Canceled\n" && got != "CancelRequested\n" {
		t.Errorf("cat state after cancel = %q", got)
	}
	if got := e.serverItem(id).State; got != client.StateCanceled && got != client.StateCancelRequested {
		t.Errorf("server state after cancel = %s", got)
	}
}

func TestCtlRefusesWhatItCannotDo(t *testing.T) {
	var done, created string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		done = seedOne(t, s, localcomps.SeedWorkItem{Name: "done", State: "Succeeded"})
		created = seedOne(t, s, localcomps.SeedWorkItem{Name: "new", State: "Created"})
	})
	ctl := func(id string) string { return e.path("workitems", id, "ctl") }
	if err := os.WriteFile(ctl(done), []byte("cancel\n"), 0o644); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("cancel of a Succeeded item: %v, want EINVAL", err)
	}
	if err := os.WriteFile(ctl(created), []byte("run please\n"), 0o644); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("an unknown command: %v, want EINVAL", err)
	}
	f, err := os.OpenFile(ctl(created), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("comm"); err != nil {
		t.Errorf("the start of a command: %v", err)
	}
	if err := f.Close(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("close after an incomplete command: %v, want EINVAL", err)
	}
	// The shell's echo reports the refusal: it comes back from write(2).
	if err := exec.Command("sh", "-c", "echo cancel > "+ctl(done)).Run(); err == nil {
		t.Error("sh -c 'echo cancel > ctl' on a Succeeded item succeeded")
	}
	for id, want := range map[string]client.WorkItemState{done: client.StateSucceeded, created: client.StateCreated} {
		if got := e.serverItem(id).State; got != want {
			t.Errorf("server state of %s = %s, want %s", id, got, want)
		}
	}
	if got := e.read("workitems", done, "state"); got != "Succeeded\n" {
		t.Errorf("state = %q", got)
	}
}
