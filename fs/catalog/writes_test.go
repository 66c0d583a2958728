package catalog

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// primed is a catalog with one of everything cached: a work item (basic and
// detailed), the listings, its outputs and relations, a suite, an
// experiment in it and the work items pointing at it, a simulation of it
// with its files, and the listings of all three kinds.
type primed struct {
	cat             *Catalog
	item            string // a Created work item
	suite, exp, sim string
}

// prime reads everything once so that each entry below is cached.
func prime(t *testing.T, w *world) primed {
	t.Helper()
	ctx := context.Background()
	p := primed{cat: w.catalog(t, time.Hour, time.Hour)}
	p.item = w.seed(t, localcomps.SeedWorkItem{Name: "item", Tags: map[string]any{"a": "1"}})[0]
	var err error
	if p.suite, err = w.srv.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "suite"}); err != nil {
		t.Fatal(err)
	}
	if p.exp, err = w.srv.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "exp", ParentId: p.suite}); err != nil {
		t.Fatal(err)
	}
	if p.sim, err = w.srv.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "sim", ParentId: p.exp,
		Files: []localcomps.SeedFile{{Path: "config.json", Data: []byte("{}")}}}); err != nil {
		t.Fatal(err)
	}
	for name, read := range p.reads() {
		if err := read(ctx); err != nil {
			t.Fatalf("prime %s: %v", name, err)
		}
	}
	for name, state := range p.lookups() {
		if state != cache.Hit {
			t.Fatalf("primed %s: %s", name, state)
		}
	}
	return p
}

// reads are the catalog reads that fill each entry lookups names.
func (p primed) reads() map[string]func(context.Context) error {
	c := p.cat
	return map[string]func(context.Context) error{
		"workitem":  func(ctx context.Context) error { _, err := c.WorkItem(ctx, p.item); return err },
		"details":   func(ctx context.Context) error { _, err := c.WorkItemDetail(ctx, p.item); return err },
		"workitems": func(ctx context.Context) error { _, err := c.ListWorkItems(ctx); return err },
		"by-state/Created": func(ctx context.Context) error {
			_, err := c.ListByState(ctx, client.StateCreated)
			return err
		},
		"by-state/CommissionRequested": func(ctx context.Context) error {
			_, err := c.ListByState(ctx, client.StateCommissionRequested)
			return err
		},
		"outputs": func(ctx context.Context) error {
			_, err := c.Outputs(ctx, client.KindWorkItem, p.item, false)
			return err
		},
		"related": func(ctx context.Context) error { _, err := c.Related(ctx, p.item); return err },
		"parents": func(ctx context.Context) error {
			_, err := c.Parents(ctx, client.KindExperiment, p.exp, client.RelationDependsOn)
			return err
		},
		"experiment": func(ctx context.Context) error { _, err := c.Entity(ctx, client.KindExperiment, p.exp); return err },
		"query": func(ctx context.Context) error {
			cr, err := ParseCriteria(primedQuery)
			if err == nil {
				_, err = c.ListQuery(ctx, cr)
			}
			return err
		},
		"simulation": func(ctx context.Context) error { _, err := c.Entity(ctx, client.KindSimulation, p.sim); return err },
		"sim-props": func(ctx context.Context) error {
			_, err := c.OutputsOwner(ctx, client.KindSimulation, p.sim)
			return err
		},
		"sim-files": func(ctx context.Context) error { _, err := c.SimulationFiles(ctx, p.sim); return err },
		"experiment-props": func(ctx context.Context) error {
			_, err := c.EntityProps(ctx, client.KindExperiment, p.exp)
			return err
		},
		"suites":      func(ctx context.Context) error { _, err := c.ListEntities(ctx, client.KindSuite); return err },
		"experiments": func(ctx context.Context) error { _, err := c.ListEntities(ctx, client.KindExperiment); return err },
		"suite-experiments": func(ctx context.Context) error {
			_, err := c.ListExperiments(ctx, p.suite)
			return err
		},
		"simulations": func(ctx context.Context) error { _, err := c.ListSimulations(ctx, p.exp); return err },
		"sims-by-state": func(ctx context.Context) error {
			_, err := c.ListSimulationsByState(ctx, p.exp, client.SimCreated)
			return err
		},
	}
}

// primedQuery is the query folder a primed catalog has listed.
const primedQuery = "name~item,tag:a"

