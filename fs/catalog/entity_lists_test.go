package catalog

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

const (
	simQueryKey = "GET /api/Simulations"
	simGetKey   = "GET /api/Simulations/{id}"
)

// seedExperiment seeds a suite of jdoe's and one of someone else's, an
// experiment of jdoe's in the first, and n simulations in it, every other
// one Running (the rest Succeeded), each tagged with its number.
func seedExperiment(t *testing.T, w *world, n int) (suite, exp string, sims []string) {
	t.Helper()
	ctx := context.Background()
	var err error
	if suite, err = w.srv.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "mine", Owner: "jdoe"}); err != nil {
		t.Fatal(err)
	}
	if _, err = w.srv.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "theirs", Owner: "asmith"}); err != nil {
		t.Fatal(err)
	}
	if exp, err = w.srv.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "sweep", ParentId: suite, Owner: "jdoe"}); err != nil {
		t.Fatal(err)
	}
	es := make([]localcomps.SeedEntity, n)
	for i := range es {
		es[i] = localcomps.SeedEntity{Name: fmt.Sprintf("sim %d", i), ParentId: exp,
			SimulationState: []string{"Running", "Succeeded"}[i%2], Tags: map[string]any{"Run_Number": i}}
	}
	if sims, err = w.srv.SeedEntities(ctx, "Simulation", es); err != nil {
		t.Fatal(err)
	}
	return suite, exp, sims
}

// TestListingSimulationsFillsTheirEntries: after an experiment's
// simulations are listed, their properties and tags cost nothing; the
// listing is the server's, oldest first.
func TestListingSimulationsFillsTheirEntries(t *testing.T) {
	w := newWorld(t)
	_, exp, sims := seedExperiment(t, w, 30)
	ctx := context.Background()
	cat := w.catalog(t, time.Hour, time.Hour)
	ids, err := cat.ListSimulations(ctx, exp)
	if err != nil || !slices.Equal(ids, sims) {
		t.Fatalf("simulations = %v, %v; want %v", ids, err, sims)
	}
	before := w.requests(simGetKey)
	for i, id := range ids {
		e, err := cat.EntityProps(ctx, client.KindSimulation, id)
		if err != nil || e.ExperimentID != exp || e.Name != fmt.Sprintf("sim %d", i) || e.Tags != nil {
			t.Fatalf("properties of %s: %+v, %v", id, e, err)
		}
		d, err := cat.Entity(ctx, client.KindSimulation, id)
		if err != nil || client.TagText(d.Tags["Run_Number"]) != fmt.Sprint(i) {
			t.Fatalf("tags of %s: %+v, %v", id, d, err)
		}
	}
	if n := w.requests(simGetKey) - before; n != 0 {
		t.Errorf("%d GETs of listed simulations, want none", n)
	}
	failed, err := cat.ListSimulationsByState(ctx, exp, client.SimSucceeded)
	if err != nil || len(failed) != 15 || failed[0] != sims[1] {
		t.Errorf("Succeeded simulations = %v, %v", failed, err)
	}
}

// TestListingsOfSuitesAndExperiments: suites/ and experiments/ hold the
// user's own (everyone's with AllOwners); a suite lists its experiments.
func TestListingsOfSuitesAndExperiments(t *testing.T) {
	w := newWorld(t)
	suite, exp, _ := seedExperiment(t, w, 1)
	ctx := context.Background()
	cat := w.catalog(t, time.Hour, time.Hour)
	cat.o.Owner = "jdoe"
	if got, err := cat.ListEntities(ctx, client.KindSuite); err != nil || !slices.Equal(got, []string{suite}) {
		t.Errorf("suites = %v, %v; want [%s]", got, err, suite)
	}
	if got, err := cat.ListEntities(ctx, client.KindExperiment); err != nil || !slices.Equal(got, []string{exp}) {
		t.Errorf("experiments = %v, %v; want [%s]", got, err, exp)
	}
	if got, err := cat.ListExperiments(ctx, suite); err != nil || !slices.Equal(got, []string{exp}) {
		t.Errorf("experiments of the suite = %v, %v; want [%s]", got, err, exp)
	}
	all := w.catalog(t, time.Hour, time.Hour)
	all.o.Owner, all.o.AllOwners = cat.o.Owner, true
	if got, err := all.ListEntities(ctx, client.KindSuite); err != nil || len(got) != 2 {
		t.Errorf("everyone's suites = %v, %v; want 2", got, err)
	}
	before := w.requests("GET /api/Experiments/{id}")
	if e, err := cat.EntityProps(ctx, client.KindExperiment, exp); err != nil || e.SuiteID != suite {
		t.Errorf("listed experiment: %+v, %v", e, err)
	}
	if n := w.requests("GET /api/Experiments/{id}") - before; n != 0 {
		t.Errorf("%d GETs of a listed experiment, want none", n)
	}
	name := "renamed"
	if err := cat.UpdateEntity(ctx, client.KindExperiment, exp, client.EntityUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if e, err := cat.EntityProps(ctx, client.KindExperiment, exp); err != nil || e.Name != name {
		t.Errorf("experiment after the rename: %+v, %v", e, err)
	}
	if err := cat.UpdateEntity(ctx, client.KindAssetCollection, exp, client.EntityUpdate{Name: &name}); err == nil {
		t.Error("an asset collection was renamed")
	}
}

// TestListedUnfinishedSimulationsRefreshTogether: a listed finished
// simulation's properties never expire (its tags do, after --dir-ttl);
// once the unfinished ones expire, reading them all costs
// refreshAfterReads-1 GETs and one query, as for work items.
func TestListedUnfinishedSimulationsRefreshTogether(t *testing.T) {
	const n, attrTTL, dirTTL = 30, 2 * time.Second, 10 * time.Second
	w := newWorld(t)
	_, exp, sims := seedExperiment(t, w, n)
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		cat := w.catalog(t, dirTTL, attrTTL)
		if _, err := cat.ListSimulations(ctx, exp); err != nil {
			t.Fatal(err)
		}
		time.Sleep(dirTTL + time.Second)
		key := entityKey{Kind: client.KindSimulation, ID: sims[1]} // Succeeded
		if _, l := cat.entities.Get(key); l != cache.Hit {
			t.Errorf("a finished simulation's properties after --dir-ttl: %s, want hit", l)
		}
		if _, l := cat.entityDetails.Get(key); l != cache.Miss {
			t.Errorf("a finished simulation's tags after --dir-ttl: %s, want miss", l)
		}
		q0, g0 := w.requests(simQueryKey), w.requests(simGetKey)
		for _, id := range sims {
			e, err := cat.EntityProps(ctx, client.KindSimulation, id)
			if err != nil || e.ExperimentID != exp {
				t.Fatalf("simulation %s: %+v, %v", id, e, err)
			}
		}
		if q, g := w.requests(simQueryKey)-q0, w.requests(simGetKey)-g0; q != 1 || g != refreshAfterReads-1 {
			t.Errorf("reading %d expired simulations: %d queries, %d GETs; want 1 and %d", n, q, g, refreshAfterReads-1)
		}
	})
}
