package localcomps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

type relatedAnswer struct {
	Related []wireRelated
	Parents []wireRelated
}

func TestRelations(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ids, err := e.s.Seed(ctx, []SeedWorkItem{{Name: "a"}, {Name: "b"}, {Name: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	suite, _ := e.s.SeedEntity(ctx, "Suite", SeedEntity{Name: "s"})
	exp, err := e.s.SeedEntity(ctx, "Experiment", SeedEntity{Name: "x", ParentId: suite})
	if err != nil {
		t.Fatal(err)
	}
	ac, _ := e.s.SeedEntity(ctx, "AssetCollection", SeedEntity{})
	a, b, c := ids[0], ids[1], ids[2]
	for _, p := range []string{
		a + "/Related/DependsOn/WorkItem/" + b,
		a + "/Related/DependsOn/Experiment/" + exp,
		a + "/Related/Created/AssetCollection/" + ac,
		c + "/Related/DependsOn/WorkItem/" + b,
		a + "/Related/DependsOn/WorkItem/" + b, // again: no duplicate
	} {
		e.json("POST", "/api/WorkItems/"+p, nil, http.StatusOK, nil)
	}
	var r relatedAnswer
	e.json("GET", "/api/WorkItems/"+a+"/Related", nil, 200, &r)
	if len(r.Related) != 3 || r.Related[0] != (wireRelated{"WorkItem", b, "DependsOn"}) {
		t.Fatalf("related %+v", r.Related)
	}
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/"+a+"/Related?RelatedObject=AssetCollection&RelationType=Created", nil, 200, &r)
	if len(r.Related) != 1 || r.Related[0].Id != ac || r.Related[0].ObjectType != "AssetCollection" {
		t.Fatalf("filtered related %+v", r.Related)
	}
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/"+a+"/Related?RelationType=DependsOn", nil, 200, &r)
	if len(r.Related) != 2 {
		t.Fatalf("DependsOn related %+v", r.Related)
	}
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/RelatedEntityId/"+b+"/Type/WorkItem", nil, 200, &r)
	if len(r.Parents) != 2 || r.Parents[0].Id != a || r.Parents[1].Id != c {
		t.Fatalf("parents %+v", r.Parents)
	}
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/RelatedEntityId/"+ac+"/Type/AssetCollection/Relation/Created", nil, 200, &r)
	if len(r.Parents) != 1 || r.Parents[0].Id != a {
		t.Fatalf("parents of ac %+v", r.Parents)
	}
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/RelatedEntityId/"+ac+"/Type/AssetCollection/Relation/DependsOn", nil, 200, &r)
	if len(r.Parents) != 0 {
		t.Fatalf("DependsOn parents of ac %+v", r.Parents)
	}
	unknown := "00000000-0000-0000-0000-000000000001"
	for p, st := range map[string]int{
		"POST /api/WorkItems/" + a + "/Related/Likes/WorkItem/" + b:           400,
		"POST /api/WorkItems/" + a + "/Related/DependsOn/Planet/" + b:         400,
		"POST /api/WorkItems/" + a + "/Related/DependsOn/WorkItem/" + unknown: 404,
		"POST /api/WorkItems/" + unknown + "/Related/DependsOn/WorkItem/" + a: 404,
		"POST /api/WorkItems/" + a + "/Related/DependsOn/Suite/" + exp:        404, // exists, but not as a suite
		"POST /api/WorkItems/" + a + "/Related/DependsOn/WorkItem/bad":        400,
		"GET /api/WorkItems/" + unknown + "/Related":                          404,
		"GET /api/WorkItems/" + a + "/Related?RelationType=Nope":              400,
		"GET /api/WorkItems/RelatedEntityId/" + unknown + "/Type/WorkItem":    404,
		"GET /api/WorkItems/RelatedEntityId/" + a + "/Type/Planet":            400,
	} {
		var method, path string
		fmt.Sscan(p, &method, &path)
		resp, body := e.req(method, path, nil, nil)
		if resp.StatusCode != st {
			t.Errorf("%s: %d, want %d", p, resp.StatusCode, st)
			continue
		}
		e.errBody(body)
	}
	// a deleted item disappears from relations
	e.json("DELETE", "/api/WorkItems/"+c, nil, 200, nil)
	r = relatedAnswer{}
	e.json("GET", "/api/WorkItems/RelatedEntityId/"+b+"/Type/WorkItem", nil, 200, &r)
	if len(r.Parents) != 1 {
		t.Fatalf("parents after delete %+v", r.Parents)
	}
	if e.countWorkItems() != 2 {
		t.Fatal("soft delete")
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ids, _ := e.s.Seed(ctx, []SeedWorkItem{{Name: "a", Tags: map[string]any{"keep": "1", "change": "old"}}})
	sim, _ := e.s.SeedEntity(ctx, "Simulation", SeedEntity{Name: "s"})
	tags := func(path string) map[string]any {
		var ans map[string][]wireEntity
		e.json("GET", path+"?children=Tags", nil, 200, &ans)
		for _, v := range ans {
			return *v[0].Tags
		}
		return nil
	}
	wi := "/api/WorkItems/" + ids[0]
	e.json("POST", wi+"/tags", map[string]any{"Tags": map[string]any{"change": "new", "n": 2.5, "b": true, "flag": nil, "a/b": "x"}, "OperationMode": "Merge"}, 200, nil)
	got := tags(wi)
	if fmt.Sprint(got) != "map[a/b:x b:true change:new flag:<nil> keep:1 n:2.5]" {
		t.Fatalf("merge: %v", got)
	}
	e.json("POST", wi+"/tags", map[string]any{"Tags": map[string]any{"flag": nil, "keep": nil}, "OperationMode": "Delete"}, 200, nil)
	if got := tags(wi); fmt.Sprint(got) != "map[a/b:x b:true change:new n:2.5]" {
		t.Fatalf("delete: %v", got)
	}
	e.json("POST", wi+"/tags", map[string]any{"Tags": map[string]any{"only": "this"}, "OperationMode": "Replace"}, 200, nil)
	if got := tags(wi); fmt.Sprint(got) != "map[only:this]" {
		t.Fatalf("replace: %v", got)
	}
	e.json("POST", "/api/Simulations/"+sim+"/tags", map[string]any{"Tags": map[string]any{"Run_Number": 3}, "OperationMode": "Merge"}, 200, nil)
	if got := tags("/api/Simulations/" + sim); got["Run_Number"] != float64(3) {
		t.Fatalf("simulation tags %v", got)
	}
	for _, c := range []struct {
		path string
		body any
		st   int
	}{
		{wi + "/tags", map[string]any{"Tags": map[string]any{"x": 1}, "OperationMode": "Add"}, 400},
		{wi + "/tags", map[string]any{"Tags": map[string]any{"x": 1}}, 400},
		{wi + "/tags", map[string]any{"Tags": map[string]any{"x": map[string]any{}}, "OperationMode": "Merge"}, 400},
		{wi + "/tags", "not an object", 400},
		{"/api/WorkItems/00000000-0000-0000-0000-000000000001/tags", map[string]any{"Tags": map[string]any{}, "OperationMode": "Merge"}, 404},
		{"/api/Suites/" + ids[0] + "/tags", map[string]any{"Tags": map[string]any{}, "OperationMode": "Merge"}, 404},
	} {
		e.json("POST", c.path, c.body, c.st, nil)
	}
	if got := tags(wi); fmt.Sprint(got) != "map[only:this]" {
		t.Fatalf("after refused changes: %v", got)
	}
}

func TestStateTransitions(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ids, _ := e.s.Seed(ctx, []SeedWorkItem{{Name: "new"}, {Name: "done", State: "Succeeded"}, {Name: "running", State: "Running"}})
	state := func(id string) (string, string) {
		var a workItemsAnswer
		e.json("GET", "/api/WorkItems/"+id+"?fields=Id,State,LastModified&count=100000", nil, 200, &a)
		return a.WorkItems[0]["State"].(string), a.WorkItems[0]["LastModified"].(string)
	}
	put := func(id, st string, want int) {
		t.Helper()
		resp, body := e.req("PUT", "/api/WorkItems/"+id+"/State/"+st, nil, nil)
		if resp.StatusCode != want {
			t.Fatalf("%s -> %s: %d, want %d: %s", id, st, resp.StatusCode, want, body)
		}
		if want >= 400 {
			e.errBody(body)
		}
	}
	_, lm0 := state(ids[0])
	put(ids[0], "CommissionRequested", 200)
	if s, lm := state(ids[0]); s != "CommissionRequested" || lm <= lm0 {
		t.Fatalf("after commission: %s %s (was %s)", s, lm, lm0)
	}
	put(ids[0], "CommissionRequested", 400) // not from CommissionRequested
	put(ids[1], "CommissionRequested", 400) // not from Succeeded
	put(ids[1], "CancelRequested", 400)     // finished
	put(ids[0], "Running", 400)             // cannot be requested
	put(ids[0], "Bogus", 400)
	put("00000000-0000-0000-0000-000000000001", "CancelRequested", 404)
	put("nope", "CancelRequested", 400)
	if s, _ := state(ids[1]); s != "Succeeded" {
		t.Fatalf("refused transitions changed state to %s", s)
	}
	put(ids[0], "CancelRequested", 200)
	put(ids[2], "CancelRequested", 200)
	for _, id := range []string{ids[0], ids[2]} {
		if s, _ := state(id); s != "Canceled" {
			t.Fatalf("cancel without a worker: %s", s)
		}
	}
	put(ids[0], "CancelRequested", 400)

	if err := e.s.SetWorkItemState(ctx, ids[1], "Failed", "exit status 3"); err != nil {
		t.Fatal(err)
	}
	var a workItemsAnswer
	e.json("GET", "/api/WorkItems?filters=State=Failed&fields=Id,ErrorMessage", nil, 200, &a)
	if len(a.WorkItems) != 1 || a.WorkItems[0]["ErrorMessage"] != "exit status 3" {
		t.Fatalf("failed item %v", a.WorkItems)
	}

	// experiments pass simulation states to their simulations
	exp, _ := e.s.SeedEntity(ctx, "Experiment", SeedEntity{Name: "x"})
	s1, _ := e.s.SeedEntity(ctx, "Simulation", SeedEntity{Name: "s1", ParentId: exp})
	s2, _ := e.s.SeedEntity(ctx, "Simulation", SeedEntity{Name: "s2", ParentId: exp, SimulationState: "Succeeded"})
	e.json("PUT", "/api/Experiments/"+exp+"/State/CommissionRequested", nil, 200, nil)
	var sims struct{ Simulations []wireEntity }
	e.json("GET", "/api/Simulations?filters=ExperimentId="+exp+"&orderby=Name&count=100000", nil, 200, &sims)
	if len(sims.Simulations) != 2 || sims.Simulations[0].SimulationState != "CommissionRequested" || sims.Simulations[1].SimulationState != "Succeeded" {
		t.Fatalf("simulations %+v", sims)
	}
	_ = s1
	_ = s2
	e.json("PUT", "/api/AssetCollections/"+exp+"/State/Created", nil, 404, nil)
	q := url.Values{"filters": {"SimulationState=CommissionRequested"}}
	sims.Simulations = nil
	e.json("GET", "/api/Simulations?"+q.Encode(), nil, 200, &sims)
	if len(sims.Simulations) != 1 {
		t.Fatalf("filter by SimulationState: %+v", sims)
	}
}