// lookups is the cache state of each primed entry now.
func (p primed) lookups() map[string]cache.Lookup {
	c := p.cat
	get := func(_ any, l cache.Lookup) cache.Lookup { return l }
	return map[string]cache.Lookup{
		"workitem":                     get(c.workItems.Get(p.item)),
		"details":                      get(c.details.Get(p.item)),
		"workitems":                    get(c.listings.Get(listingKey{})),
		"by-state/Created":             get(c.listings.Get(listingKey{State: "Created"})),
		"by-state/CommissionRequested": get(c.listings.Get(listingKey{State: "CommissionRequested"})),
		"outputs":                      get(c.outputs.Get(entityKey{Kind: client.KindWorkItem, ID: p.item})),
		"related":                      get(c.related.Get(relatedKey{ID: p.item})),
		"parents":                      get(c.parents.Get(parentsKey{Kind: client.KindExperiment, ID: p.exp, Type: client.RelationDependsOn})),
		"experiment":                   get(c.entityDetails.Get(entityKey{Kind: client.KindExperiment, ID: p.exp})),
		"experiment-props":             get(c.entities.Get(entityKey{Kind: client.KindExperiment, ID: p.exp})),
		"query":                        get(c.listings.Get(listingKey{Query: primedQuery})),
		"simulation":                   get(c.entityDetails.Get(entityKey{Kind: client.KindSimulation, ID: p.sim})),
		"sim-props":                    get(c.entities.Get(entityKey{Kind: client.KindSimulation, ID: p.sim})),
		"sim-files":                    get(c.simFiles.Get(p.sim)),
		"suites":                       get(c.listings.Get(listingKey{Kind: client.KindSuite})),
		"experiments":                  get(c.listings.Get(listingKey{Kind: client.KindExperiment})),
		"suite-experiments":            get(c.listings.Get(listingKey{Kind: client.KindExperiment, Parent: p.suite})),
		"simulations":                  get(c.listings.Get(listingKey{Kind: client.KindSimulation, Parent: p.exp})),
		"sims-by-state": get(c.listings.Get(listingKey{Kind: client.KindSimulation, Parent: p.exp,
			State: string(client.SimCreated)})),
	}
}

// TestWritesForgetExactlyWhatTheyChange: each write leaves every cached
// entry it does not change cached, and forgets the ones it changes.
func TestWritesForgetExactlyWhatTheyChange(t *testing.T) {
	state := []string{"workitem", "details", "outputs", "by-state/Created", "by-state/CommissionRequested", "query"}
	for _, tc := range []struct {
		name   string
		write  func(ctx context.Context, p primed) error
		forget []string
	}{
		{"rename", func(ctx context.Context, p primed) error {
			name := "renamed"
			return p.cat.UpdateWorkItem(ctx, p.item, client.WorkItemUpdate{Name: &name})
		}, []string{"workitem", "details", "query"}},
		{"set a work item's tag", func(ctx context.Context, p primed) error {
			return p.cat.SetTag(ctx, client.KindWorkItem, p.item, "b", "2")
		}, []string{"details", "query"}},
		{"delete a work item's tag", func(ctx context.Context, p primed) error {
			return p.cat.DeleteTag(ctx, client.KindWorkItem, p.item, "a")
		}, []string{"details", "query"}},
		{"set an experiment's tag", func(ctx context.Context, p primed) error {
			return p.cat.SetTag(ctx, client.KindExperiment, p.exp, "b", "2")
		}, []string{"experiment"}},
		{"delete a simulation's tag", func(ctx context.Context, p primed) error {
			return p.cat.DeleteTag(ctx, client.KindSimulation, p.sim, "a")
		}, []string{"simulation"}},
		{"rename an experiment", func(ctx context.Context, p primed) error {
			name := "renamed"
			return p.cat.UpdateEntity(ctx, client.KindExperiment, p.exp, client.EntityUpdate{Name: &name})
		}, []string{"experiment", "experiment-props"}},
		{"describe a simulation", func(ctx context.Context, p primed) error {
			d := "described"
			return p.cat.UpdateEntity(ctx, client.KindSimulation, p.sim, client.EntityUpdate{Description: &d})
		}, []string{"simulation", "sim-props"}},
		{"commission", func(ctx context.Context, p primed) error {
			return p.cat.Commission(ctx, p.item)
		}, state},
		{"relate", func(ctx context.Context, p primed) error {
			return p.cat.AddRelation(ctx, p.item, client.RelationDependsOn, client.KindExperiment, p.exp)
		}, []string{"related", "parents"}},
		{"created by the inbox", func(ctx context.Context, p primed) error {
			p.cat.WorkItemCreated(p.item)
			return nil
		}, append([]string{"workitems"}, state...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := prime(t, newWorld(t))
			if err := tc.write(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			var forgotten []string
			for name, l := range p.lookups() {
				if l != cache.Hit {
					forgotten = append(forgotten, name)
				}
			}
			slices.Sort(forgotten)
			want := slices.Sorted(slices.Values(tc.forget))
			if !slices.Equal(forgotten, want) {
				t.Errorf("forgotten %v, want %v", forgotten, want)
			}
			// What was forgotten reads again, and shows the write.
			for _, name := range forgotten {
				if err := p.reads()[name](context.Background()); err != nil {
					t.Errorf("read %s again: %v", name, err)
				}
			}
		})
	}
}

// gate holds the answers of the requests it matches: each is handled by
// the server at once (so it carries what was true then) and sent only when
// released. Gates are made outside synctest bubbles: the server's
// goroutines, outside, use their channels.
type gate struct {
	match   func(r *http.Request) bool
	held    chan struct{} // a value per answer held
	release chan struct{}
}

// newGate makes a gate for the requests that match.
func newGate(match func(r *http.Request) bool) *gate {
	return &gate{match: match, held: make(chan struct{}, 1), release: make(chan struct{})}
}

// hold installs g on w.
func hold(w *world, g *gate) {
	match := g.match
	h := func(rw http.ResponseWriter, r *http.Request) bool {
		if !match(r) {
			return false
		}
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, r)
		g.held <- struct{}{}
		<-g.release
		maps.Copy(rw.Header(), rec.Header())
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())
		return true
	}
	w.hook.Store(&h)
}

