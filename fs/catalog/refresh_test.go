package catalog

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

const (
	queryKey = "GET /api/WorkItems"
	getKey   = "GET /api/WorkItems/{id}"
)

// TestListedUnfinishedItemsRefreshTogether: within --attr-ttl of a listing
// its items cost nothing; once they expire, reading them all costs
// refreshAfterMisses-1 GETs and one query for the rest, not a GET each.
// Time is synctest's: the test waits --attr-ttl without sleeping.
func TestListedUnfinishedItemsRefreshTogether(t *testing.T) {
	const n, attrTTL = 30, 2 * time.Second
	w := newWorld(t)
	items := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		items[i] = localcomps.SeedWorkItem{Name: "running", State: "Running"}
	}
	ids := w.seed(t, items...)
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		cat := w.catalog(t, time.Hour, attrTTL)
		readAll := func() {
			t.Helper()
			for _, id := range ids {
				wi, err := cat.WorkItem(ctx, id)
				if err != nil || wi.State != client.StateRunning {
					t.Fatalf("work item %s: %v, %v", id, wi, err)
				}
			}
		}
		if _, err := cat.ListWorkItems(ctx); err != nil {
			t.Fatal(err)
		}
		q0, g0 := w.requests(queryKey), w.requests(getKey)
		readAll()
		if q, g := w.requests(queryKey)-q0, w.requests(getKey)-g0; q != 0 || g != 0 {
			t.Errorf("reading %d listed items within --attr-ttl: %d queries, %d GETs; want none", n, q, g)
		}
		time.Sleep(attrTTL)
		readAll()
		if q, g := w.requests(queryKey)-q0, w.requests(getKey)-g0; q != 1 || g != refreshAfterMisses-1 {
			t.Errorf("reading %d expired items: %d queries, %d GETs; want 1 and %d", n, q, g, refreshAfterMisses-1)
		}
		// The refresh's answers last --attr-ttl from when it was asked.
		q1, g1 := w.requests(queryKey), w.requests(getKey)
		readAll()
		if q, g := w.requests(queryKey)-q1, w.requests(getKey)-g1; q != 0 || g != 0 {
			t.Errorf("reading them again at once: %d queries, %d GETs; want none", q, g)
		}
	})
}
