package fs_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// The refresh of listed unfinished work items (fs/nodes/catalog_refresh.go):
// once a listing's entries for unfinished items expired, reading them all
// again costs a few paged queries, not one GET per item, and stays as fresh
// as docs/caching.md asks.

const (
	refreshTTL      = 300 * time.Millisecond
	refreshPageSize = 1000 // the client's and localcomps' default page size
	// fewGETs is how many items of a listing are read on their own in one
	// --attr-ttl before the next miss refreshes them all
	// (refreshAfterReads-1 in fs/nodes).
	fewGETs = 3
	// Request keys of localcomps' statistics.
	queryKey = "GET /api/WorkItems"
	getKey   = "GET /api/WorkItems/{id}"
)

// seedHalfRunning seeds n work items, every odd one Running and every even
// one Succeeded, and returns the ids of the running ones.
func seedHalfRunning(t *testing.T, s *localcomps.Server, n int) (running []string) {
	t.Helper()
	items := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		state := "Succeeded"
		if i%2 == 1 {
			state = "Running"
		}
		items[i] = localcomps.SeedWorkItem{Name: fmt.Sprintf("item %04d", i), EnvironmentName: "Local",
			WorkerName: "DockerWorker", WorkerVersion: "1.0.0.0_RELEASE", State: state}
	}
	ids, err := s.Seed(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if i%2 == 1 {
			running = append(running, id)
		}
	}
	return running
}

// sh runs a shell script and returns its output, failing the test on error.
func sh(t *testing.T, script string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", script, err, out)
	}
	return string(out)
}

// counted returns the server's count of requests with exactly this key.
func (e *env) counted(key string) int64 { return e.srv.Stats().Requests[key] }

// ceilDiv is a/b rounded up.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// refreshBound is the most requests reading every item of a listing with
// unfinished items may cost when it takes took with --attr-ttl ttl: a
// refresh starts at most once per --attr-ttl, each after fewGETs items were
// read alone, and is one paged query (plus one empty page when the answer is
// a whole number of pages); changed is the number of listed unfinished items
// that finished, each read once more on its own.
func refreshBound(unfinished, changed int, took, ttl time.Duration) int64 {
	return int64(int(took/ttl)+1)*refreshCost(unfinished) + int64(changed)
}

// refreshCost is what one expiry of a listing's unfinished items costs:
// fewGETs, then one paged refresh (plus an empty page when the answer is a
// whole number of pages).
func refreshCost(unfinished int) int64 {
	return int64(fewGETs + ceilDiv(unfinished, refreshPageSize) + 1)
}

// attrTTLFor is refreshTTL, or six times what a query of the running items
// takes when that is more: a refresh whose answer arrives stale is of no use
// (compsfs stops refreshing after one that took --attr-ttl), and under the
// race detector localcomps takes 600 ms or more per 1,000 items, several
// times that on a loaded machine.
func attrTTLFor(t *testing.T, c *client.Client) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := c.QueryWorkItems(context.Background(), client.Query{Filters: []string{"State=Running"}}); err != nil {
		t.Fatal(err)
	}
	return max(refreshTTL, 6*time.Since(start))
}

// TestRereadingAListingRefreshesItsUnfinishedItemsTogether: ls -l of 2,000
// items (half of them running), a pause past --attr-ttl, then cat of every
// state file: the cat costs a few paged queries, not 1,000 GETs, and shows
// the states the server changed after the listing.
func TestRereadingAListingRefreshesItsUnfinishedItemsTogether(t *testing.T) {
	const n = 2000
	var running []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) { running = seedHalfRunning(t, s, n) },
		func(o *fs.Options) { o.AttrTTL = attrTTLFor(t, o.Client) })
	ttl := e.opts.AttrTTL
	e.srv.ResetStats()
	start := time.Now()
	if got := sh(t, fmt.Sprintf("ls -l %q/workitems/ | wc -l", e.dir)); got != fmt.Sprintf("%d\n", n+1) {
		t.Fatalf("ls -l: %q lines", got)
	}
	took := time.Since(start)
	// The listing's pages, and a refresh per --attr-ttl that ls -l outlasts.
	listed := e.requests("")
	if limit := int64(ceilDiv(n, refreshPageSize)) + int64(took/ttl)*refreshCost(n/2); listed > limit {
		t.Fatalf("ls -l in %v: %d requests (%v), want at most %d", took, listed, e.srv.Stats().Requests, limit)
	}
	// After the listing: one running item finishes, another goes back to
	// Created (still unfinished, so the refresh itself must bring it).
	ctx := context.Background()
	if err := e.srv.SetWorkItemState(ctx, running[0], "Succeeded", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetWorkItemState(ctx, running[len(running)-1], "Created", ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl + 100*time.Millisecond)

	start = time.Now()
	got := sh(t, fmt.Sprintf("cat %q/workitems/*/state | sort | uniq -c", e.dir))
	took = time.Since(start)
	want := fmt.Sprintf("      1 Created\n    %d Running\n   %d Succeeded\n", n/2-2, n/2+1)
	if got != want {
		t.Fatalf("cat of every state: %q, want %q", got, want)
	}
	cat := e.requests("") - listed
	if limit := refreshBound(n/2, 1, took, ttl); cat > limit {
		t.Fatalf("cat of %d states in %v: %d requests (%v), want at most %d", n, took, cat,
			e.srv.Stats().Requests, limit)
	}
	t.Logf("--attr-ttl %v; ls -l: %d requests; cat of %d states in %v: %d requests: %v", ttl, listed, n, took, cat,
		e.srv.Stats().Requests)
	if got := e.read("workitems", running[0], "state"); got != "Succeeded\n" {
		t.Fatalf("state of the item that finished: %q", got)
	}
}

