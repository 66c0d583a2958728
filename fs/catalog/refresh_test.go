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
// refreshAfterReads-1 GETs and one query for the rest, not a GET each (the
// reads before are older than --attr-ttl).
// Time is synctest's: the test waits --attr-ttl without sleeping.
func TestListedUnfinishedItemsRefreshTogether(t *testing.T) {
	const n, attrTTL = 30, 2 * time.Second
	w := newWorld(t)
	ids := seedRunning(t, w, n)
	synctest.Test(t, func(t *testing.T) {
		cat := listedCatalog(t, w, attrTTL)
		readAll := func() {
			t.Helper()
			for _, id := range ids {
				readRunning(t, cat, id)
			}
		}
		q0, g0 := w.requests(queryKey), w.requests(getKey)
		readAll()
		if q, g := w.requests(queryKey)-q0, w.requests(getKey)-g0; q != 0 || g != 0 {
			t.Errorf("reading %d listed items within --attr-ttl: %d queries, %d GETs; want none", n, q, g)
		}
		time.Sleep(attrTTL + time.Second) // the reads above are over --attr-ttl old too
		readAll()
		if q, g := w.requests(queryKey)-q0, w.requests(getKey)-g0; q != 1 || g != refreshAfterReads-1 {
			t.Errorf("reading %d expired items: %d queries, %d GETs; want 1 and %d", n, q, g, refreshAfterReads-1)
		}
		// The refresh's answers last --attr-ttl from when it was asked.
		q1, g1 := w.requests(queryKey), w.requests(getKey)
		readAll()
		if q, g := w.requests(queryKey)-q1, w.requests(getKey)-g1; q != 0 || g != 0 {
			t.Errorf("reading them again at once: %d queries, %d GETs; want none", q, g)
		}
	})
}

// TestAReaderGoingThroughAListingRefreshesAtItsFirstMiss: a reader that has
// gone through more than a few of a listing's items when their entries
// expire (cat workitems/*/state crossing --attr-ttl) gets the rest from one
// query at its first miss, without GETs of its own first.
func TestAReaderGoingThroughAListingRefreshesAtItsFirstMiss(t *testing.T) {
	const n, attrTTL = 30, 2 * time.Second
	w := newWorld(t)
	ids := seedRunning(t, w, n)
	synctest.Test(t, func(t *testing.T) {
		cat := listedCatalog(t, w, attrTTL)
		q0, g0 := w.requests(queryKey), w.requests(getKey)
		// A slow reader: two thirds of the items before they expire, the
		// rest after.
		for _, id := range ids {
			time.Sleep(attrTTL * 3 / (2 * n))
			readRunning(t, cat, id)
		}
		if q, g := w.requests(queryKey)-q0, w.requests(getKey)-g0; q != 1 || g != 0 {
			t.Errorf("a reader going through %d items across --attr-ttl: %d queries, %d GETs; want 1 and none", n, q, g)
		}
	})
}

// seedRunning seeds n running work items and returns their ids.
func seedRunning(t *testing.T, w *world, n int) []string {
	t.Helper()
	items := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		items[i] = localcomps.SeedWorkItem{Name: "running", State: "Running"}
	}
	return w.seed(t, items...)
}

// listedCatalog is a catalog with attrTTL (and an hour's --dir-ttl) that
// has listed the work items.
func listedCatalog(t *testing.T, w *world, attrTTL time.Duration) *Catalog {
	t.Helper()
	cat := w.catalog(t, time.Hour, attrTTL)
	if _, err := cat.ListWorkItems(context.Background()); err != nil {
		t.Fatal(err)
	}
	return cat
}

// readRunning reads work item id and fails unless it is running.
func readRunning(t *testing.T, cat *Catalog, id string) {
	t.Helper()
	wi, err := cat.WorkItem(context.Background(), id)
	if err != nil || wi.State != client.StateRunning {
		t.Fatalf("work item %s: %v, %v", id, wi, err)
	}
}
