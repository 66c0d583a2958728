package localcomps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// TestContainmentQueries: the queries the mount's suites/, experiments/
// and experiments/<id>/simulations/ make are answered in the protocol's
// shape (docs/protocol.md §9): a suite's experiments, an owner's suites,
// an experiment's simulations paged with Content-Range, by state and not
// in a final state, with their tags and own files.
func TestContainmentQueries(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxPageSize = 10 })
	ctx := context.Background()
	suite, err := e.s.SeedEntity(ctx, kindSuite, SeedEntity{Name: "suite"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SeedEntity(ctx, kindSuite, SeedEntity{Name: "theirs", Owner: "asmith"}); err != nil {
		t.Fatal(err)
	}
	exps, err := e.s.SeedEntities(ctx, kindExperiment, []SeedEntity{{Name: "a", ParentId: suite}, {Name: "b", ParentId: suite}, {Name: "alone"}})
	if err != nil {
		t.Fatal(err)
	}
	states := []string{"Succeeded", "Failed", "Running", "Created"}
	sims := make([]SeedEntity, 25)
	for i := range sims {
		sims[i] = SeedEntity{Name: fmt.Sprintf("sim %02d", i), ParentId: exps[0], SimulationState: states[i%4],
			Tags: map[string]any{"Run_Number": i}, Files: []SeedFile{{Path: "config.json", Data: []byte("{}")}}}
	}
	simIDs, err := e.s.SeedEntities(ctx, kindSimulation, sims)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SeedEntities(ctx, kindSimulation, []SeedEntity{{Name: "orphan", ParentId: "00000000-0000-0000-0000-000000000001"}}); err == nil {
		t.Error("a simulation of an unknown experiment was seeded")
	}

	var ea struct{ Experiments []map[string]any }
	e.json("GET", "/api/Experiments?filters=SuiteId="+suite, nil, http.StatusOK, &ea)
	if len(ea.Experiments) != 2 || ea.Experiments[0]["Id"] != exps[0] || ea.Experiments[1]["SuiteId"] != suite {
		t.Errorf("a suite's experiments: %v", ea.Experiments)
	}
	var sa struct{ Suites []map[string]any }
	e.json("GET", "/api/Suites?filters=Owner="+e.s.opts.User, nil, http.StatusOK, &sa)
	if len(sa.Suites) != 1 || sa.Suites[0]["Id"] != suite {
		t.Errorf("the user's suites: %v", sa.Suites)
	}

	var got []string
	for offset := 0; ; offset += 10 {
		var a struct{ Simulations []map[string]any }
		resp := e.json("GET", fmt.Sprintf("/api/Simulations?filters=ExperimentId=%s&children=Tags,Files&count=100000&offset=%d",
			exps[0], offset), nil, http.StatusOK, &a)
		want := fmt.Sprintf("items %d-%d/25", offset, min(offset+9, 24))
		if cr := resp.Header.Get("Content-Range"); cr != want {
			t.Fatalf("offset %d: Content-Range %q, want %q", offset, cr, want)
		}
		for _, s := range a.Simulations {
			got = append(got, s["Id"].(string))
			tags, _ := s["Tags"].(map[string]any)
			files, _ := s["Files"].([]any)
			if s["ExperimentId"] != exps[0] || s["SimulationState"] == nil || tags["Run_Number"] == nil || len(files) != 1 {
				t.Fatalf("simulation %v", s)
			}
		}
		if offset+10 >= 25 {
			break
		}
	}
	if !slices.Equal(got, simIDs) {
		t.Errorf("paged simulations %v, want %v in creation order", got, simIDs)
	}
	for q, want := range map[string]string{
		"filters=ExperimentId=" + exps[0] + ",SimulationState=Failed":                                                       "6 ",
		"filters=ExperimentId=" + exps[0] + ",SimulationState!=Succeeded,SimulationState!=Failed,SimulationState!=Canceled": "10 items 0-9/12",
		"filters=ExperimentId=" + exps[1]: "0 ",
	} {
		var a struct{ Simulations []map[string]any }
		resp := e.json("GET", "/api/Simulations?"+q, nil, http.StatusOK, &a)
		if got := fmt.Sprint(len(a.Simulations), " ", resp.Header.Get("Content-Range")); got != want {
			t.Errorf("%s: %q simulations and range, want %q", q, got, want)
		}
	}
}
