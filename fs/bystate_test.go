package fs_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestByStateListsItemsInTheirStateFolder(t *testing.T) {
	var running, failed, created string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		running = seedOne(t, s, localcomps.SeedWorkItem{Name: "runs", State: "Running"})
		failed = seedOne(t, s, localcomps.SeedWorkItem{Name: "fails", State: "Failed", ErrorMessage: "exit status 3"})
		created = seedOne(t, s, localcomps.SeedWorkItem{Name: "new"})
	})
	var states []string
	for _, s := range client.WorkItemStates {
		states = append(states, string(s))
	}
	slices.Sort(states) // os.ReadDir sorts by name
	if got := e.names("by-state"); !slices.Equal(got, states) {
		t.Errorf("by-state/ = %v, want %v", got, states)
	}
	for state, id := range map[string]string{"Running": running, "Failed": failed, "Created": created} {
		if got := e.names("by-state", state); !slices.Equal(got, []string{id}) {
			t.Errorf("by-state/%s = %v, want [%s]", state, got, id)
		}
		e.checkLink("../../workitems/"+id, "by-state", state, id)
		if got := e.read("by-state", state, id, "state"); got != state+"\n" {
			t.Errorf("state through by-state/%s = %q", state, got)
		}
	}
	if got := e.names("by-state", "Succeeded"); len(got) != 0 {
		t.Errorf("by-state/Succeeded = %v, want empty", got)
	}
	for _, p := range [][]string{{"by-state", "Failed", running}, {"by-state", "running"}, {"by-state", "Bogus"},
		{"by-state", "Running", "00000000-0000-0000-0000-000000000001"}} {
		if _, err := os.Lstat(e.path(p...)); !os.IsNotExist(err) {
			t.Errorf("lstat %v: %v, want ENOENT", p, err)
		}
	}
	for id, want := range map[string]string{
		running: "state Running\ncommands: cancel\n",
		failed:  "state Failed\ncommands:\n",
		created: "state Created\ncommands: commission\n",
	} {
		if got := e.read("workitems", id, "ctl"); got != want {
			t.Errorf("ctl of %s = %q, want %q", id, got, want)
		}
	}
}

func TestByStateListingFillsTheItemCache(t *testing.T) {
	var ids []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		for _, n := range []string{"a", "b", "c"} {
			ids = append(ids, seedOne(t, s, localcomps.SeedWorkItem{Name: n, State: "Failed"}))
		}
	})
	if got := e.names("by-state", "Failed"); len(got) != len(ids) {
		t.Fatalf("by-state/Failed = %v", got)
	}
	before := e.requests("")
	for _, id := range ids {
		if got := e.read("by-state", "Failed", id, "name"); got == "" {
			t.Errorf("name of %s is empty", id)
		}
	}
	if after := e.requests(""); after != before {
		t.Errorf("reading names after listing by-state/Failed made %d requests, want 0", after-before)
	}
}
