package fs_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// Close-to-open for the mount's own writes (docs/caching.md): once a write
// or an inbox creation returns, every listing and file of this mount shows
// it, although each listing was read (and cached for --dir-ttl, 30 s here)
// just before.

// TestInboxOrderIsListedAtOnce: a work order copied into inbox/ is in
// workitems/ as soon as the copy returns.
func TestInboxOrderIsListedAtOnce(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	seedOne(t, e.srv, localcomps.SeedWorkItem{Name: "old", State: "Succeeded"})
	before := e.names("workitems")
	if len(before) != 1 {
		t.Fatalf("workitems/ before = %v", before)
	}
	if err := e.write("inbox/new.json", []byte(hiOrder)); err != nil {
		t.Fatal(err)
	}
	id, err := e.link("new.json")
	if err != nil {
		t.Fatal(err)
	}
	if after := e.names("workitems"); !slices.Contains(after, id) || len(after) != 2 {
		t.Errorf("workitems/ right after the copy = %v, want %v and %s", after, before, id)
	}
	if got := e.read("workitems", id, "name"); got != "new\n" {
		t.Errorf("name of the new item = %q", got)
	}
}

// TestInboxFolderShowsEverywhereAtOnce: a folder submitted with .submit
// (depending on an experiment, not commissioned) is in workitems/, in
// by-state/Created/ and in the experiment's depended_on_by/ as soon as the
// touch returns.
func TestInboxFolderShowsEverywhereAtOnce(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	exp, err := e.srv.SeedEntity(context.Background(), "Experiment", localcomps.SeedEntity{Name: "exp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range [][]string{{"workitems"}, {"by-state", "Created"}, {"experiments", exp, "relations", "depended_on_by"}} {
		if got := e.names(dir...); len(got) != 0 {
			t.Fatalf("%s before = %v", strings.Join(dir, "/"), got)
		}
	}
	if err := os.Mkdir(e.path("inbox", "run1"), 0o755); err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(map[string]any{"commission": false, "depends_on": []string{"Experiment/" + exp}})
	if err := e.write("inbox/run1/WorkOrder.json", []byte(hiOrder)); err != nil {
		t.Fatal(err)
	}
	if err := e.write("inbox/run1/workitem.json", meta); err != nil {
		t.Fatal(err)
	}
	if err := e.write("inbox/run1/.submit", nil); err != nil {
		t.Fatal(err)
	}
	id, err := e.link("run1")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range [][]string{{"workitems"}, {"by-state", "Created"}, {"experiments", exp, "relations", "depended_on_by"}} {
		if got := e.names(dir...); !slices.Equal(got, []string{id}) {
			t.Errorf("%s right after .submit = %v, want [%s]", strings.Join(dir, "/"), got, id)
		}
	}
	if got := e.read("workitems", id, "relations", "depends_on", exp, "name"); got != "exp\n" {
		t.Errorf("the new item's dependency, read through it: %q", got)
	}
}

// TestRenameShowsAtOnce: a name written through the mount is in
// metadata.json and summary when the write returns, both read just before.
func TestRenameShowsAtOnce(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "before", State: "Running"})
	}, func(o *compsfs.Options) { o.AttrTTL = o.DirTTL })
	var doc map[string]any
	readJSON(t, e.path("workitems", id, "metadata.json"), &doc)
	if doc["name"] != "before" || !strings.Contains(e.read("workitems", id, "summary"), "before") {
		t.Fatalf("before: metadata.json name %v", doc["name"])
	}
	if err := os.WriteFile(e.path("workitems", id, "name"), []byte("after\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	readJSON(t, e.path("workitems", id, "metadata.json"), &doc)
	if doc["name"] != "after" {
		t.Errorf("metadata.json name right after the write = %v", doc["name"])
	}
	if s := e.read("workitems", id, "summary"); !strings.Contains(s, "Name:        after") {
		t.Errorf("summary right after the write:\n%s", s)
	}
	if got := e.read("workitems", id, "name"); got != "after\n" {
		t.Errorf("name = %q", got)
	}
}

// TestCommissionMovesByStateAtOnce: echo commission > ctl moves the item
// from by-state/Created/ to by-state/CommissionRequested/ (no worker runs
// here) at once, both listed just before.
func TestCommissionMovesByStateAtOnce(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "job", State: "Created"})
	})
	if got := e.names("by-state", "Created"); !slices.Equal(got, []string{id}) {
		t.Fatalf("by-state/Created before = %v", got)
	}
	if got := e.names("by-state", string(client.StateCommissionRequested)); len(got) != 0 {
		t.Fatalf("by-state/CommissionRequested before = %v", got)
	}
	if err := os.WriteFile(e.path("workitems", id, "ctl"), []byte("commission\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := e.names("by-state", "Created"); len(got) != 0 {
		t.Errorf("by-state/Created after = %v", got)
	}
	if got := e.names("by-state", string(client.StateCommissionRequested)); !slices.Equal(got, []string{id}) {
		t.Errorf("by-state/CommissionRequested after = %v", got)
	}
	if got := e.read("workitems", id, "state"); got != "CommissionRequested\n" {
		t.Errorf("state = %q", got)
	}
}
