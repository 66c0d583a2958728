package nodes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// catalog is the mount's view of COMPS: the client behind metadata caches.
// A listing fills the per-item cache, so stat and cat after ls cost nothing.
type catalog struct {
	m         *Mount
	c         *client.Client
	workItems *cache.Meta[string, *client.WorkItem] // basic properties, by id
	details   *cache.Meta[string, *client.WorkItem] // with Tags, Files and Plugins
	listings  *cache.Meta[string, []string]         // ids of a listing, by listing key
	outputs   *cache.Meta[string, []client.OutputFile]
	related   *cache.Meta[string, []client.RelatedEntity]
	entities  *cache.Meta[string, any] // *client.Suite, *client.Experiment, ...
	// refresh holds each listing's unfinished items, to refresh them with
	// one query once their entries expire (catalog_refresh.go).
	refresh refresher
	// mountPoints are the paths of the mount's root (as given and with
	// symlinks resolved), for symlink targets written as absolute paths.
	mountPoints atomic.Pointer[[]string]
}

func newCatalog(m *Mount) *catalog {
	n, now := m.cfg.MetaEntries, m.cfg.Now
	c := &catalog{
		m:         m,
		c:         m.cfg.Client,
		workItems: cache.NewMeta[string, *client.WorkItem](n, now),
		details:   cache.NewMeta[string, *client.WorkItem](n/4+1, now),
		listings:  cache.NewMeta[string, []string](1024, now),
		outputs:   cache.NewMeta[string, []client.OutputFile](n/4+1, now),
		related:   cache.NewMeta[string, []client.RelatedEntity](n/4+1, now),
		entities:  cache.NewMeta[string, any](n/4+1, now),
		refresh:   refresher{listings: map[string]*listedUnfinished{}},
	}
	for _, fetchTimeout := range []*time.Duration{&c.workItems.FetchTimeout, &c.details.FetchTimeout,
		&c.listings.FetchTimeout, &c.outputs.FetchTimeout, &c.related.FetchTimeout, &c.entities.FetchTimeout} {
		*fetchTimeout = m.cfg.Timeout
	}
	return c
}

// ttlFor is how long a work item's metadata may be reused: without expiry
// once it is final, --attr-ttl before.
func (c *catalog) ttlFor(wi *client.WorkItem) time.Duration {
	if wi.State.Final() {
		return cache.Forever
	}
	return c.m.cfg.AttrTTL
}

// missing remembers, for a listing's lifetime, that an id does not exist.
func (c *catalog) missing(meta interface {
	PutMissing(string, time.Duration, time.Time)
}, key string, err error, start time.Time) error {
	if errors.Is(err, client.ErrNotFound) {
		meta.PutMissing(key, c.m.cfg.DirTTL, start)
	}
	return err
}

// WorkItem returns a work item's basic properties. A miss of an item a
// listing holds unfinished may be answered by a refresh of that listing's
// unfinished items (fromRefresh), else the item is read on its own.
func (c *catalog) WorkItem(ctx context.Context, id string) (*client.WorkItem, error) {
	wi, err := c.workItems.GetOrFetch(ctx, id, func(ctx context.Context) (*client.WorkItem, time.Duration, error) {
		if wi, ok := c.fromRefresh(ctx, id); ok {
			return wi, c.ttlFor(wi), nil
		}
		start := c.m.cfg.Now()
		wi, err := c.c.GetWorkItem(ctx, id, client.Query{})
		if err != nil {
			return nil, 0, c.missing(c.workItems, id, err, start)
		}
		return wi, c.ttlFor(wi), nil
	})
	if err != nil {
		return nil, fmt.Errorf("work item %s: %w", id, err)
	}
	return wi, nil
}

// WorkItemDetail returns a work item with its children (tags, files,
// plugins). Name, description and tags can change even on finished items, so
// those are reused for --dir-ttl at most.
func (c *catalog) WorkItemDetail(ctx context.Context, id string) (*client.WorkItem, error) {
	wi, err := c.details.GetOrFetch(ctx, id, func(ctx context.Context) (*client.WorkItem, time.Duration, error) {
		start := c.m.cfg.Now()
		wi, err := c.c.GetWorkItem(ctx, id, client.Query{Children: []string{"Tags", "Files", "Plugins"}})
		if err != nil {
			return nil, 0, c.missing(c.details, id, err, start)
		}
		basic := *wi
		basic.Tags, basic.Files, basic.Plugins = nil, nil, nil
		c.workItems.Put(id, &basic, c.ttlFor(wi), start)
		return wi, min(c.ttlFor(wi), c.m.cfg.DirTTL), nil
	})
	if err != nil {
		return nil, fmt.Errorf("work item %s: %w", id, err)
	}
	return wi, nil
}

