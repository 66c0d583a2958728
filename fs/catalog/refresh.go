package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/compsfs/compsfs/client"
)

// The catalog's refresh of listed unfinished work items. A listing fills
// every item's metadata, but an unfinished item's entry lasts --attr-ttl
// only (docs/caching.md), so reading every listed item again later would cost one
// GET per unfinished item. Instead, once a few items of one listing have
// missed the cache within one --attr-ttl, all of that listing's unfinished
// items are asked for again with one paged query: the listing's own filters
// plus State!=Succeeded,State!=Failed,State!=Canceled (a by-state listing of
// an unfinished state needs no more than its own State= filter). Listed items
// absent from the answer have finished (or gone): they stop counting as
// unfinished and are read on their own at their next miss, once — finished,
// they are then cached for good.

// refreshAfterMisses is how many distinct items of one listing must miss the
// cache within one --attr-ttl before the listing's unfinished items are
// refreshed together. Below it each miss is its own GET, so an item read
// alone every few seconds never brings a query answering thousands; at it,
// a bulk read (cat workitems/*/state) has paid refreshAfterMisses-1 GETs and
// every further item of the listing comes from one paged query.
const refreshAfterMisses = 4

// notFinalFilters select the work items in no final state (conditions are
// AND-ed). Operators other than = and ~ are unconfirmed on COMPS: a server
// that refuses them is remembered (refresher.notEqualRefused).
var notFinalFilters = []string{
	"State!=" + string(client.StateSucceeded),
	"State!=" + string(client.StateFailed),
	"State!=" + string(client.StateCanceled),
}

// listedUnfinished is what the latest run of one listing found unfinished,
// and how its refresh stands. The fields from ids on are guarded by
// refresher.mu.
type listedUnfinished struct {
	key listingKey
	// query is the listing's query (owner included, no count) plus the
	// filters that keep finished items out of the refresh's answer.
	query client.Query
	// notEqual is set when the query uses the unconfirmed != operator.
	notEqual bool
	// listedAt is when the listing's query started.
	listedAt time.Time

	// ids are the listed items not known to be finished.
	ids map[string]struct{}
	// missed are the distinct listed items that missed the cache since
	// windowStart, counted for at most --attr-ttl.
	missed      map[string]struct{}
	windowStart time.Time
	// freshFrom is when the newest bulk answer about ids (the listing or a
	// refresh) was asked for: before freshFrom+--attr-ttl a miss is an item
	// that answer did not bring, not a sign that they all expired.
	freshFrom time.Time
	// running is the refresh in flight, shared by every item that misses
	// meanwhile; nil when none.
	running *refreshRun
	// notBefore holds refreshes back after one too slow to be of use.
	notBefore time.Time
}

// refreshRun is one refresh that several readers may wait for; items (the
// answer, by id) and err are set before done is closed.
type refreshRun struct {
	done  chan struct{}
	items map[string]*client.WorkItem
	err   error
}

// refresher holds the listings' unfinished items, by listing key.
type refresher struct {
	mu       sync.Mutex
	listings map[listingKey]*listedUnfinished
	// notEqualRefused is set once the server answered a != filter with a
	// bad request: refreshes that need it are no longer tried.
	notEqualRefused bool
}

// rememberListing records the unfinished items of a listing run started at
// listedAt, replacing an older run of the same listing (a newer one is
// kept). query is the listing's query; refreshFilters are added to its
// filters for a refresh. A listing with no unfinished item is forgotten.
func (c *Catalog) rememberListing(key listingKey, query client.Query, refreshFilters []string, unfinished []string, listedAt time.Time) {
	r := &c.refresh
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.listings[key]; old != nil && old.listedAt.After(listedAt) {
		return
	}
	if len(unfinished) == 0 {
		delete(r.listings, key)
		return
	}
	ids := make(map[string]struct{}, len(unfinished))
	for _, id := range unfinished {
		ids[id] = struct{}{}
	}
	r.listings[key] = &listedUnfinished{
		key:       key,
		query:     refreshQuery(query, refreshFilters),
		notEqual:  len(refreshFilters) > 0,
		listedAt:  listedAt,
		ids:       ids,
		missed:    map[string]struct{}{},
		freshFrom: listedAt,
	}
}

