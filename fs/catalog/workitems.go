package catalog

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/compsfs/compsfs/client"
)

// WorkItem returns a work item's basic properties. A miss of an item a
// listing holds unfinished may be answered by a refresh of that listing's
// unfinished items (refresh.go), else the item is read on its own.
func (c *Catalog) WorkItem(ctx context.Context, id string) (*client.WorkItem, error) {
	c.refresh.noteRead(c, id)
	wi, err := fetchOrStale(ctx, c, c.workItems, id, func(ctx context.Context) (*client.WorkItem, time.Duration, error) {
		if wi, ok := c.refresh.answer(ctx, c, id); ok {
			return wi, c.ttlFor(wi), nil
		}
		start := c.o.Now()
		wi, err := c.c.GetWorkItem(ctx, id, client.Query{})
		if err != nil {
			return nil, 0, rememberMissing(c, c.workItems, id, err, start)
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
// those are reused for --dir-ttl at most. The basic properties it brings
// fill the work item cache too.
func (c *Catalog) WorkItemDetail(ctx context.Context, id string) (*client.WorkItem, error) {
	wi, err := fetchOrStale(ctx, c, c.details, id, func(ctx context.Context) (*client.WorkItem, time.Duration, error) {
		start := c.o.Now()
		wi, err := c.c.GetWorkItem(ctx, id, client.Query{Children: []string{"Tags", "Files", "Plugins"}})
		if err != nil {
			return nil, 0, rememberMissing(c, c.details, id, err, start)
		}
		basic := *wi
		basic.Tags, basic.Files, basic.Plugins = nil, nil, nil
		c.workItems.Put(id, &basic, c.ttlFor(wi), start)
		return wi, min(c.ttlFor(wi), c.o.DirTTL), nil
	})
	if err != nil {
		return nil, fmt.Errorf("work item %s: %w", id, err)
	}
	return wi, nil
}

// ListWorkItems lists the ids of workitems/: the user's work items, or
// everyone's with AllOwners, oldest first.
func (c *Catalog) ListWorkItems(ctx context.Context) ([]string, error) {
	return c.listWorkItems(ctx, listingKey{}, c.mine(client.Query{}), notFinalFilters)
}

// ListByState lists the ids of the work items in one state. Its own filter
// keeps finished items out of a refresh of an unfinished state's listing
// (a finished state's listing has no unfinished item to refresh).
func (c *Catalog) ListByState(ctx context.Context, state client.WorkItemState) ([]string, error) {
	q := c.mine(client.Query{Filters: []string{"State=" + string(state)}})
	return c.listWorkItems(ctx, listingKey{State: string(state)}, q, nil)
}

// ListQuery lists the ids of the work items that match criteria, in the
// order they ask for (oldest first by default): the user's only, unless
// the criteria name an owner or the mount shows everyone's.
func (c *Catalog) ListQuery(ctx context.Context, cr Criteria) ([]string, error) {
	q := client.Query{Filters: cr.Filters, TagFilters: cr.TagFilters, OrderBy: cr.OrderBy, Count: cr.Limit}
	if !cr.HasOwner {
		q = c.mine(q)
	}
	c.rememberQuery(cr.key())
	return c.listWorkItems(ctx, cr.key(), q, notFinalFilters)
}

// rememberQuery records a query listing, for forgetQueries.
func (c *Catalog) rememberQuery(key listingKey) {
	c.queriesMu.Lock()
	defer c.queriesMu.Unlock()
	if _, ok := c.queries[key]; ok {
		return
	}
	if len(c.queries) >= maxQueries {
		for k := range c.queries { // any one: it is listed afresh next time
			delete(c.queries, k)
			c.listings.Invalidate(k)
			break
		}
	}
	c.queries[key] = struct{}{}
}

// mine adds the filter that keeps only the user's work items (suites,
// experiments), unless the mount shows everyone's.
func (c *Catalog) mine(q client.Query) client.Query {
	if !c.o.AllOwners && c.o.Owner != "" {
		q.Filters = append(slices.Clone(q.Filters), "Owner="+c.o.Owner)
	}
	return q
}

// keepQueried caches a work item a query asked for at start brought, and
// returns it under its canonical id; ok is false (and the item skipped) when
// its id is not a UUID.
func (c *Catalog) keepQueried(wi client.WorkItem, start time.Time) (id string, item *client.WorkItem, ok bool) {
	id, err := client.CanonicalID(wi.ID)
	if err != nil {
		c.log.Warn("skipping a work item with a bad id", "id", wi.ID)
		return "", nil, false
	}
	c.workItems.Put(id, &wi, c.ttlFor(&wi), start)
	return id, &wi, true
}