// listWorkItems runs a paged query and fills the per-item cache with its
// results; the ids are kept under key for --dir-ttl. Its unfinished items
// are remembered for refreshes, which add refreshFilters to filters.
func (c *catalog) listWorkItems(ctx context.Context, key string, filters, refreshFilters []string) ([]string, error) {
	ids, err := c.listings.GetOrFetch(ctx, key, func(ctx context.Context) ([]string, time.Duration, error) {
		start := c.m.cfg.Now()
		filters := slices.Clone(filters)
		if !c.m.cfg.AllOwners && c.m.cfg.Owner != "" {
			filters = append(filters, "Owner="+c.m.cfg.Owner)
		}
		var ids, unfinished []string
		for wi, err := range c.c.WorkItems(ctx, client.Query{Filters: filters, OrderBy: "DateCreated"}) {
			if err != nil {
				return nil, 0, err
			}
			id, err := client.CanonicalID(wi.ID)
			if err != nil {
				c.m.log.Warn("listing: skipping a work item with a bad id", "id", wi.ID)
				continue
			}
			item := wi
			c.workItems.Put(id, &item, c.ttlFor(&item), start)
			ids = append(ids, id)
			if !item.State.Final() {
				unfinished = append(unfinished, id)
			}
		}
		c.rememberListing(key, filters, refreshFilters, unfinished, start)
		return ids, c.m.cfg.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list work items (%s): %w", key, err)
	}
	return ids, nil
}

// ListWorkItems lists the ids of workitems/: the user's work items, or
// everyone's with --all-owners.
func (c *catalog) ListWorkItems(ctx context.Context) ([]string, error) {
	return c.listWorkItems(ctx, "workitems", nil, notFinalFilters)
}

// ListByState lists the ids of the work items in one state. Its own filter
// keeps finished items out of a refresh of an unfinished state's listing
// (a finished state's listing has no unfinished item to refresh).
func (c *catalog) ListByState(ctx context.Context, state client.WorkItemState) ([]string, error) {
	return c.listWorkItems(ctx, "state/"+string(state), []string{"State=" + string(state)}, nil)
}

// Outputs lists an entity's output files; final work items' listings never
// expire, others' last --attr-ttl.
func (c *catalog) Outputs(ctx context.Context, kind client.Kind, id string, final bool) ([]client.OutputFile, error) {
	files, err := c.outputs.GetOrFetch(ctx, string(kind)+"/"+id, func(ctx context.Context) ([]client.OutputFile, time.Duration, error) {
		files, err := c.c.OutputFiles(ctx, kind, id)
		if err != nil {
			return nil, 0, err
		}
		ttl := c.m.cfg.AttrTTL
		if final {
			ttl = cache.Forever
		}
		return files, ttl, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w", kind, id, err)
	}
	return files, nil
}

// InvalidateWorkItem forgets everything cached about a work item (after a
// write through the mount): its basic and detailed properties, the listings
// that may hold it (workitems/ and every by-state/ folder), its outputs, its
// relations (all and by type) and the relations pointing at it. A listing
// or read already running when this is called cannot store what it brings
// back, so an older answer never hides the write.
func (c *catalog) InvalidateWorkItem(id string) {
	c.workItems.Invalidate(id)
	c.details.Invalidate(id)
	c.listings.Invalidate("workitems")
	for _, s := range client.WorkItemStates {
		c.listings.Invalidate("state/" + string(s))
	}
	c.outputs.Invalidate(string(client.KindWorkItem) + "/" + id)
	c.invalidateRelations(client.KindWorkItem, id)
}

// InvalidateEntity forgets a suite, experiment, simulation or asset
// collection (after its tags changed).
func (c *catalog) InvalidateEntity(kind client.Kind, id string) {
	if kind == client.KindWorkItem {
		c.InvalidateWorkItem(id)
		return
	}
	c.entities.Invalidate(string(kind) + "/" + id)
}

// metaStats returns each metadata cache's counters by name.
func (c *catalog) metaStats() map[string]cache.MetaStats {
	return map[string]cache.MetaStats{
		"workitems": c.workItems.Stats(), "details": c.details.Stats(), "listings": c.listings.Stats(),
		"outputs": c.outputs.Stats(), "related": c.related.Stats(), "entities": c.entities.Stats(),
	}
}

// Entity returns a suite, experiment, simulation or asset collection with
// its tags (and an asset collection's assets), kept --dir-ttl; an unknown id
// is remembered as missing for as long.
func (c *catalog) Entity(ctx context.Context, kind client.Kind, id string) (*entity, error) {
	key := string(kind) + "/" + id
	v, err := c.entities.GetOrFetch(ctx, key, func(ctx context.Context) (any, time.Duration, error) {
		start := c.m.cfg.Now()
		v, err := c.fetchEntity(ctx, kind, id)
		if err != nil {
			return nil, 0, c.missing(c.entities, key, err, start)
		}
		return v, c.m.cfg.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return entityOf(kind, v)
}

// fetchEntity reads one entity of a kind other than WorkItem with the
// children its folder shows.
func (c *catalog) fetchEntity(ctx context.Context, kind client.Kind, id string) (any, error) {
	tags := client.Query{Children: []string{"Tags"}}
	switch kind {
	case client.KindSuite:
		return c.c.GetSuite(ctx, id, tags)
	case client.KindExperiment:
		return c.c.GetExperiment(ctx, id, tags)
	case client.KindSimulation:
		return c.c.GetSimulation(ctx, id, tags)
	case client.KindAssetCollection:
		return c.c.GetAssetCollection(ctx, id, client.Query{Children: []string{"Tags", "Assets"}})
	}
	return nil, fmt.Errorf("no entity folder for kind %q", kind)
}
