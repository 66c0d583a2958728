package fs_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/localcomps"
)

// entityWorld is one entity of each kind other than WorkItem.
type entityWorld struct {
	suite, experiment, sim, acs string
}

func seedEntities(t *testing.T, w *entityWorld, created time.Time) func(ctx context.Context, s *localcomps.Server) {
	return func(ctx context.Context, s *localcomps.Server) {
		seed := func(kind string, e localcomps.SeedEntity) string {
			e.Created = created
			id, err := s.SeedEntity(ctx, kind, e)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		w.suite = seed("Suite", localcomps.SeedEntity{Name: "calibration", Description: "a suite"})
		w.experiment = seed("Experiment", localcomps.SeedEntity{Name: "sweep", ParentId: w.suite,
			Tags: map[string]any{"round": 2}})
		w.sim = seed("Simulation", localcomps.SeedEntity{Name: "run 7", ParentId: w.experiment,
			SimulationState: "Failed", ErrorMessage: "exit status 3",
			Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte("out\n")}, {Path: "output/result.csv", Data: []byte("a,b\n")}}})
		w.acs = seed("AssetCollection", localcomps.SeedEntity{Tags: map[string]any{"type": "singularity"},
			Assets: []localcomps.SeedFile{{Path: "bin/model.sif", Data: []byte("image")}, {Path: "config.json", Data: []byte("{}")}}})
	}
}

func TestEntityFoldersShowMetadata(t *testing.T) {
	var w entityWorld
	created := time.Date(2026, 3, 5, 18, 22, 33, 0, time.UTC)
	e := newEnv(t, seedEntities(t, &w, created))
	date := "2026-03-05T18:22:33Z\n"
	cases := []struct {
		dir, id string
		files   map[string]string
		entries []string
	}{
		{"suites", w.suite, map[string]string{"name": "calibration\n", "description": "a suite\n", "date_created": date},
			[]string{"date_created", "description", "experiments", "last_modified", "metadata.json", "name", "owner",
				"relations", "summary", "tags"}},
		{"experiments", w.experiment, map[string]string{"name": "sweep\n", "suite_id": w.suite + "\n", "description": ""},
			[]string{"by-state", "date_created", "description", "last_modified", "metadata.json", "name", "owner", "query", "relations",
				"simulations", "suite", "suite_id", "summary", "tags"}},
		{"simulations", w.sim, map[string]string{"name": "run 7\n", "experiment_id": w.experiment + "\n",
			"state": "Failed\n", "error_message": "exit status 3\n"},
			[]string{"date_created", "description", "error_message", "experiment", "experiment_id", "files", "last_modified",
				"metadata.json", "name", "outputs", "owner", "relations", "state", "summary", "tags"}},
		{"assetcollections", w.acs, map[string]string{"date_created": date},
			[]string{"assets", "date_created", "metadata.json", "relations", "summary", "tags"}},
	}
	for _, c := range cases {
		if got := e.names(c.dir, c.id); !slices.Equal(got, c.entries) {
			t.Errorf("%s/%s/ = %v, want %v", c.dir, c.id, got, c.entries)
		}
		for name, want := range c.files {
			if got := e.read(c.dir, c.id, name); got != want {
				t.Errorf("%s/%s/%s = %q, want %q", c.dir, c.id, name, got, want)
			}
		}
		var md map[string]any
		if err := json.Unmarshal([]byte(e.read(c.dir, c.id, "metadata.json")), &md); err != nil {
			t.Errorf("%s metadata.json: %v", c.dir, err)
			continue
		}
		if md["id"] != c.id {
			t.Errorf("%s metadata.json id = %v", c.dir, md["id"])
		}
		for name, want := range c.files {
			if got, _ := md[name].(string); got+"\n" != want && !(got == "" && want == "") {
				t.Errorf("%s metadata.json %s = %q, want %q", c.dir, name, got, want)
			}
		}
		if got := e.names(c.dir); !slices.Contains(got, c.id) {
			t.Errorf("%s/ = %v after a lookup, want %s listed", c.dir, got, c.id)
		}
	}
	var md struct {
		Tags   map[string]any   `json:"tags"`
		Assets []map[string]any `json:"assets"`
	}
	if err := json.Unmarshal([]byte(e.read("assetcollections", w.acs, "metadata.json")), &md); err != nil {
		t.Fatal(err)
	}
	if md.Tags["type"] != "singularity" || len(md.Assets) != 2 {
		t.Errorf("asset collection metadata.json: %+v", md)
	}
	if got := e.read("experiments", w.experiment, "tags", "round"); got != "2\n" {
		t.Errorf("experiment tags/round = %q", got)
	}
}

func TestSimulationOutputsAreListed(t *testing.T) {
	var w entityWorld
	e := newEnv(t, seedEntities(t, &w, time.Now()))
	if got := e.names("simulations", w.sim, "outputs"); !slices.Equal(got, []string{"StdOut.txt", "output"}) {
		t.Errorf("outputs/ = %v", got)
	}
	if got := e.read("simulations", w.sim, "outputs", "StdOut.txt"); got != "out\n" {
		t.Errorf("outputs/StdOut.txt = %q", got)
	}
}

func TestEntityFoldersUnknownIDsAreENOENT(t *testing.T) {
	var w entityWorld
	e := newEnv(t, seedEntities(t, &w, time.Now()))
	for _, dir := range []string{"suites", "experiments", "simulations", "assetcollections"} {
		for _, name := range []string{"00000000-0000-0000-0000-000000000001", "not-an-id", "..."} {
			if _, err := os.Stat(e.path(dir, name)); !os.IsNotExist(err) {
				t.Errorf("stat %s/%s: %v, want ENOENT", dir, name, err)
			}
		}
	}
	// An id of another kind is unknown here too.
	if _, err := os.Stat(e.path("suites", w.experiment)); !os.IsNotExist(err) {
		t.Errorf("stat suites/<experiment id>: %v, want ENOENT", err)
	}
	if _, err := os.Stat(e.path("simulations", w.sim, "nothing")); !os.IsNotExist(err) {
		t.Errorf("stat simulations/<id>/nothing: %v, want ENOENT", err)
	}
}

func TestEntityFoldersHaveCompsXattrs(t *testing.T) {
	var w entityWorld
	e := newEnv(t, seedEntities(t, &w, time.Now()))
	for dir, c := range map[string]struct{ id, kind string }{
		"suites": {w.suite, "Suite"}, "experiments": {w.experiment, "Experiment"},
		"simulations": {w.sim, "Simulation"}, "assetcollections": {w.acs, "AssetCollection"},
	} {
		for attr, want := range map[string]string{"user.comps.id": c.id, "user.comps.type": c.kind} {
			buf := make([]byte, 256)
			n, err := unix.Getxattr(e.path(dir, c.id), attr, buf)
			if err != nil || string(buf[:n]) != want {
				t.Errorf("getxattr %s/%s %s = %q, %v; want %q", dir, c.id, attr, buf[:max(n, 0)], err, want)
			}
		}
	}
}