// TestAnswerFromBeforeAWriteIsNotKept: answers asked for before a write
// and arriving after it reach the readers that waited for them, but never
// the cache: the next read shows the write. Run in a synctest bubble, whose
// clock stands still unless every goroutine waits, so the catalog's own
// ordering of events is what is tested, not the wall clock's resolution.
func TestAnswerFromBeforeAWriteIsNotKept(t *testing.T) {
	w := newWorld(t)
	ids := w.seed(t, localcomps.SeedWorkItem{Name: "before"})
	id := ids[0]
	readGate := newGate(func(r *http.Request) bool { return r.Method == http.MethodGet })
	isListing := func(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Path == "/api/WorkItems" }
	listGate, listGate2 := newGate(isListing), newGate(isListing)
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		cat := w.catalog(t, time.Hour, time.Hour)
		// A work item read, then renamed while the read's answer travels.
		g := readGate
		hold(w, g)
		read := make(chan string)
		go func() {
			wi, err := cat.WorkItem(ctx, id)
			if err != nil {
				t.Error(err)
			}
			read <- wi.Name
		}()
		<-g.held
		w.hook.Store(nil) // the write itself and later reads pass
		name := "after"
		if err := cat.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		close(g.release)
		if got := <-read; got != "before" {
			t.Fatalf("the read that started first got %q", got)
		}
		if _, l := cat.workItems.Get(id); l != cache.Miss {
			t.Errorf("the answer from before the write was kept (%s)", l)
		}
		if wi, err := cat.WorkItem(ctx, id); err != nil || wi.Name != "after" {
			t.Errorf("work item after the write: %v, %v", wi, err)
		}

		// A listing under way while the inbox creates a work item: its
		// answer (without the new item) is not kept as the listing.
		g = listGate
		hold(w, g)
		listed := make(chan []string)
		go func() {
			got, err := cat.ListWorkItems(ctx)
			if err != nil {
				t.Error(err)
			}
			listed <- got
		}()
		<-g.held
		w.hook.Store(nil)
		created := w.seed(t, localcomps.SeedWorkItem{Name: "new"})[0]
		cat.WorkItemCreated(created)
		close(g.release)
		if got := <-listed; !slices.Equal(got, []string{id}) {
			t.Fatalf("the listing that started first = %v", got)
		}
		got, err := cat.ListWorkItems(ctx)
		if err != nil || !slices.Equal(got, []string{id, created}) {
			t.Errorf("workitems after the creation = %v, %v; want [%s %s]", got, err, id, created)
		}

		// A listing under way while an item it holds is renamed: the
		// items it brings do not overwrite the rename.
		cat.listings.Invalidate(listingKey{})
		g = listGate2
		hold(w, g)
		go func() {
			_, err := cat.ListWorkItems(ctx)
			listed <- nil
			if err != nil {
				t.Error(err)
			}
		}()
		<-g.held
		w.hook.Store(nil)
		name = "renamed again"
		if err := cat.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		close(g.release)
		<-listed
		if wi, err := cat.WorkItem(ctx, id); err != nil || wi.Name != name {
			t.Errorf("work item after a rename during a listing: %+v, %v", wi, err)
		}
	})
}
