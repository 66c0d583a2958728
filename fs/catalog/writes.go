package catalog

import (
	"context"
	"fmt"

	"github.com/compsfs/compsfs/client"
)

// The catalog's writes. Each sends one change to the server and then
// forgets exactly the cached answers the change makes wrong, whether the
// server took it or not (an error may hide a success). A fetch that started
// before the write cannot store its answer afterwards (cache.Meta's
// Invalidate), so an older answer never hides the write. The inbox creates,
// relates and commissions work items itself and tells the catalog through
// WorkItemCreated, RelationAdded and StateChanged, which forget the same.

// UpdateWorkItem saves a work item's name or description.
func (c *Catalog) UpdateWorkItem(ctx context.Context, id string, u client.WorkItemUpdate) error {
	err := c.c.UpdateWorkItem(ctx, id, u)
	c.forgetProperties(id)
	if err != nil {
		return fmt.Errorf("save work item %s: %w", id, err)
	}
	return nil
}

// UpdateEntity saves a suite's, experiment's or simulation's name or
// description.
func (c *Catalog) UpdateEntity(ctx context.Context, kind client.Kind, id string, u client.EntityUpdate) error {
	var err error
	switch kind {
	case client.KindSuite:
		err = c.c.UpdateSuite(ctx, id, u)
	case client.KindExperiment:
		err = c.c.UpdateExperiment(ctx, id, u)
	case client.KindSimulation:
		err = c.c.UpdateSimulation(ctx, id, u)
	default:
		return fmt.Errorf("save %s %s: a %s has no name or description", kind, id, kind)
	}
	c.entities.Invalidate(entityKey{Kind: kind, ID: id})
	c.entityDetails.Invalidate(entityKey{Kind: kind, ID: id})
	c.forgetQueriesOf(kind) // a simulation's name may select it
	if err != nil {
		return fmt.Errorf("save %s %s: %w", kind, id, err)
	}
	return nil
}

// SetTag sets one tag of an entity (merging it into the others).
func (c *Catalog) SetTag(ctx context.Context, kind client.Kind, id, key, value string) error {
	err := c.c.SetTags(ctx, kind, id, client.Tags{key: value}, client.TagsMerge)
	c.forgetTags(kind, id)
	if err != nil {
		return fmt.Errorf("set tag %q of %s %s: %w", key, kind, id, err)
	}
	return nil
}

// DeleteTag deletes one tag of an entity.
func (c *Catalog) DeleteTag(ctx context.Context, kind client.Kind, id, key string) error {
	err := c.c.DeleteTags(ctx, kind, id, key)
	c.forgetTags(kind, id)
	if err != nil {
		return fmt.Errorf("delete tag %q of %s %s: %w", key, kind, id, err)
	}
	return nil
}

// Commission asks for a work item to run.
func (c *Catalog) Commission(ctx context.Context, id string) error {
	err := c.c.Commission(ctx, id)
	c.StateChanged(id)
	if err != nil {
		return fmt.Errorf("commission work item %s: %w", id, err)
	}
	return nil
}

// Cancel asks for a work item to stop.
func (c *Catalog) Cancel(ctx context.Context, id string) error {
	err := c.c.Cancel(ctx, id)
	c.StateChanged(id)
	if err != nil {
		return fmt.Errorf("cancel work item %s: %w", id, err)
	}
	return nil
}

// AddRelation relates work item id to the entity target of kind.
func (c *Catalog) AddRelation(ctx context.Context, id string, relType client.RelationType, kind client.Kind, target string) error {
	err := c.c.AddRelation(ctx, id, relType, kind, target)
	c.RelationAdded(id, relType, kind, target)
	if err != nil {
		return fmt.Errorf("relate work item %s (%s) to %s %s: %w", id, relType, kind, target, err)
	}
	return nil
}

// WorkItemCreated forgets what a new work item changes: the listings that
// may now hold it, and anything remembered of its id (a lookup made before
// it existed is cached as missing).
func (c *Catalog) WorkItemCreated(id string) {
	c.listings.Invalidate(listingKey{})
	c.StateChanged(id)
}

// RelationAdded forgets both ends of a new relation: the work item's own
// relations (all of them and the type's) and the work items pointing at the
// target by that type.
func (c *Catalog) RelationAdded(id string, relType client.RelationType, kind client.Kind, target string) {
	c.related.Invalidate(relatedKey{ID: id})
	c.related.Invalidate(relatedKey{ID: id, Type: relType})
	c.parents.Invalidate(parentsKey{Kind: kind, ID: target, Type: relType})
}

// StateChanged forgets what a work item's change of state makes wrong: its
// properties, its outputs listing, and every by-state listing (it left one
// and joined another).
func (c *Catalog) StateChanged(id string) {
	c.forgetProperties(id)
	c.outputs.Invalidate(entityKey{Kind: client.KindWorkItem, ID: id})
	for _, s := range client.WorkItemStates {
		c.listings.Invalidate(listingKey{State: string(s)})
	}
}

// forgetProperties forgets a work item's properties, basic and detailed,
// and the query listings, which may match it differently now.
func (c *Catalog) forgetProperties(id string) {
	c.workItems.Invalidate(id)
	c.details.Invalidate(id)
	c.forgetQueries()
}

// forgetTags forgets an entity's tags: a work item's are in its details
// (and query listings may select by them), another entity's in its
// entity details.
func (c *Catalog) forgetTags(kind client.Kind, id string) {
	if kind == client.KindWorkItem {
		c.details.Invalidate(id)
		c.forgetQueries()
		return
	}
	c.entityDetails.Invalidate(entityKey{Kind: kind, ID: id})
	if kind == client.KindSimulation {
		c.forgetQueriesOf(kind) // experiments/<id>/query/ may select by tags
	}
}

// forgetQueries forgets the query listings of work items.
func (c *Catalog) forgetQueries() { c.forgetQueriesOf("") }

// forgetQueriesOf forgets the query listings of one kind ("" for work
// items, KindSimulation for experiments' query folders).
func (c *Catalog) forgetQueriesOf(kind client.Kind) {
	c.queriesMu.Lock()
	defer c.queriesMu.Unlock()
	for k := range c.queries {
		if k.Kind == kind {
			c.listings.Invalidate(k)
		}
	}
}
