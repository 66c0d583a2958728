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
	wi, err := fetchOrStale(ctx, c, c.workItems, id, func(ctx context.Context) (*client.WorkItem, time.Duration, error) {
		if wi, ok := c.fromRefresh(ctx, id); ok {
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
	return c.listWorkItems(ctx, listingKey{}, nil, notFinalFilters)
}

// ListByState lists the ids of the work items in one state. Its own filter
// keeps finished items out of a refresh of an unfinished state's listing
// (a finished state's listing has no unfinished item to refresh).
func (c *Catalog) ListByState(ctx context.Context, state client.WorkItemState) ([]string, error) {
	return c.listWorkItems(ctx, listingKey{State: state}, []string{"State=" + string(state)}, nil)
}

// listWorkItems runs a paged query and fills the per-item cache with its
// results; the ids are kept under key for --dir-ttl. Its unfinished items
// are remembered for refreshes, which add refreshFilters to filters.
func (c *Catalog) listWorkItems(ctx context.Context, key listingKey, filters, refreshFilters []string) ([]string, error) {
	ids, err := fetchOrStale(ctx, c, c.listings, key, func(ctx context.Context) ([]string, time.Duration, error) {
		start := c.o.Now()
		filters := slices.Clone(filters)
		if !c.o.AllOwners && c.o.Owner != "" {
			filters = append(filters, "Owner="+c.o.Owner)
		}
		var ids, unfinished []string
		for wi, err := range c.c.WorkItems(ctx, client.Query{Filters: filters, OrderBy: "DateCreated"}) {
			if err != nil {
				return nil, 0, err
			}
			id, item, ok := c.keepQueried(wi, start)
			if !ok {
				continue
			}
			ids = append(ids, id)
			if !item.State.Final() {
				unfinished = append(unfinished, id)
			}
		}
		c.rememberListing(key, filters, refreshFilters, unfinished, start)
		return ids, c.o.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list work items (%s): %w", key, err)
	}
	return ids, nil
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
