package localcomps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// These tests send the requests the official Python client (pyCOMPS)
// sends, byte for byte where it matters: its query parameters as the
// requests library encodes them, its headers and its JSON bodies (Python's
// json.dumps separators ", " and ": ").

// pyRequest sends a request with pyCOMPS's headers (§1.3): the token,
// Accept and Content-Type application/json on every call, no User-Agent.
func (e *env) pyRequest(method, pathAndQuery, body string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return e.req(method, pathAndQuery, rd, map[string]string{"User-Agent": ""})
}

// TestOfficialClientUnpagedQueryIsComplete: WorkItem.get(query_criteria=
// QueryCriteria().select(['id','name']).where(['owner=jdoe'])) sends
// count=100000 and pages only beyond that; 1,100 items come back whole,
// with no Content-Range (the answer is the entire data set).
func TestOfficialClientUnpagedQueryIsComplete(t *testing.T) {
	e := newEnv(t, nil)
	items := make([]SeedWorkItem, 1100)
	for i := range items {
		items[i] = SeedWorkItem{Name: fmt.Sprintf("bulk %04d", i), Owner: "jdoe"}
	}
	if _, err := e.s.Seed(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	resp, data := e.pyRequest("GET", "/api/WorkItems?fields=Id%2CName&filters=Owner%3Djdoe&count=100000", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	var a workItemsAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.WorkItems) != 1100 {
		t.Fatalf("count=100000 on 1,100 items returned %d", len(a.WorkItems))
	}
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		t.Fatalf("complete answer carries Content-Range %q", cr)
	}
	seen := map[any]bool{}
	for _, w := range a.WorkItems {
		seen[w["Id"]] = true
	}
	if len(seen) != 1100 {
		t.Fatalf("%d distinct ids", len(seen))
	}
	// A caller that pages keeps its Content-Range.
	resp, data = e.pyRequest("GET", "/api/WorkItems?fields=Id&offset=1000&count=1000", "")
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if cr := resp.Header.Get("Content-Range"); cr != "items 1000-1099/1100" || len(a.WorkItems) != 100 {
		t.Fatalf("second page: Content-Range %q, %d items", cr, len(a.WorkItems))
	}
}

