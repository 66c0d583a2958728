package client_test

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// byOffset sorts page requests by their offset parameter: pages after the
// first are fetched in parallel and may reach the server in any order.
func byOffset(pages []recordedRequest) []recordedRequest {
	off := func(r recordedRequest) int { n, _ := strconv.Atoi(r.Query.Get("offset")); return n }
	slices.SortStableFunc(pages, func(a, b recordedRequest) int { return off(a) - off(b) })
	return pages
}

func TestParallelPagesYieldEachItemOnceInOrderUnder503s(t *testing.T) {
	ts := startServer(t, localcomps.Options{MaxPageSize: 100})
	c := ts.login(t, func(o *client.Options) { o.PageSize = 100 })
	seedGrid(t, ts.srv, 2000, 2000)

	ts.srv.SetFaults(localcomps.Faults{FailRate: 0.3, Seed: 11})
	ts.srv.ResetStats()
	ts.rec.reset()
	got, err := c.QueryWorkItems(t.Context(), client.Query{OrderBy: "Name", Fields: []string{"Id", "Name"}})
	ts.srv.SetFaults(localcomps.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	if want := gridNames(0, 2000, 1); !slices.Equal(names(got), want) {
		t.Fatalf("%d items, not item-0000..item-1999 once each in order", len(got))
	}
	st := ts.srv.Stats()
	if st.Injected == 0 {
		t.Fatal("no 503 was injected")
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems"); int64(n) != 20+st.Injected {
		t.Errorf("%d requests for 20 pages and %d 503s: each 503 must be retried once more, nothing else", n, st.Injected)
	}
	ok := map[string]bool{}
	for _, r := range ts.rec.matching(http.MethodGet, "/api/WorkItems") {
		if r.Status == http.StatusOK {
			key := r.Query.Get("offset") + "/" + r.Query.Get("count")
			if ok[key] {
				t.Errorf("page %s answered twice", key)
			}
			ok[key] = true
		}
	}
	if len(ok) != 20 {
		t.Errorf("%d pages answered, want 20", len(ok))
	}
}

// pageGate holds page requests in front of the server: the request for
// offset hold waits until the one for offset until has arrived, which only
// parallel fetching brings about. It also counts the requests in flight.
type pageGate struct {
	next        http.Handler
	hold, until string
	arrived     chan struct{}
	once        sync.Once

	mu               sync.Mutex
	inFlight, most   int
	heldTillReleased bool
}

func (g *pageGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/WorkItems" {
		g.next.ServeHTTP(w, r)
		return
	}
	g.mu.Lock()
	g.inFlight++
	g.most = max(g.most, g.inFlight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
	}()
	switch r.URL.Query().Get("offset") {
	case g.until:
		g.once.Do(func() { close(g.arrived) })
	case g.hold:
		// The wait is bounded so that a client fetching one page after
		// another fails the test instead of hanging it.
		select {
		case <-g.arrived:
			g.mu.Lock()
			g.heldTillReleased = true
			g.mu.Unlock()
		case <-time.After(20 * time.Second):
		}
	}
	g.next.ServeHTTP(w, r)
}

func TestPagesAfterTheFirstAreFetchedInParallelBounded(t *testing.T) {
	ts := startServer(t, localcomps.Options{MaxPageSize: 50})
	c := ts.login(t, func(o *client.Options) { o.PageSize = 50 })
	seedGrid(t, ts.srv, 1000, 1000)
	gate := &pageGate{next: ts.srv, hold: "50", until: "100", arrived: make(chan struct{})}
	ts.rec.setNext(gate)
	got, err := c.QueryWorkItems(t.Context(), client.Query{OrderBy: "Name", Fields: []string{"Name"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), gridNames(0, 1000, 1)) {
		t.Fatalf("%d items, not item-0000..item-0999 once each in order", len(got))
	}
	gate.mu.Lock()
	defer gate.mu.Unlock()
	if !gate.heldTillReleased {
		t.Error("page 3 was not requested while page 2 was still being answered: pages are not fetched in parallel")
	}
	if gate.most > 4 {
		t.Errorf("%d page requests at once, want at most 4", gate.most)
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems"); n != 20 {
		t.Errorf("%d requests for 20 pages", n)
	}
}
