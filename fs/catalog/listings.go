package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/compsfs/compsfs/client"
)

// listing is one paged query whose answer fills a per-item cache: what a
// folder of listed items shows (workitems/, by-state/, query/, suites/,
// experiments/, a suite's experiments, an experiment's simulations). V is
// the cached form of an item.
type listing[V any] struct {
	key   listingKey
	query client.Query
	// run runs a query, caches each item it brings as asked for at start,
	// and passes each to keep under its canonical id.
	run func(ctx context.Context, q client.Query, start time.Time, keep func(id string, item V)) error
	// unfinished reports an item whose state can still change: those are
	// remembered in refresh, to be refreshed together (refresh.go).
	unfinished func(item V) bool
	refresh    *refresher[V]
	// refreshFilters are added to the query to ask for the unfinished
	// items only (none when the query's own filters do).
	refreshFilters []string
}

// list returns a listing's ids in the server's order (oldest first unless
// the query orders otherwise), kept --dir-ttl. Running it fills every
// item's cache entry, so reading the listed items afterwards asks nothing.
func list[V any](ctx context.Context, c *Catalog, l listing[V]) ([]string, error) {
	q := l.query
	if q.OrderBy == "" {
		q.OrderBy = "DateCreated"
	}
	ids, err := fetchOrStale(ctx, c, c.listings, l.key, func(ctx context.Context) ([]string, time.Duration, error) {
		start := c.o.Now()
		var ids, unfinished []string
		err := l.run(ctx, q, start, func(id string, item V) {
			ids = append(ids, id)
			if l.unfinished(item) {
				unfinished = append(unfinished, id)
			}
		})
		if err != nil {
			return nil, 0, err
		}
		rq := refreshQuery(q, l.refreshFilters)
		refetch := func(ctx context.Context, start time.Time) (map[string]V, error) {
			items := map[string]V{}
			err := l.run(ctx, rq, start, func(id string, item V) { items[id] = item })
			return items, err
		}
		l.refresh.remember(l.key, refetch, len(l.refreshFilters) > 0, unfinished, start)
		return ids, c.o.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", l.key, err)
	}
	return ids, nil
}

// listWorkItems lists work items with q under key (see list); refreshes of
// its unfinished items add refreshFilters to q.
func (c *Catalog) listWorkItems(ctx context.Context, key listingKey, q client.Query, refreshFilters []string) ([]string, error) {
	return list(ctx, c, listing[*client.WorkItem]{key: key, query: q, run: c.queryWorkItems,
		unfinished: func(wi *client.WorkItem) bool { return !wi.State.Final() },
		refresh:    &c.refresh, refreshFilters: refreshFilters})
}

// queryWorkItems runs a query of work items, caching each as asked for at
// start, and passes each to keep.
func (c *Catalog) queryWorkItems(ctx context.Context, q client.Query, start time.Time, keep func(string, *client.WorkItem)) error {
	for wi, err := range c.c.WorkItems(ctx, q) {
		if err != nil {
			return err
		}
		if id, item, ok := c.keepQueried(wi, start); ok {
			keep(id, item)
		}
	}
	return nil
}
