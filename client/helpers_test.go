package client_test

import (
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// nowFunc is a settable clock for client.Options.Now; until set it is the
// real time.
type nowFunc struct {
	mu sync.Mutex
	t  time.Time
}

func (n *nowFunc) get() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.t.IsZero() {
		return time.Now()
	}
	return n.t
}

func (n *nowFunc) set(t time.Time) {
	n.mu.Lock()
	n.t = t
	n.mu.Unlock()
}

// pseudoRandom returns n bytes that do not compress and differ by seed.
func pseudoRandom(n int, seed byte) []byte {
	var key [32]byte
	key[0] = seed
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b) // never fails
	return b
}

// saveOne saves a work item with one small file through the client and
// returns its id.
func saveOne(t *testing.T, c *client.Client, name string) string {
	t.Helper()
	ids, err := c.SaveWorkItems(t.Context(), []client.NewWorkItem{{
		Name: name, Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{client.FileFromBytes("WorkOrder.json", "WorkOrder",
			[]byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "echo `+name+`"}}`))},
	}})
	if err != nil {
		t.Fatalf("save %q: %v", name, err)
	}
	if len(ids) != 1 {
		t.Fatalf("save %q: %d ids", name, len(ids))
	}
	return ids[0]
}

// world is a small set of seeded entities of every kind.
type world struct {
	suite, experiment, simulation, assetCollection, workItem string
	stdout, simOut, nested                                   []byte // contents of outputs
	order, input                                             []byte // contents of the work item's files
	asset                                                    []byte
}

// seedWorld seeds a suite, an experiment in it, a succeeded simulation in
// that with outputs, an asset collection with two assets, and a
// succeeded work item with two files and three outputs.
func seedWorld(t *testing.T, srv *localcomps.Server) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{
		stdout: []byte("hello from the worker\nline two\nline three\n"),
		simOut: []byte(`{"Channels": {"Infected": [0, 1, 2]}}`),
		nested: pseudoRandom(70000, 3),
		order:  []byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "python3 run.py"}}`),
		input:  []byte("print('hi')\n"),
		asset:  []byte("asset bytes\n"),
	}
	var err error
	if w.suite, err = srv.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "suite one", Description: "a suite",
		Tags: map[string]any{"project": "wire"}}); err != nil {
		t.Fatal(err)
	}
	if w.experiment, err = srv.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "experiment one",
		Description: "an experiment", ParentId: w.suite, Tags: map[string]any{"Replicate": 3}}); err != nil {
		t.Fatal(err)
	}
	if w.simulation, err = srv.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "simulation one",
		ParentId: w.experiment, SimulationState: "Succeeded", Tags: map[string]any{"Run_Number": 1},
		Outputs: []localcomps.SeedFile{{Path: "output/InsetChart.json", Data: w.simOut},
			{Path: "StdOut.txt", Data: []byte("sim stdout\n")}}}); err != nil {
		t.Fatal(err)
	}
	if w.assetCollection, err = srv.SeedEntity(ctx, "AssetCollection", localcomps.SeedEntity{
		Tags: map[string]any{"type": "singularity"},
		Assets: []localcomps.SeedFile{{Path: "model.sif", Data: w.asset},
			{Path: "lib/helper.py", Data: []byte("def f(): pass\n")}}}); err != nil {
		t.Fatal(err)
	}
	ids, err := srv.Seed(ctx, []localcomps.SeedWorkItem{{
		Name: "seeded", Description: "a finished work item", State: "Succeeded", Priority: "AboveNormal",
		Tags:  map[string]any{"WorkItem_Type": "DockerWorker", "SSMT": nil},
		Files: []localcomps.SeedFile{{Path: "WorkOrder.json", FileType: "WorkOrder", Data: w.order}, {Path: "run.py", FileType: "input", Data: w.input}},
		Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: w.stdout}, {Path: "StdErr.txt", Data: nil},
			{Path: "out/deep/data.bin", Data: w.nested}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	w.workItem = ids[0]
	return w
}

// findOutput returns the output file at path p, failing the test if absent.
func findOutput(t *testing.T, outs []client.OutputFile, p string) client.OutputFile {
	t.Helper()
	for _, o := range outs {
		if o.Path() == p {
			return o
		}
	}
	var have []string
	for _, o := range outs {
		have = append(have, o.Path())
	}
	t.Fatalf("no output %s among %q", p, have)
	return client.OutputFile{}
}

// download reads a whole download through the client.
func download(t *testing.T, c *client.Client, url string, off, n int64) ([]byte, error) {
	t.Helper()
	rc, err := c.Download(t.Context(), url, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
