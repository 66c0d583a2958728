package client_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// TestSaveTheGraph builds a suite, an experiment in it and two simulations
// with files through the client, reads them back and updates them; the
// requests are the official client's (§9).
func TestSaveTheGraph(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	suites, err := c.SaveSuites(ctx, []client.NewSuite{{Name: "calibration", Tags: client.Tags{"project": "IDM"}}})
	if err != nil {
		t.Fatal(err)
	}
	exps, err := c.SaveExperiments(ctx, []client.NewExperiment{{Name: "sweep", SuiteID: suites[0], Description: "two runs",
		Configuration: &client.Configuration{EnvironmentName: testEnv, MaxCores: 2, Priority: client.PriorityLowest}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := []byte(`{"Run_Number": 1}`)
	ts.rec.reset()
	sims, err := c.SaveSimulations(ctx, []client.NewSimulation{
		{Name: "run 1", ExperimentID: exps[0], Tags: client.Tags{"Run_Number": 1},
			Files: []client.FileUpload{client.FileFromBytes("config.json", "Config", cfg)}},
		{Name: "run 2", ExperimentID: exps[0], Configuration: &client.Configuration{MaxCores: 4}},
	})
	if err != nil || len(sims) != 2 {
		t.Fatalf("save simulations: %v %v", sims, err)
	}
	save := ts.rec.only(t, "POST", "/api/Simulations")
	if len(save.Parts) != 2 || save.Parts[0].FormName != "not_a_file" || save.Parts[0].FileName != "Simulations" ||
		save.Parts[1].FormName != md5UUID(cfg) || save.Parts[1].FileName != "config.json" {
		t.Fatalf("simulation save parts %+v", save.Parts)
	}
	var sent []map[string]any
	if err := json.Unmarshal(save.Parts[0].Body, &sent); err != nil || sent[0]["Owner"] != testUser || sent[0]["ExperimentId"] != exps[0] {
		t.Fatalf("entity part %s (%v)", save.Parts[0].Body, err)
	}
	if f, ok := sent[1]["Files"].([]any); !ok || len(f) != 0 {
		t.Fatalf("a simulation without files must send Files: []: %s", save.Parts[0].Body)
	}

	sim, err := c.GetSimulation(ctx, sims[0], client.Query{Children: []string{"Tags", "Files", "Configuration"}})
	if err != nil {
		t.Fatal(err)
	}
	if sim.Name != "run 1" || sim.ExperimentID != exps[0] || sim.State != client.SimulationState("Created") || sim.Owner != testUser ||
		len(sim.Files) != 1 || sim.Files[0].FileType != "Config" {
		t.Fatalf("simulation %+v", sim)
	}
	if got, err := download(t, c, sim.Files[0].URI, 0, -1); err != nil || string(got) != string(cfg) {
		t.Fatalf("simulation file: %q %v", got, err)
	}
	exp, err := c.GetExperiment(ctx, exps[0], client.Query{Children: []string{"Configuration"}})
	if err != nil || exp.SuiteID != suites[0] || exp.Configuration == nil || exp.Configuration.MaxCores != 2 ||
		exp.Configuration.Priority != client.PriorityLowest {
		t.Fatalf("experiment %+v %v", exp, err)
	}
	n := 0
	for _, err := range c.Simulations(ctx, client.Query{Filters: []string{"ExperimentId=" + exps[0]}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d simulations in the experiment, want 2", n)
	}

	name, desc := "run 1 (rerun)", "again"
	if err := c.UpdateSimulation(ctx, sims[0], client.EntityUpdate{Name: &name, Description: &desc,
		Configuration: &client.Configuration{MaxCores: 8}}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateExperiment(ctx, exps[0], client.EntityUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateSuite(ctx, suites[0], client.EntityUpdate{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	sim, err = c.GetSimulation(ctx, sims[0], client.Query{Children: []string{"Configuration"}})
	if err != nil || sim.Name != name || sim.Description != desc || sim.Configuration.MaxCores != 8 {
		t.Fatalf("updated simulation %+v %v", sim, err)
	}
	suite, err := c.GetSuite(ctx, suites[0], client.Query{Children: []string{"Tags"}})
	if err != nil || suite.Description != desc || suite.Name != "calibration" || suite.Tags["project"] != "IDM" {
		t.Fatalf("updated suite %+v %v", suite, err)
	}
	if _, err := c.SaveSuites(ctx, []client.NewSuite{{Name: " "}}); err == nil {
		t.Fatal("a suite without a name was saved")
	}
}

// TestSaveAssetCollection saves a collection of 150 small files in two
// folders, one file over 10 MiB and one the server holds already: the
// large file goes up in chunks, the first request carries 100 files and the
// entity part [], the second the collection with the other 49 (§8.3).
func TestSaveAssetCollection(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	known := []byte("already on the server\n")
	if _, err := c.SaveAssetCollection(ctx, client.NewAssetCollection{Assets: []client.AssetUpload{
		{File: client.FileFromBytes("known.txt", "", known)}}}); err != nil {
		t.Fatal(err)
	}
	var assets []client.AssetUpload
	for i := range 150 {
		dir := map[bool]string{true: `lib\sub`, false: ""}[i%2 == 0]
		assets = append(assets, client.AssetUpload{File: client.FileFromBytes(fmt.Sprintf("f%03d.py", i), "", []byte(fmt.Sprintf("print(%d)\n", i))),
			RelativePath: dir})
	}
	big := pseudoRandom(client.LargeFileSize+1, 9)
	assets = append(assets, client.AssetUpload{File: client.FileFromBytes("model.bin", "", big), Tags: client.Tags{"kind": "model"}},
		client.AssetUpload{File: client.FileFromBytes("known.txt", "", known), RelativePath: "data"})
	ts.rec.reset()
	id, err := c.SaveAssetCollection(ctx, client.NewAssetCollection{Tags: client.Tags{"type": "scripts"}, Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	saves := ts.rec.matching("POST", "/api/AssetCollections")
	if len(saves) != 2 || string(saves[0].Parts[0].Body) != "[]" || len(saves[0].Parts) != 101 || len(saves[1].Parts) != 51 {
		t.Fatalf("%d saves; want [] + 100 files, then the collection + 50:\n%s", len(saves), ts.rec.summary())
	}
	if n := ts.rec.count("POST", "/api/upload/*"); n == 0 {
		t.Fatal("the large file did not go up in chunks")
	}
	ac, err := c.GetAssetCollection(ctx, id, client.Query{Children: []string{"Assets", "Tags"}})
	if err != nil || len(ac.Assets) != 152 || ac.Tags["type"] != "scripts" {
		t.Fatalf("collection: %d assets %v, %v", len(ac.Assets), ac.Tags, err)
	}
	for _, a := range ac.Assets {
		if a.FileName == "model.bin" && (a.Length != int64(len(big)) || a.Tags["kind"] != "model") {
			t.Errorf("model.bin %+v", a)
		}
		if a.FileName == "f000.py" && a.RelativePath != `lib\sub` {
			t.Errorf("f000.py in %q", a.RelativePath)
		}
	}
	got, err := download(t, c, ac.Assets[0].URI, 0, -1)
	if err != nil || !strings.HasPrefix(string(got), "print(0)") {
		t.Fatalf("asset download %q %v", got, err)
	}
}
