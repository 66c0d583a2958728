package localcomps

import (
	"context"
	"net/http"
	"testing"
)

func TestDemo(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := Demo(ctx, e.s); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.countWorkItems(); n != 9 {
		t.Fatalf("%d work items, want 9 (Demo must be idempotent)", n)
	}
	byState := map[string]int{}
	var all workItemsAnswer
	e.json("GET", "/api/WorkItems?children=Tags,Files&count=100000", nil, http.StatusOK, &all)
	var climate string
	for _, w := range all.WorkItems {
		byState[w["State"].(string)]++
		if w["Name"] == "Climate generation Zambia 2.5 arcmin" {
			climate = w["Id"].(string)
		}
		if len(w["Files"].([]any)) == 0 {
			t.Errorf("%v has no WorkOrder", w["Name"])
		}
	}
	if byState["Succeeded"] != 6 || byState["Running"] != 1 || byState["Failed"] != 1 || byState["Created"] != 1 {
		t.Fatalf("states %v", byState)
	}
	var list struct{ Resources []wireResource }
	e.json("GET", "/asset/WorkItems/"+climate+"/Output?flatten=1", nil, http.StatusOK, &list)
	var big, empty bool
	for _, r := range list.Resources {
		big = big || r.Length == 5<<20
		empty = empty || r.Length == 0 && r.FriendlyName != "StdErr.txt"
	}
	if !big || !empty {
		t.Fatalf("climate outputs %+v", list.Resources)
	}
	var exps struct{ Experiments []wireEntity }
	e.json("GET", "/api/Experiments", nil, http.StatusOK, &exps)
	if len(exps.Experiments) != 2 || exps.Experiments[0].SuiteId == "" || exps.Experiments[0].SuiteId != exps.Experiments[1].SuiteId {
		t.Fatalf("experiments %+v: want two in one suite", exps)
	}
	var sims struct{ Simulations []wireEntity }
	e.json("GET", "/api/Simulations?count=100000&filters=ExperimentId="+exps.Experiments[0].Id, nil, http.StatusOK, &sims)
	if len(sims.Simulations) != 50 {
		t.Fatalf("%d simulations in the sweep, want 50", len(sims.Simulations))
	}
	e.json("GET", "/asset/Simulations/"+sims.Simulations[0].Id+"/Output?flatten=1", nil, http.StatusOK, &list)
	if len(list.Resources) == 0 {
		t.Fatal("simulation outputs")
	}
	var rel relatedAnswer
	e.json("GET", "/api/WorkItems?filters=Name~Post-process&fields=Id", nil, http.StatusOK, &all)
	e.json("GET", "/api/WorkItems/"+all.WorkItems[0]["Id"].(string)+"/Related", nil, http.StatusOK, &rel)
	if len(rel.Related) != 2 {
		t.Fatalf("related %+v", rel)
	}
	var acs struct{ AssetCollections []wireEntity }
	e.json("GET", "/api/AssetCollections?children=Assets", nil, http.StatusOK, &acs)
	if len(acs.AssetCollections) != 2 || len(*acs.AssetCollections[0].Assets) != 1 || len(*acs.AssetCollections[1].Assets) != 2 {
		t.Fatalf("asset collections %+v", acs)
	}
}
