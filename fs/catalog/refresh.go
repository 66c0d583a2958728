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

// The catalog's refresh of listed unfinished items: work items, and the
// simulations of an experiment. A listing fills every item's metadata, but
// an unfinished item's entry lasts --attr-ttl only (docs/caching.md), so
// reading every listed item again later would cost one GET per unfinished
// item. Instead, once a few items of one listing have been read within one
// --attr-ttl and one of them misses the cache, all of that listing's
// unfinished items are asked
// for again with one paged query: the listing's own filters plus
// State!=Succeeded,State!=Failed,State!=Canceled (SimulationState!=... for
// simulations; a by-state listing of an unfinished state needs no more than
// its own filter). Listed items absent from the answer have finished (or
// gone): they stop counting as unfinished and are read on their own at
// their next miss, once — finished, they are then cached for good.

// refreshAfterReads is how many distinct unfinished items of one listing
// must have been read (from the cache or not) within one --attr-ttl for a
// miss of one of them to refresh the listing's unfinished items together.
// Below it each miss is its own GET, so an item read alone every few
// seconds never brings a query answering thousands. A bulk read (cat
// workitems/*/state) has read more than that by the time the entries
// expire, so its first miss brings every further item with one paged query;
// one that starts after they expired pays refreshAfterReads-1 GETs first.
const refreshAfterReads = 4

// notFinalFilters select the work items in no final state (conditions are
// AND-ed). Operators other than = and ~ are unconfirmed on COMPS: a server
// that refuses them is remembered (Catalog.notEqualRefused).
var notFinalFilters = []string{
	"State!=" + string(client.StateSucceeded),
	"State!=" + string(client.StateFailed),
	"State!=" + string(client.StateCanceled),
}

// notFinalSimulationFilters select the simulations in no final state.
var notFinalSimulationFilters = []string{
	"SimulationState!=" + string(client.SimSucceeded),
	"SimulationState!=" + string(client.SimFailed),
	"SimulationState!=" + string(client.SimCanceled),
}

// listedUnfinished is what the latest run of one listing found unfinished,
// and how its refresh stands. The fields from ids on are guarded by
// refresher.mu.
type listedUnfinished[V any] struct {
	key listingKey
	// refetch asks for the listing's unfinished items with one paged
	// query, caches what it brings as asked for at start, and returns it
	// by id.
	refetch func(ctx context.Context, start time.Time) (map[string]V, error)
	// notEqual is set when that query uses the unconfirmed != operator.
	notEqual bool
	// listedAt is when the listing's query started.
	listedAt time.Time

	// ids are the listed items not known to be finished.
	ids map[string]struct{}
	// read is when each listed item was last read since the last refresh
	// started.
	read map[string]time.Time
	// freshFrom is when the newest bulk answer about ids (the listing or a
	// refresh) was asked for: before freshFrom+--attr-ttl a miss is an item
	// that answer did not bring, not a sign that they all expired.
	freshFrom time.Time
	// running is the refresh in flight, shared by every item that misses
	// meanwhile; nil when none.
	running *refreshRun[V]
	// notBefore holds refreshes back after one too slow to be of use.
	notBefore time.Time
}

// refreshRun is one refresh that several readers may wait for; items (the
// answer, by id) and err are set before done is closed.
type refreshRun[V any] struct {
	done  chan struct{}
	items map[string]V
	err   error
}

// refresher holds the listings' unfinished items of one cache (work items,
// or simulations), by listing key.
type refresher[V any] struct {
	mu       sync.Mutex
	listings map[listingKey]*listedUnfinished[V]
}

// newRefresher makes an empty refresher.
func newRefresher[V any]() refresher[V] {
	return refresher[V]{listings: map[listingKey]*listedUnfinished[V]{}}
}

// remember records the unfinished items of a listing run started at
// listedAt, replacing an older run of the same listing (a newer one is
// kept). refetch asks for them again; notEqual says it uses !=. A listing
// with no unfinished item is forgotten.
func (r *refresher[V]) remember(key listingKey, refetch func(context.Context, time.Time) (map[string]V, error),
	notEqual bool, unfinished []string, listedAt time.Time) {
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
	r.listings[key] = &listedUnfinished[V]{
		key:       key,
		refetch:   refetch,
		notEqual:  notEqual,
		listedAt:  listedAt,
		ids:       ids,
		read:      map[string]time.Time{},
		freshFrom: listedAt,
	}
}

