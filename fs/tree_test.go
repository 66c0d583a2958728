package fs_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// suiteWorld is a suite with two experiments (the first with three
// simulations, one per final-or-not state, the second with one), an asset
// collection, and a work item that uses the collection and depends on the
// first experiment and its first simulation.
type suiteWorld struct {
	suite, exp1, exp2, ac, item string
	sims                        []string // exp1's: Succeeded, Failed, Running
	other                       string   // exp2's
}

// seedSuiteWorld seeds a suiteWorld.
func seedSuiteWorld(t *testing.T, w *suiteWorld) func(ctx context.Context, s *localcomps.Server) {
	return func(ctx context.Context, s *localcomps.Server) {
		seed := func(kind string, es ...localcomps.SeedEntity) []string {
			ids, err := s.SeedEntities(ctx, kind, es)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		base := time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)
		w.suite = seed("Suite", localcomps.SeedEntity{Name: "calibration", Created: base})[0]
		exps := seed("Experiment", localcomps.SeedEntity{Name: "sweep", ParentId: w.suite, Created: base.Add(time.Minute)},
			localcomps.SeedEntity{Name: "rerun", ParentId: w.suite, Created: base.Add(2 * time.Minute)})
		w.exp1, w.exp2 = exps[0], exps[1]
		var sims []localcomps.SeedEntity
		for i, state := range []string{"Succeeded", "Failed", "Running"} {
			sims = append(sims, localcomps.SeedEntity{Name: "run " + state, ParentId: w.exp1, SimulationState: state,
				Created: base.Add(time.Duration(3+i) * time.Minute), Tags: map[string]any{"Run_Number": i},
				Files:   []localcomps.SeedFile{{Path: "config.json", Data: []byte(`{"Run_Number": 1}`)}},
				Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte(state + "\n")}, {Path: "output/result.csv", Data: []byte("a,b\n")}}})
		}
		w.sims = seed("Simulation", sims...)
		w.other = seed("Simulation", localcomps.SeedEntity{Name: "again", ParentId: w.exp2, SimulationState: "Succeeded"})[0]
		w.ac = seed("AssetCollection", localcomps.SeedEntity{Assets: []localcomps.SeedFile{{Path: "bin/model.sif", Data: []byte("image")}}})[0]
		w.item = seedOne(t, s, localcomps.SeedWorkItem{Name: "analysis", State: "Succeeded", AssetCollectionId: w.ac})
		for _, r := range []struct{ kind, to string }{{"Experiment", w.exp1}, {"Simulation", w.sims[0]}} {
			if err := s.AddRelation(ctx, w.item, "DependsOn", r.kind, r.to); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestContainmentIsFoldersAndLinks: a suite's experiments and an
// experiment's simulations are reached from their parents, each entity has
// one canonical folder and its other places are links to it
// (docs/tree.md), and the links up the tree lead back.
func TestContainmentIsFoldersAndLinks(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	if got := e.names("suites"); !slices.Equal(got, []string{w.suite}) {
		t.Errorf("suites/ = %v, want [%s]", got, w.suite)
	}
	wantExps := slices.Sorted(slices.Values([]string{w.exp1, w.exp2})) // os.ReadDir sorts
	if got := e.names("experiments"); !slices.Equal(got, wantExps) {
		t.Errorf("experiments/ = %v, want %v", got, wantExps)
	}
	if got := e.names("suites", w.suite, "experiments"); !slices.Equal(got, wantExps) {
		t.Errorf("suites/<id>/experiments/ = %v, want %v", got, wantExps)
	}
	e.checkLink("../../../experiments/"+w.exp1, "suites", w.suite, "experiments", w.exp1)
	e.checkLink("../../suites/"+w.suite, "experiments", w.exp1, "suite")
	if got := e.names("experiments", w.exp1, "simulations"); !slices.Equal(got, slices.Sorted(slices.Values(w.sims))) {
		t.Errorf("experiments/<id>/simulations/ = %v, want %v", got, w.sims)
	}
	sim := []string{"experiments", w.exp1, "simulations", w.sims[1]}
	if st, err := os.Lstat(e.path(sim...)); err != nil || !st.IsDir() {
		t.Errorf("a simulation's canonical folder: %v, %v; want a folder", st, err)
	}
	e.checkLink("../../../../experiments/"+w.exp1, append(sim, "experiment")...)
	e.checkLink("../experiments/"+w.exp1+"/simulations/"+w.sims[1], "simulations", w.sims[1])
	if got := e.read("simulations", w.sims[1], "state"); got != "Failed\n" {
		t.Errorf("state through simulations/<id> = %q", got)
	}
	states := e.names("experiments", w.exp1, "by-state")
	if len(states) != len(client.SimulationStates) || !slices.Contains(states, "Provisioning") {
		t.Errorf("by-state/ = %v", states)
	}
	if got := e.names("experiments", w.exp1, "by-state", "Failed"); !slices.Equal(got, []string{w.sims[1]}) {
		t.Errorf("by-state/Failed = %v, want [%s]", got, w.sims[1])
	}
	e.checkLink("../../../../experiments/"+w.exp1+"/simulations/"+w.sims[1], "experiments", w.exp1, "by-state", "Failed", w.sims[1])
	e.checkLink("../../assetcollections/"+w.ac, "workitems", w.item, "assets")
	e.checkLink("../../../../simulations/"+w.sims[0], "workitems", w.item, "relations", "depends_on", w.sims[0])
	if got := e.read("workitems", w.item, "relations", "depends_on", w.sims[0], "outputs", "StdOut.txt"); got != "Succeeded\n" {
		t.Errorf("an output through a relation link = %q", got)
	}
	// Not where they do not belong.
	for _, p := range [][]string{
		{"experiments", w.exp2, "simulations", w.sims[0]}, {"suites", w.suite, "experiments", w.sims[0]},
		{"experiments", w.exp1, "by-state", "Running", w.sims[0]}, {"simulations", w.other, "suite"},
	} {
		if _, err := os.Lstat(e.path(p...)); !os.IsNotExist(err) {
			t.Errorf("lstat %v: %v, want ENOENT", p, err)
		}
	}
	// One inode number per entity, whichever way it is reached.
	for _, pair := range [][2][]string{
		{{"experiments", w.exp1}, {"suites", w.suite, "experiments", w.exp1}},
		{sim, {"simulations", w.sims[1]}},
		{{"suites", w.suite}, {"experiments", w.exp2, "suite"}},
	} {
		a, errA := os.Stat(e.path(pair[0]...))
		b, errB := os.Stat(e.path(pair[1]...))
		if errA != nil || errB != nil || a.Sys().(*syscall.Stat_t).Ino != b.Sys().(*syscall.Stat_t).Ino {
			t.Errorf("%v and %v are not the same folder (%v, %v)", pair[0], pair[1], errA, errB)
		}
	}
}

// TestEveryLinkResolvesInsideTheMount walks the entity folders without
// following links and resolves every symlink found: each leads to a folder
// of the mount.
func TestEveryLinkResolvesInsideTheMount(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	e.names("simulations", w.sims[0]) // simulations/ lists what was looked up
	links := 0
	for _, top := range []string{"suites", "experiments", "simulations", "assetcollections", "workitems"} {
		err := filepath.WalkDir(e.path(top), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return err
			}
			links++
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			if st, err := os.Stat(real); err != nil || !st.IsDir() || !strings.HasPrefix(real, e.dir+"/") {
				t.Errorf("%s resolves to %s (%v), not a folder of the mount", p, real, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d links resolved", links)
	if links < 10 {
		t.Errorf("only %d links found", links)
	}
}

// TestFindFollowingLinksOverASuiteEnds: find -L over a suite reaches its
// experiments' simulations' outputs through the experiments' links, and
// ends: every link back to a folder it is in is recognised as a loop (the
// inode numbers come from identity) and not followed.
func TestFindFollowingLinksOverASuiteEnds(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// cd in the shell, not in the child before exec (see
	// TestExperimentOfTenThousandSimulations).
	cmd := exec.CommandContext(ctx, "sh", "-c", `cd "$1" && exec find -L .`, "sh", e.path("suites", w.suite))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("find -L did not end: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && !strings.Contains(line, "loop") {
			t.Errorf("find -L: %s", line)
		}
	}
	if !strings.Contains(stderr.String(), "loop") {
		t.Errorf("find -L saw no loop (stderr %q): the links up the tree were not recognised", stderr.String())
	}
	want := "./experiments/" + w.exp1 + "/simulations/" + w.sims[2] + "/outputs/output/result.csv\n"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("find -L output lacks %q", want)
	}
	t.Logf("find -L: %d lines, %d loops reported", strings.Count(stdout.String(), "\n"), strings.Count(stderr.String(), "\n"))
}

// TestWritesThroughASimulationFolder: a simulation's name and tags are
// written through its canonical folder (and through simulations/<id>), and
// show at once there, in metadata.json and on the server.
func TestWritesThroughASimulationFolder(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	dir := []string{"experiments", w.exp1, "simulations", w.sims[2]}
	e.read(append(dir, "name")...) // cached before the write
	if err := os.WriteFile(e.path(append(dir, "name")...), []byte("renamed run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := e.read("simulations", w.sims[2], "name"); got != "renamed run\n" {
		t.Errorf("name after the write = %q", got)
	}
	if err := os.WriteFile(e.path("simulations", w.sims[2], "tags", "Reviewed"), []byte("yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := e.read(append(dir, "tags", "Reviewed")...); got != "yes\n" {
		t.Errorf("tags/Reviewed = %q", got)
	}
	if md := e.read(append(dir, "metadata.json")...); !strings.Contains(md, `"Reviewed": "yes"`) || !strings.Contains(md, `"renamed run"`) {
		t.Errorf("metadata.json after the writes: %s", md)
	}
	sim, err := e.client.GetSimulation(context.Background(), w.sims[2], client.Query{Children: []string{"Tags"}})
	if err != nil || sim.Name != "renamed run" || sim.Tags["Reviewed"] != "yes" {
		t.Errorf("the server's simulation: %+v, %v", sim, err)
	}
	if err := os.WriteFile(e.path("experiments", w.exp1, "description"), []byte("first sweep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := e.read("suites", w.suite, "experiments", w.exp1, "description"); got != "first sweep\n" {
		t.Errorf("the experiment's description through the suite = %q", got)
	}
	if err := os.WriteFile(e.path(append(dir, "name")...), []byte("\n"), 0o644); err == nil {
		t.Error("an empty name was accepted")
	}
	if err := os.WriteFile(e.path(append(dir, "state")...), []byte("Succeeded\n"), 0o644); err == nil {
		t.Error("state was written")
	}
}

// TestLnToASimulationsCanonicalFolder: `ln -s` of a simulation's folder
// under experiments/ relates a work item to it; the link shows as
// simulations/<id>, and the simulation's reverse folder shows the work item
// at once.
func TestLnToASimulationsCanonicalFolder(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	sim := []string{"experiments", w.exp1, "simulations", w.sims[1]}
	rev := append(slices.Clone(sim), "relations", "depended_on_by")
	if got := e.names(rev...); len(got) != 0 { // seen empty first
		t.Fatalf("depended_on_by/ = %v", got)
	}
	if _, err := os.Lstat(e.path(append(rev, w.item)...)); !os.IsNotExist(err) {
		t.Fatalf("lstat before: %v", err)
	}
	if err := os.Symlink(e.path(sim...), e.path("workitems", w.item, "relations", "depends_on", w.sims[1])); err != nil {
		t.Fatal(err)
	}
	e.checkLink("../../../../simulations/"+w.sims[1], "workitems", w.item, "relations", "depends_on", w.sims[1])
	if got := e.names(rev...); !slices.Equal(got, []string{w.item}) {
		t.Errorf("the simulation's depended_on_by/ = %v, want [%s]", got, w.item)
	}
	e.checkLink("../../../../../../workitems/"+w.item, append(rev, w.item)...)
}

// TestExperimentQueryFoldersFindItsSimulations: experiments/<id>/query/
// answers queries of the experiment's simulations with links to their
// canonical folders, one request each; a malformed query is EINVAL.
func TestExperimentQueryFoldersFindItsSimulations(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	q := func(query string) []string { return e.names("experiments", w.exp1, "query", query) }
	before := e.counted("GET /api/Simulations")
	if got := q("state=Failed"); !slices.Equal(got, []string{w.sims[1]}) {
		t.Errorf("query/state=Failed = %v, want [%s]", got, w.sims[1])
	}
	if n := e.counted("GET /api/Simulations") - before; n != 1 {
		t.Errorf("query/state=Failed took %d requests, want 1", n)
	}
	e.checkLink("../../../../experiments/"+w.exp1+"/simulations/"+w.sims[1], "experiments", w.exp1, "query", "state=Failed", w.sims[1])
	want := []string{w.sims[1], w.sims[2]}
	slices.Sort(want)
	if got := q("tag:Run_Number>=1"); !slices.Equal(got, want) {
		t.Errorf("query/tag:Run_Number>=1 = %v, want %v", got, want)
	}
	if got := q("name~run,sort:-date_created,limit:1"); !slices.Equal(got, []string{w.sims[2]}) {
		t.Errorf("the newest simulation = %v, want [%s]", got, w.sims[2])
	}
	if got := e.read("experiments", w.exp1, "query", "state=Failed", w.sims[1], "state"); got != "Failed\n" {
		t.Errorf("state through the link = %q", got)
	}
	if _, err := os.ReadDir(e.path("experiments", w.exp1, "query", "state=Finished")); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("a malformed query: %v, want EINVAL", err)
	}
	if readme := e.read("experiments", w.exp1, "query", "README"); !strings.Contains(readme, "simulations of this experiment") ||
		!strings.Contains(readme, `unknown state "Finished"`) {
		t.Errorf("query/README:\n%s", readme)
	}
}
