// Package catalog is the mount's view of COMPS metadata: every read the
// tree makes (listings, work items, outputs listings, relations, other
// entities) and every metadata write (name and description, tags, commission
// and cancel, relations, and the work items the inbox creates). It keeps the
// answers in size-bounded caches with an expiry per entry, and after each
// write it forgets exactly what the write changed, so that the mount shows
// its own writes at once (docs/caching.md). It knows nothing of FUSE: the
// nodes in fs/nodes call it and tell the kernel.
package catalog

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// Options configure a Catalog.
type Options struct {
	Client *client.Client
	// Owner is the logged-in user; listings of work items, suites and
	// experiments hold only theirs unless AllOwners.
	Owner     string
	AllOwners bool
	// DirTTL bounds how long a listing (and what changes without a state:
	// tags, relations, suites and experiments) is reused; AttrTTL how long
	// metadata of an unfinished work item or simulation is. Final work
	// items and simulations, and asset collections, never expire.
	DirTTL, AttrTTL time.Duration
	// Timeout bounds each fetch from the server.
	Timeout time.Duration
	// Entries bounds each cache (entries).
	Entries int
	// Now is the clock that entries expire by (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Catalog reads and writes COMPS metadata through caches that a listing
// fills and a write clears. It is safe for concurrent use.
type Catalog struct {
	o   Options
	c   *client.Client
	log *slog.Logger

	workItems *cache.Meta[string, *client.WorkItem] // basic properties, by id
	details   *cache.Meta[string, *client.WorkItem] // with Tags, Files and Plugins, by id
	listings  *cache.Meta[listingKey, []string]     // ids of a listing
	outputs   *cache.Meta[entityKey, []client.OutputFile]
	related   *cache.Meta[relatedKey, []client.RelatedEntity] // a work item's own relations
	parents   *cache.Meta[parentsKey, []client.RelatedEntity] // the work items pointing at an entity
	// Suites, experiments, simulations and asset collections: their
	// properties (entities), the same with their tags (entityDetails), and
	// simulations' own files (simFiles, by id).
	entities      *cache.Meta[entityKey, *Entity]
	entityDetails *cache.Meta[entityKey, *Entity]
	simFiles      *cache.Meta[string, []client.WorkItemFile]
	// refresh and simRefresh hold each listing's unfinished work items and
	// simulations, to refresh them with one query once their entries
	// expire (refresh.go).
	refresh    refresher[*client.WorkItem]
	simRefresh refresher[*Entity]
	// notEqualRefused is set once the server answered a != filter with a
	// bad request: refreshes that need it are no longer tried.
	notEqualRefused atomic.Bool
	// staleServed counts answers served from expired entries because the
	// server could not answer (offline.go).
	staleServed atomic.Int64
	// queries are the query listings asked for (at most maxQueries), which
	// any write to a work item forgets: it may change what they match.
	queriesMu sync.Mutex
	queries   map[listingKey]struct{}
}

// maxQueries bounds the query listings a catalog remembers; past it the
// oldest are forgotten (their folders list afresh).
const maxQueries = 256

// listingKey names a listing: of work items (Kind ""), workitems/ (every
// other field "" too), one by-state/<State>/ folder or one query/<criteria>/
// folder; of suites or experiments, suites/ or experiments/ (Parent "");
// of a suite's experiments or an experiment's simulations (Parent is the
// suite or experiment), all of them or those in one State.
type listingKey struct {
	Kind   client.Kind
	Parent string
	State  string
	Query  string // the criteria's text
}

// String names the listing in logs and errors: the folder that shows it.
func (k listingKey) String() string {
	switch {
	case k.Kind == client.KindSimulation && k.Query != "":
		return "experiments/" + k.Parent + "/query/" + k.Query
	case k.Kind == client.KindSimulation && k.State != "":
		return "experiments/" + k.Parent + "/by-state/" + k.State
	case k.Kind == client.KindSimulation:
		return "experiments/" + k.Parent + "/simulations"
	case k.Kind == client.KindExperiment && k.Parent != "":
		return "suites/" + k.Parent + "/experiments"
	case k.Kind != "":
		return strings.ToLower(k.Kind.Plural())
	case k.Query != "":
		return "query/" + k.Query
	case k.State != "":
		return "by-state/" + k.State
	}
	return "workitems"
}

// entityKey names one entity of any kind.
type entityKey struct {
	Kind client.Kind
	ID   string
}

// relatedKey names a work item's relations of one type ("" for all).
type relatedKey struct {
	ID   string
	Type client.RelationType
}

// parentsKey names the work items pointing at an entity by one type.
type parentsKey struct {
	Kind client.Kind
	ID   string
	Type client.RelationType
}

// New makes a catalog. The mount's defaults are fs.DefaultSettings; here a
// zero TTL means answers are not reused, a zero Timeout leaves fetches
// unbounded, and Entries below minEntries is minEntries.
func New(o Options) *Catalog {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Now = strictClock(o.Now)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Entries = max(o.Entries, minEntries)
	n, now := o.Entries, o.Now
	c := &Catalog{
		o:             o,
		c:             o.Client,
		log:           o.Logger,
		workItems:     newMeta[string, *client.WorkItem](n, now, o.Timeout),
		details:       newMeta[string, *client.WorkItem](n/4+1, now, o.Timeout),
		listings:      newMeta[listingKey, []string](1024, now, o.Timeout),
		outputs:       newMeta[entityKey, []client.OutputFile](n/4+1, now, o.Timeout),
		related:       newMeta[relatedKey, []client.RelatedEntity](n/4+1, now, o.Timeout),
		parents:       newMeta[parentsKey, []client.RelatedEntity](n/4+1, now, o.Timeout),
		entities:      newMeta[entityKey, *Entity](n, now, o.Timeout),
		entityDetails: newMeta[entityKey, *Entity](n, now, o.Timeout),
		simFiles:      newMeta[string, []client.WorkItemFile](n/4+1, now, o.Timeout),
		refresh:       newRefresher[*client.WorkItem](),
		simRefresh:    newRefresher[*Entity](),
		queries:       map[listingKey]struct{}{},
	}
	return c
}

// minEntries is the least number of entries each cache holds.
const minEntries = 1024

// newMeta makes one of the catalog's caches, its fetches bounded by timeout.
func newMeta[K comparable, V any](size int, now func() time.Time, timeout time.Duration) *cache.Meta[K, V] {
	m := cache.NewMeta[K, V](size, now)
	m.FetchTimeout = timeout
	return m
}

// ttlFor is how long a work item's metadata may be reused: without expiry
// once it is final, --attr-ttl before.
func (c *Catalog) ttlFor(wi *client.WorkItem) time.Duration {
	if wi.State.Final() {
		return cache.Forever
	}
	return c.o.AttrTTL
}

// rememberMissing records, for --dir-ttl, that key does not exist when err
// says so, and returns err.
func rememberMissing[K comparable, V any](c *Catalog, meta *cache.Meta[K, V], key K, err error, start time.Time) error {
	if errors.Is(err, client.ErrNotFound) {
		meta.PutMissing(key, c.o.DirTTL, start)
	}
	return err
}

// Stats returns each cache's counters by name.
func (c *Catalog) Stats() map[string]cache.MetaStats {
	return map[string]cache.MetaStats{
		"workitems": c.workItems.Stats(), "details": c.details.Stats(), "listings": c.listings.Stats(),
		"outputs": c.outputs.Stats(), "related": c.related.Stats(), "parents": c.parents.Stats(),
		"entities": c.entities.Stats(), "entity_details": c.entityDetails.Stats(), "simulation_files": c.simFiles.Stats(),
	}
}

// StaleServed is how many answers were served from expired entries because
// the server could not answer.
func (c *Catalog) StaleServed() int64 { return c.staleServed.Load() }