// TestOneRunningItemReadAloneIsOneGETPerTTL: after a listing, one running
// item read now and then costs one GET each time its entry expired, never a
// query for the listing's other unfinished items.
func TestOneRunningItemReadAloneIsOneGETPerTTL(t *testing.T) {
	var running []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) { running = seedHalfRunning(t, s, 200) },
		func(o *fs.Options) { o.AttrTTL = refreshTTL })
	if _, err := os.ReadDir(e.path("workitems")); err != nil {
		t.Fatal(err)
	}
	id := running[7]
	queries, gets := e.counted(queryKey), e.counted(getKey)
	const reads = 6
	for i := range reads {
		time.Sleep(refreshTTL + 50*time.Millisecond)
		if i == reads/2 {
			if err := e.srv.SetWorkItemState(context.Background(), id, "Failed", "exit status 1"); err != nil {
				t.Fatal(err)
			}
		}
		want := "Running\n"
		if i >= reads/2 {
			want = "Failed\n"
		}
		if got := e.read("workitems", id, "state"); got != want {
			t.Fatalf("read %d: state %q, want %q", i, got, want)
		}
	}
	if q := e.counted(queryKey) - queries; q != 0 {
		t.Fatalf("%d queries for one item read alone (%v)", q, e.srv.Stats().Requests)
	}
	// One GET per read while Running; once Failed it is cached for good.
	if g := e.counted(getKey) - gets; g != reads/2+1 {
		t.Fatalf("%d GETs for %d reads of one item, want %d (%v)", g, reads, reads/2+1, e.srv.Stats().Requests)
	}
}

// refusingNotEqual answers 400, as a COMPS without the != operator might,
// to every query whose filters use it, counting them; the rest goes to next.
type refusingNotEqual struct {
	next    http.Handler
	refused atomic.Int64
}

// ServeHTTP refuses != filters and passes everything else on.
func (h *refusingNotEqual) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Query().Get("filters"), "!=") {
		h.refused.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"ResponseMessage":"unsupported filter operator"}`))
		return
	}
	h.next.ServeHTTP(w, r)
}

// newRefusingEnv is newEnv with h in front of localcomps.
func newRefusingEnv(t *testing.T, h *refusingNotEqual, seed func(ctx context.Context, s *localcomps.Server)) *env {
	t.Helper()
	wrap := func(next http.Handler) http.Handler { h.next = next; return h }
	return startEnv(t, envConfig{seed: seed, wrap: wrap}, func(o *fs.Options) { o.AttrTTL = attrTTLFor(t, o.Client) })
}

// TestServerRefusingNotEqualFallsBackToOneGETPerItem: a server that answers
// 400 to != is asked once; unfinished items are then read one by one, with
// correct states, and a by-state listing (which needs no !=) still refreshes
// its items with one query.
func TestServerRefusingNotEqualFallsBackToOneGETPerItem(t *testing.T) {
	const n = 200
	h := &refusingNotEqual{}
	var running []string
	e := newRefusingEnv(t, h, func(ctx context.Context, s *localcomps.Server) { running = seedHalfRunning(t, s, n) })
	if got := sh(t, fmt.Sprintf("ls -l %q/workitems/ | wc -l", e.dir)); got != fmt.Sprintf("%d\n", n+1) {
		t.Fatalf("ls -l: %q lines", got)
	}
	if err := e.srv.SetWorkItemState(context.Background(), running[0], "Canceled", ""); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("      1 Canceled\n     %d Running\n    %d Succeeded\n", n/2-1, n/2)
	ttl := e.opts.AttrTTL
	for round := range 2 {
		time.Sleep(ttl + 100*time.Millisecond)
		gets := e.counted(getKey)
		if got := sh(t, fmt.Sprintf("cat %q/workitems/*/state | sort | uniq -c", e.dir)); got != want {
			t.Fatalf("round %d: cat of every state: %q, want %q", round, got, want)
		}
		if r := h.refused.Load(); r != 1 {
			t.Fatalf("round %d: %d queries with != refused, want 1", round, r)
		}
		// Every unfinished item is read alone (the canceled one only in the
		// first round: it is final afterwards).
		if g := e.counted(getKey) - gets; g < int64(n/2-1) {
			t.Fatalf("round %d: %d GETs, want at least %d", round, g, n/2-1)
		}
	}

	// The by-state listing's refresh is its own State= filter: allowed.
	if got := sh(t, fmt.Sprintf("ls %q/by-state/Running/ | wc -l", e.dir)); got != fmt.Sprintf("%d\n", n/2-1) {
		t.Fatalf("by-state/Running/ lists %q", got)
	}
	if err := e.srv.SetWorkItemState(context.Background(), running[1], "Succeeded", ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	gets, queries := e.counted(getKey), e.counted(queryKey)
	start := time.Now()
	got := sh(t, fmt.Sprintf("cat %q/by-state/Running/*/state | sort | uniq -c", e.dir))
	took := time.Since(start)
	// The item that finished leaves the folder at its lookup (ENOENT), so
	// the glob skips it.
	if want := fmt.Sprintf("     %d Running\n", n/2-2); got != want {
		t.Fatalf("cat of by-state/Running/*/state: %q, want %q", got, want)
	}
	cost := e.counted(getKey) - gets + e.counted(queryKey) - queries
	if limit := refreshBound(n/2-1, 1, took, ttl); cost > limit {
		t.Fatalf("cat of by-state/Running/*/state in %v: %d requests, want at most %d", took, cost, limit)
	}
	t.Logf("by-state/Running/: %d requests in %v", cost, took)
}