// fromRefresh answers a cache miss of work item id from a refresh of the
// most recent listing holding it unfinished, when that refresh is already
// running or this miss is the listing's refreshAfterMisses-th within one
// --attr-ttl. The readers waiting for a refresh take their item from its
// answer, which is as fresh as their own GET would be even when the cache
// entries it filled have already expired. The refresh runs on its own
// (bounded by --timeout); a reader waits for it half of the time ctx leaves
// at most, keeping the rest for its own GET. ok is false when the caller
// should read the item itself: no such listing, too few misses yet, the
// refresh failed, was refused or is late, or its answer did not hold the
// item (finished or gone).
func (c *Catalog) fromRefresh(ctx context.Context, id string) (wi *client.WorkItem, ok bool) {
	run, l, leader := c.joinRefresh(id)
	if run == nil {
		return nil, false
	}
	if leader {
		go c.runRefresh(context.WithoutCancel(ctx), l, run)
	}
	if deadline, bounded := ctx.Deadline(); bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
		defer cancel()
	}
	select {
	case <-run.done:
	case <-ctx.Done():
		return nil, false
	}
	if run.err != nil {
		return nil, false
	}
	wi = run.items[id]
	return wi, wi != nil
}

// joinRefresh finds the refresh answering id's miss: the one running for
// the most recent listing holding id, or a new one (leader true: the caller
// starts it) when the miss is one too many. It returns nil when id is to be
// read on its own.
func (c *Catalog) joinRefresh(id string) (run *refreshRun, l *listedUnfinished, leader bool) {
	r := &c.refresh
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cand := range r.listings {
		if _, in := cand.ids[id]; in && (l == nil || cand.listedAt.After(l.listedAt)) {
			l = cand
		}
	}
	if l == nil {
		return nil, nil, false
	}
	if l.running != nil {
		return l.running, l, false
	}
	ttl := c.o.AttrTTL
	now := c.o.Now()
	if (l.notEqual && r.notEqualRefused) || now.Sub(l.freshFrom) < ttl || now.Before(l.notBefore) {
		return nil, nil, false
	}
	if now.Sub(l.windowStart) >= ttl {
		l.windowStart, l.missed = now, map[string]struct{}{}
	}
	l.missed[id] = struct{}{}
	if len(l.missed) < refreshAfterMisses {
		return nil, nil, false
	}
	l.running = &refreshRun{done: make(chan struct{})}
	l.freshFrom, l.missed = now, map[string]struct{}{}
	return l.running, l, true
}

// runRefresh asks for l's unfinished items with one paged query and fills
// the per-item cache with the answer (stamped with the query's start, so an
// answer never overwrites a newer one). Listed items absent from a complete
// answer are no longer counted as unfinished. Its outcome is published to
// the readers waiting on run.
//
// A refresh that took --attr-ttl or more (a slow server, a small
// --attr-ttl) brought entries already expired on arrival: it served only
// the readers waiting for it, and each further round would cost a query of
// every unfinished item per refreshAfterMisses reads. The listing's items
// are then read one by one for --dir-ttl (then refreshes are tried again).
func (c *Catalog) runRefresh(ctx context.Context, l *listedUnfinished, run *refreshRun) {
	r := &c.refresh
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	start := c.o.Now()
	seen := make(map[string]*client.WorkItem, len(l.ids))
	err := func() error {
		for wi, err := range c.c.WorkItems(ctx, l.query) {
			if err != nil {
				return err
			}
			if id, item, ok := c.keepQueried(wi, start); ok {
				seen[id] = item
			}
		}
		return nil
	}()
	r.mu.Lock()
	if err != nil {
		err = fmt.Errorf("refresh the unfinished work items of listing %s: %w", l.key, err)
		if l.notEqual && errors.Is(err, client.ErrBadRequest) && !r.notEqualRefused {
			r.notEqualRefused = true
			c.log.Warn("the server refuses != filters: unfinished work items are read one by one", "err", err)
		} else {
			c.log.Debug("refresh failed", "err", err)
		}
	} else {
		for id := range l.ids {
			if _, in := seen[id]; !in {
				delete(l.ids, id)
			}
		}
		if len(l.ids) == 0 && r.listings[l.key] == l {
			delete(r.listings, l.key)
		}
		took := c.o.Now().Sub(start)
		c.log.Debug("refreshed unfinished work items", "listing", l.key.String(), "items", len(seen), "took", took)
		if took >= c.o.AttrTTL {
			l.notBefore = start.Add(took + c.o.DirTTL)
			c.log.Info("refreshing unfinished work items took --attr-ttl or more: reading them one by one for --dir-ttl",
				"listing", l.key.String(), "items", len(seen), "took", took, "attr_ttl", c.o.AttrTTL)
		}
	}
	run.items, run.err = seen, err
	l.running = nil
	r.mu.Unlock()
	close(run.done)
}

// refreshQuery is a listing's query asking for all of its unfinished items:
// its conditions plus refreshFilters, without its count.
func refreshQuery(q client.Query, refreshFilters []string) client.Query {
	q.Filters = append(slices.Clone(q.Filters), refreshFilters...)
	q.Count = 0
	if q.OrderBy == "" {
		q.OrderBy = "DateCreated"
	}
	return q
}
