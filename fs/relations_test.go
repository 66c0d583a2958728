package fs_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/compsfs/compsfs/localcomps"
)

// relationWorld is a work item related to one entity of every kind.
type relationWorld struct {
	item, other, creator        string // work items
	suite, experiment, sim, acs string
}

// seedRelations seeds a relationWorld: item depends on other, the suite, the
// experiment and the simulation, and created the asset collection; creator
// created the experiment.
func seedRelations(t *testing.T, w *relationWorld) func(ctx context.Context, s *localcomps.Server) {
	return func(ctx context.Context, s *localcomps.Server) {
		w.item = seedOne(t, s, localcomps.SeedWorkItem{Name: "item", State: "Succeeded"})
		w.other = seedOne(t, s, localcomps.SeedWorkItem{Name: "other", State: "Succeeded"})
		w.creator = seedOne(t, s, localcomps.SeedWorkItem{Name: "creator", State: "Succeeded"})
		seed := func(kind string, e localcomps.SeedEntity) string {
			id, err := s.SeedEntity(ctx, kind, e)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		w.suite = seed("Suite", localcomps.SeedEntity{Name: "suite"})
		w.experiment = seed("Experiment", localcomps.SeedEntity{Name: "exp", ParentId: w.suite})
		w.sim = seed("Simulation", localcomps.SeedEntity{Name: "sim", ParentId: w.experiment})
		w.acs = seed("AssetCollection", localcomps.SeedEntity{})
		for _, r := range []struct{ from, rel, kind, to string }{
			{w.item, "DependsOn", "WorkItem", w.other},
			{w.item, "DependsOn", "Suite", w.suite},
			{w.item, "DependsOn", "Experiment", w.experiment},
			{w.item, "DependsOn", "Simulation", w.sim},
			{w.item, "Created", "AssetCollection", w.acs},
			{w.creator, "Created", "Experiment", w.experiment},
		} {
			if err := s.AddRelation(ctx, r.from, r.rel, r.kind, r.to); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// names lists a folder of the mount, failing the test on error.
func (e *env) names(parts ...string) []string {
	e.t.Helper()
	des, err := os.ReadDir(e.path(parts...))
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

// checkLink checks that a link in the mount has the wanted target and that
// following it reaches a folder.
func (e *env) checkLink(target string, parts ...string) {
	e.t.Helper()
	got, err := os.Readlink(e.path(parts...))
	if err != nil || got != target {
		e.t.Errorf("readlink %v = %q, %v; want %q", parts, got, err, target)
		return
	}
	st, err := os.Stat(e.path(parts...))
	if err != nil || !st.IsDir() {
		e.t.Errorf("stat through %v: %v, %v", parts, st, err)
	}
}

func TestWorkItemRelationsLinkToEveryKind(t *testing.T) {
	var w relationWorld
	e := newEnv(t, seedRelations(t, &w))
	rel := []string{"workitems", w.item, "relations"}
	if got := e.names(rel...); !slices.Equal(got, []string{"created", "created_by", "depended_on_by", "depends_on"}) {
		t.Errorf("relations/ = %v", got)
	}
	// The other end: other is depended on by item.
	if got := e.names("workitems", w.other, "relations", "depended_on_by"); !slices.Equal(got, []string{w.item}) {
		t.Errorf("other's depended_on_by/ = %v, want [%s]", got, w.item)
	}
	e.checkLink("../../../../workitems/"+w.item, "workitems", w.other, "relations", "depended_on_by", w.item)
	if got := e.names(append(rel, "depended_on_by")...); len(got) != 0 {
		t.Errorf("item's depended_on_by/ = %v, want none", got)
	}
	want := []string{w.other, w.suite, w.experiment, w.sim}
	slices.Sort(want)
	if got := e.names(append(rel, "depends_on")...); !slices.Equal(got, want) {
		t.Errorf("depends_on/ = %v, want %v", got, want)
	}
	for id, dir := range map[string]string{w.other: "workitems", w.suite: "suites", w.experiment: "experiments", w.sim: "simulations"} {
		e.checkLink("../../../../"+dir+"/"+id, append(rel, "depends_on", id)...)
	}
	if got := e.names(append(rel, "created")...); !slices.Equal(got, []string{w.acs}) {
		t.Errorf("created/ = %v, want [%s]", got, w.acs)
	}
	e.checkLink("../../../../assetcollections/"+w.acs, append(rel, "created", w.acs)...)
	if got := e.read(append(rel, "depends_on", w.suite, "name")...); got != "suite\n" {
		t.Errorf("name through the suite link = %q", got)
	}
	if _, err := os.Lstat(e.path(append(rel, "created", w.other)...)); !os.IsNotExist(err) {
		t.Errorf("a DependsOn target in created/: %v, want ENOENT", err)
	}
	st, err := os.Stat(e.path(append(rel, "depends_on")...))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("depends_on/ mode: %v, %v; want 0755", st.Mode(), err)
	}
	err = os.Remove(e.path(append(rel, "depends_on", w.other)...))
	if !errors.Is(err, syscall.EPERM) {
		t.Errorf("rm of a relation: %v, want EPERM", err)
	}
}

func TestEntityRelationsShowTheWorkItemsPointingAtIt(t *testing.T) {
	var w relationWorld
	e := newEnv(t, seedRelations(t, &w))
	rel := []string{"experiments", w.experiment, "relations"}
	if got := e.names(rel...); !slices.Equal(got, []string{"created_by", "depended_on_by"}) {
		t.Errorf("relations/ = %v", got)
	}
	if got := e.names(append(rel, "depended_on_by")...); !slices.Equal(got, []string{w.item}) {
		t.Errorf("depended_on_by/ = %v, want [%s]", got, w.item)
	}
	e.checkLink("../../../../workitems/"+w.item, append(rel, "depended_on_by", w.item)...)
	if got := e.names(append(rel, "created_by")...); !slices.Equal(got, []string{w.creator}) {
		t.Errorf("created_by/ = %v, want [%s]", got, w.creator)
	}
	e.checkLink("../../../../workitems/"+w.creator, append(rel, "created_by", w.creator)...)
	if got := e.read(append(rel, "created_by", w.creator, "name")...); got != "creator\n" {
		t.Errorf("name through the link = %q", got)
	}
	if got := e.names("assetcollections", w.acs, "relations", "created_by"); !slices.Equal(got, []string{w.item}) {
		t.Errorf("asset collection's created_by/ = %v, want [%s]", got, w.item)
	}
	if got := e.names("suites", w.suite, "relations", "created_by"); len(got) != 0 {
		t.Errorf("suite's created_by/ = %v, want empty", got)
	}
	st, err := os.Stat(e.path(append(rel, "created_by")...))
	if err != nil || st.Mode().Perm() != 0o555 {
		t.Errorf("created_by/ mode: %v, %v; want 0555", st.Mode(), err)
	}
}
