package cache

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Forever is a ttl that never expires, for what cannot change (work items in
// a final state).
const Forever = time.Duration(math.MaxInt64)

// ErrMissing is returned by [Meta.GetOrFetch] when the key is cached as "does
// not exist". It matches fs.ErrNotExist.
var ErrMissing = fmt.Errorf("cache: cached as missing: %w", fs.ErrNotExist)

// Lookup is the result of a [Meta.Get].
type Lookup int

const (
	// Miss: nothing usable is cached (never stored, expired or invalidated).
	Miss Lookup = iota
	// Hit: a value is cached and fresh.
	Hit
	// Missing: the key is cached, fresh, as "does not exist".
	Missing
)

// String names the lookup result.
func (l Lookup) String() string {
	switch l {
	case Hit:
		return "hit"
	case Missing:
		return "missing"
	}
	return "miss"
}

// MetaStats counts what a [Meta] answered.
type MetaStats struct {
	Hits    int64 // Get or GetOrFetch answered from the cache (Hit or Missing)
	Misses  int64 // nothing fresh was cached
	Fetches int64 // fetch functions started by GetOrFetch
}

type metaEntry[V any] struct {
	v         V
	state     Lookup    // Hit or Missing; Miss marks an invalidation
	fetchedAt time.Time // when the value was read from the server
	expires   time.Time // zero: never
}

type metaCall[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// Meta is a size-bounded LRU of metadata with an expiry per entry. It is safe
// for concurrent use. Time comes from the now function given to [NewMeta].
type Meta[K comparable, V any] struct {
	// FetchTimeout bounds each fetch run by GetOrFetch (DefaultFetchTimeout
	// unless changed before first use; 0 means no bound).
	FetchTimeout time.Duration

	now   func() time.Time
	mu    sync.Mutex
	lru   *lru.Cache[K, metaEntry[V]]
	calls map[K]*metaCall[V]

	hits, misses, fetches atomic.Int64
}

// NewMeta returns a cache holding at most size entries (at least 1), reading
// the time from now (time.Now when nil).
func NewMeta[K comparable, V any](size int, now func() time.Time) *Meta[K, V] {
	if now == nil {
		now = time.Now
	}
	l, err := lru.New[K, metaEntry[V]](max(size, 1))
	if err != nil { // only for size <= 0, excluded above
		panic(err)
	}
	return &Meta[K, V]{FetchTimeout: DefaultFetchTimeout, now: now, lru: l, calls: map[K]*metaCall[V]{}}
}

// Get returns the cached value and Hit, the zero value and Missing when the key
// is cached as not existing, or the zero value and Miss.
func (m *Meta[K, V]) Get(key K) (v V, state Lookup) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lookup(key)
}

// lookup is Get under m.mu, counting.
func (m *Meta[K, V]) lookup(key K) (v V, state Lookup) {
	e, ok := m.lru.Get(key)
	if !ok || e.state == Miss || (!e.expires.IsZero() && !m.now().Before(e.expires)) {
		m.misses.Add(1)
		return v, Miss
	}
	m.hits.Add(1)
	return e.v, e.state
}

// Put caches v for ttl counted from fetchedAt (Forever: no expiry; ttl <= 0:
// already stale). It is ignored when the cached entry, or the last
// invalidation of key, is from later than fetchedAt: older news never
// overwrites newer.
func (m *Meta[K, V]) Put(key K, v V, ttl time.Duration, fetchedAt time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, metaEntry[V]{v: v, state: Hit}, ttl, fetchedAt)
}

// PutMissing caches "key does not exist" under the same rules as Put.
func (m *Meta[K, V]) PutMissing(key K, ttl time.Duration, fetchedAt time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, metaEntry[V]{state: Missing}, ttl, fetchedAt)
}

func (m *Meta[K, V]) put(key K, e metaEntry[V], ttl time.Duration, fetchedAt time.Time) {
	if old, ok := m.lru.Peek(key); ok && fetchedAt.Before(old.fetchedAt) {
		return
	}
	e.fetchedAt = fetchedAt
	switch {
	case ttl == Forever:
	case ttl <= 0:
		e.expires = fetchedAt
	default:
		e.expires = fetchedAt.Add(ttl)
	}
	m.lru.Add(key, e)
}

// Invalidate forgets key: the next Get misses, a fetch already running for it
// is no longer shared with later callers, and whatever that fetch (or any Put
// fetched before now) brings back is not stored.
func (m *Meta[K, V]) Invalidate(key K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.calls, key)
	m.lru.Add(key, metaEntry[V]{state: Miss, fetchedAt: m.now()})
}

// GetOrFetch returns the cached value, or ErrMissing when the key is cached as
// not existing, or else calls fetch and caches its value for the ttl it
// returns. Concurrent callers for one key share one fetch. The fetch runs
// under its own context (ctx's values, not its cancellation, bounded by
// FetchTimeout), so a caller whose ctx ends returns ctx.Err() at once while
// the fetch goes on and fills the cache for the next caller. Errors are
// returned, never cached: to remember "not found", the fetch (or the caller)
// uses PutMissing.
func (m *Meta[K, V]) GetOrFetch(ctx context.Context, key K, fetch func(ctx context.Context) (V, time.Duration, error)) (V, error) {
	m.mu.Lock()
	v, state := m.lookup(key)
	if state != Miss {
		m.mu.Unlock()
		if state == Missing {
			return v, ErrMissing
		}
		return v, nil
	}
	c := m.calls[key]
	if c == nil {
		c = &metaCall[V]{done: make(chan struct{})}
		m.calls[key] = c
		m.fetches.Add(1)
		go m.fetch(ctx, key, c, fetch, m.now())
	}
	m.mu.Unlock()
	select {
	case <-c.done:
		return c.v, c.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (m *Meta[K, V]) fetch(ctx context.Context, key K, c *metaCall[V], fetch func(context.Context) (V, time.Duration, error), start time.Time) {
	ctx = context.WithoutCancel(ctx)
	if m.FetchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.FetchTimeout)
		defer cancel()
	}
	v, ttl, err := fetch(ctx)
	m.mu.Lock()
	if err == nil && m.calls[key] == c {
		m.put(key, metaEntry[V]{v: v, state: Hit}, ttl, start)
	}
	if m.calls[key] == c {
		delete(m.calls, key)
	}
	m.mu.Unlock()
	c.v, c.err = v, err
	close(c.done)
}

// Stats returns the counters since the cache was made.
func (m *Meta[K, V]) Stats() MetaStats {
	return MetaStats{Hits: m.hits.Load(), Misses: m.misses.Load(), Fetches: m.fetches.Load()}
}

// Stale returns the value cached for key even if it has expired, for when
// the server cannot be asked (docs/caching.md, offline): ok is false when
// nothing was cached, or the key was invalidated or cached as missing.
func (m *Meta[K, V]) Stale(key K) (v V, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, found := m.lru.Peek(key)
	if !found || e.state != Hit {
		return v, false
	}
	return e.v, true
}