// TestOfficialClientPlugins: select_children('plugins') sends
// children=Plugins; an item without plugins answers "Plugins": [], the one
// shape pyCOMPS's parser accepts. A seeded plugin goes out as {Name,Version}.
func TestOfficialClientPlugins(t *testing.T) {
	e := newEnv(t, nil)
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "plain"},
		{Name: "with plugin", Plugins: []Plugin{{Name: "ReportPlugin", Version: "2.1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, data := e.pyRequest("GET", "/api/WorkItems/"+ids[0]+"?fields=Id&children=Plugins&count=100000", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"Plugins":[]`) {
		t.Fatalf("status %d, body %s: want \"Plugins\":[]", resp.StatusCode, data)
	}
	var a struct{ WorkItems []wireEntity }
	e.json("GET", "/api/WorkItems/"+ids[1]+"?children=Plugins", nil, http.StatusOK, &a)
	if p := a.WorkItems[0].Plugins; p == nil || len(*p) != 1 || (*p)[0] != (wireWorker{"ReportPlugin", "2.1"}) {
		t.Fatalf("seeded plugins %+v", p)
	}
	var b struct{ WorkItems []wireEntity }
	e.json("GET", "/api/WorkItems/"+ids[1], nil, http.StatusOK, &b)
	if b.WorkItems[0].Plugins != nil {
		t.Fatal("Plugins sent without children=Plugins")
	}
}

// TestOfficialClientSavesTheGraph: what pyCOMPS sends to build a suite, an
// experiment in it and a simulation with a file (Suite.save,
// Experiment.save, Simulation.save), then reads back; and its updates.
func TestOfficialClientSavesTheGraph(t *testing.T) {
	e := newEnv(t, nil)
	var ids wireIds
	decode := func(resp *http.Response, data []byte) {
		t.Helper()
		if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &ids) != nil || len(ids.Ids) != 1 {
			t.Fatalf("save: %d %s", resp.StatusCode, data)
		}
	}
	decode(e.pyRequest("POST", "/api/Suites", `{"Suites": [{"Name": "calibration", "Owner": "jdoe", "Tags": {"project": "IDM"}}]}`))
	suite := ids.Ids[0]
	decode(e.pyRequest("POST", "/api/Experiments", `{"Experiments": [{"SuiteId": "`+suite+`", "Name": "sweep", "Owner": "jdoe", `+
		`"Configuration": {"EnvironmentName": "Bayesian", "SimulationInputArgs": "--config config.json", "MaxCores": 1, "Priority": "Lowest", "Exclusive": false}}]}`))
	exp := ids.Ids[0]

	cfg := []byte(`{"parameters": {"Run_Number": 1}}`)
	entity := `[{"ExperimentId": "` + exp + `", "Name": "sim 1", "Owner": "jdoe", "Tags": {"Run_Number": 1}, ` +
		`"Configuration": {"MaxCores": 2}, "Files": [{"FileName": "config.json", "FileType": "Config", "Description": "", "MD5Checksum": "` + md5uuid(cfg) + `"}]}]`
	decode(e.save("Simulations", entity, part{md5uuid(cfg), "config.json", cfg}))
	sim := ids.Ids[0]

	var got struct{ Simulations []wireEntity }
	e.json("GET", "/api/Simulations/"+sim+"?children=Tags%2CConfiguration%2CFiles&count=100000", nil, http.StatusOK, &got)
	s := got.Simulations[0]
	if s.Name != "sim 1" || s.ExperimentId != exp || s.Owner != "jdoe" || s.SimulationState != "Created" || s.DateCreated == "" {
		t.Fatalf("simulation %+v", s)
	}
	if (*s.Tags)["Run_Number"] == nil || string(s.Configuration) != `{"MaxCores":2}` {
		t.Fatalf("tags %v configuration %s", *s.Tags, s.Configuration)
	}
	files := *s.Files
	if len(files) != 1 || files[0].FileName != "config.json" || files[0].FileType != "Config" || *files[0].Length != int64(len(cfg)) {
		t.Fatalf("files %+v", files)
	}
	u := files[0].Uri[strings.Index(files[0].Uri, "/asset/"):]
	if resp, data := e.req("GET", u, nil, nil); resp.StatusCode != http.StatusOK || string(data) != string(cfg) {
		t.Fatalf("file download %s: %d %q", u, resp.StatusCode, data)
	}
	var exps struct{ Experiments []wireEntity }
	e.json("GET", "/api/Experiments/"+exp+"?children=Configuration", nil, http.StatusOK, &exps)
	if !strings.Contains(string(exps.Experiments[0].Configuration), `"EnvironmentName":"Bayesian"`) {
		t.Fatalf("experiment configuration %s", exps.Experiments[0].Configuration)
	}
	var list struct{ Simulations []wireEntity }
	e.json("GET", "/api/Simulations?filters=ExperimentId="+exp+"&count=100000", nil, http.StatusOK, &list)
	if len(list.Simulations) != 1 || list.Simulations[0].Id != sim {
		t.Fatalf("simulations of the experiment %+v", list)
	}

	// Updates as pyCOMPS sends them: Id, Name, ExperimentId, Description
	// (and Configuration when it changed).
	decode(e.save("Simulations", `[{"Id": "`+sim+`", "Name": "sim 1 renamed", "ExperimentId": "`+exp+`", "Description": "rerun", "Configuration": {"MaxCores": 4}}]`))
	decode(e.pyRequest("POST", "/api/Experiments", `{"Experiments": [{"Id": "`+exp+`", "Name": "sweep 2", "SuiteId": "`+suite+`", "Description": "more"}]}`))
	decode(e.pyRequest("POST", "/api/Suites", `{"Suites": [{"Id": "`+suite+`", "Name": "calibration 2"}]}`))
	got.Simulations = nil
	e.json("GET", "/api/Simulations/"+sim+"?children=Configuration", nil, http.StatusOK, &got)
	if s := got.Simulations[0]; s.Name != "sim 1 renamed" || s.Description != "rerun" || string(s.Configuration) != `{"MaxCores":4}` || ids.Ids[0] != suite {
		t.Fatalf("after update %+v", s)
	}

	// A file referenced by md5 only, unknown to the server: 400 UntrackedIds.
	unknown := []byte("not on the server")
	resp, data := e.save("Simulations", `[{"ExperimentId": "`+exp+`", "Name": "sim 2", "Owner": "jdoe", "Files": [{"FileName": "x", "FileType": "input", "Description": "", "MD5Checksum": "`+md5uuid(unknown)+`"}]}]`)
	if we := e.errBody(data); resp.StatusCode != http.StatusBadRequest || len(we.UntrackedIds) != 1 || we.UntrackedIds[0] != md5uuid(unknown) {
		t.Fatalf("untracked: %d %s", resp.StatusCode, data)
	}
	for _, bad := range []string{
		`[{"Name": "no such experiment", "ExperimentId": "00000000-0000-0000-0000-000000000001"}]`,
		`[{"Description": "no name"}]`,
		`[{"Name": "bad config", "Configuration": {"Priority": "Urgent"}}]`,
		`[{"Id": "00000000-0000-0000-0000-000000000002", "Name": "no such simulation"}]`,
	} {
		if resp, data := e.save("Simulations", bad); resp.StatusCode < 400 || resp.StatusCode > 404 {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, data)
		}
	}
}