// answer answers a cache miss of item id from a refresh of the most recent
// listing holding it unfinished, when that refresh is already running or
// enough of the listing's items were read within one --attr-ttl (see
// refreshAfterReads).
// The readers waiting for a refresh take their item from its answer, which
// is as fresh as their own GET would be even when the cache entries it
// filled have already expired. The refresh runs on its own (bounded by
// --timeout); a reader waits for it half of the time ctx leaves at most,
// keeping the rest for its own GET. ok is false when the caller should read
// the item itself: no such listing, too few misses yet, the refresh failed,
// was refused or is late, or its answer did not hold the item (finished or
// gone).
func (r *refresher[V]) answer(ctx context.Context, c *Catalog, id string) (v V, ok bool) {
	run, l, leader := r.join(c, id)
	if run == nil {
		return v, false
	}
	if leader {
		go r.run(context.WithoutCancel(ctx), c, l, run)
	}
	if deadline, bounded := ctx.Deadline(); bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
		defer cancel()
	}
	select {
	case <-run.done:
	case <-ctx.Done():
		return v, false
	}
	if run.err != nil {
		return v, false
	}
	v, ok = run.items[id]
	return v, ok
}

// join finds the refresh answering id's miss: the one running for the most
// recent listing holding id, or a new one (leader true: the caller starts
// it) when the miss is one too many. It returns nil when id is to be read
// on its own.
func (r *refresher[V]) join(c *Catalog, id string) (run *refreshRun[V], l *listedUnfinished[V], leader bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l = r.holding(id); l == nil {
		return nil, nil, false
	}
	if l.running != nil {
		return l.running, l, false
	}
	ttl := c.o.AttrTTL
	now := c.o.Now()
	if (l.notEqual && c.notEqualRefused.Load()) || now.Sub(l.freshFrom) < ttl || now.Before(l.notBefore) {
		return nil, nil, false
	}
	if l.count(id, now, ttl) < refreshAfterReads {
		return nil, nil, false
	}
	l.running = &refreshRun[V]{done: make(chan struct{})}
	l.freshFrom, l.read = now, map[string]time.Time{}
	return l.running, l, true
}

// noteRead counts a read of item id, from the cache or not, towards a
// refresh of the most recent listing holding it unfinished (see
// refreshAfterReads).
func (r *refresher[V]) noteRead(c *Catalog, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l := r.holding(id); l != nil && l.running == nil {
		l.count(id, c.o.Now(), c.o.AttrTTL)
	}
}

// holding is the most recent listing holding id unfinished, or nil. Call
// with r.mu held.
func (r *refresher[V]) holding(id string) (l *listedUnfinished[V]) {
	for _, cand := range r.listings {
		if _, in := cand.ids[id]; in && (l == nil || cand.listedAt.After(l.listedAt)) {
			l = cand
		}
	}
	return l
}

// count records a read of id at now and returns how many distinct items of
// the listing were read within the last ttl, counting up to
// refreshAfterReads only. Reads older than ttl, which never count again,
// are dropped as they are passed, so that a slow reader of a long listing
// does not go through all of its earlier reads at every read. Call with the
// refresher's mu held.
func (l *listedUnfinished[V]) count(id string, now time.Time, ttl time.Duration) int {
	l.read[id] = now
	n := 0
	for other, at := range l.read {
		if now.Sub(at) >= ttl {
			delete(l.read, other)
			continue
		}
		if n++; n == refreshAfterReads {
			break
		}
	}
	return n
}

// run asks for l's unfinished items with one paged query, which fills the
// cache with the answer (stamped with the query's start, so an answer never
// overwrites a newer one). Listed items absent from a complete answer are
// no longer counted as unfinished. Its outcome is published to the readers
// waiting on run.
//
// A refresh that took --attr-ttl or more (a slow server, a small
// --attr-ttl) brought entries already expired on arrival: it served only
// the readers waiting for it, and each further round would cost a query of
// every unfinished item per refreshAfterReads reads. The listing's items
// are then read one by one for --dir-ttl (then refreshes are tried again).
func (r *refresher[V]) run(ctx context.Context, c *Catalog, l *listedUnfinished[V], run *refreshRun[V]) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	start := c.o.Now()
	seen, err := l.refetch(ctx, start)
	r.mu.Lock()
	if err != nil {
		err = fmt.Errorf("refresh the unfinished items of listing %s: %w", l.key, err)
		if l.notEqual && errors.Is(err, client.ErrBadRequest) && !c.notEqualRefused.Swap(true) {
			c.log.Warn("the server refuses != filters: unfinished items are read one by one", "err", err)
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
		c.log.Debug("refreshed unfinished items", "listing", l.key.String(), "items", len(seen), "took", took)
		if took >= c.o.AttrTTL {
			l.notBefore = start.Add(took + c.o.DirTTL)
			c.log.Info("refreshing unfinished items took --attr-ttl or more: reading them one by one for --dir-ttl",
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
