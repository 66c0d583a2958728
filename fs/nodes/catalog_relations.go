package nodes

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/compsfs/compsfs/client"
)

// The catalog's relations: what a work item points at (Related, by type)
// and which work items point at an entity (Parents), and forgetting both
// ends after a relation is added through the mount.

// relationTypes are the relation types, for forgetting every per-type key.
var relationTypes = []client.RelationType{client.RelationDependsOn, client.RelationCreated}

// Related lists the entities a work item is related to, kept --dir-ttl.
func (c *catalog) Related(ctx context.Context, id string) ([]client.RelatedEntity, error) {
	rel, err := c.related.GetOrFetch(ctx, id, func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		rel, err := c.c.Related(ctx, id, "", "")
		return rel, c.m.cfg.DirTTL, err
	})
	if err != nil {
		return nil, fmt.Errorf("relations of work item %s: %w", id, err)
	}
	return rel, nil
}

// RelatedByType lists the entities a work item relates to by one relation
// type. When the server tags every entry of the full listing with its type,
// that listing is filtered; otherwise the server is asked per type
// (RelationType=), kept --dir-ttl.
func (c *catalog) RelatedByType(ctx context.Context, id string, relType client.RelationType) ([]client.RelatedEntity, error) {
	all, err := c.Related(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(all, func(r client.RelatedEntity) bool { return r.RelationType == "" }) {
		var out []client.RelatedEntity
		for _, r := range all {
			if r.RelationType == relType {
				out = append(out, r)
			}
		}
		return out, nil
	}
	rel, err := c.related.GetOrFetch(ctx, id+"/"+string(relType), func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		rel, err := c.c.Related(ctx, id, "", relType)
		return rel, c.m.cfg.DirTTL, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s relations of work item %s: %w", relType, id, err)
	}
	return rel, nil
}

// Parents lists the work items that point at an entity by one relation
// type (as RelatedEntity values of kind WorkItem), kept --dir-ttl.
func (c *catalog) Parents(ctx context.Context, kind client.Kind, id string, relType client.RelationType) ([]client.RelatedEntity, error) {
	key := parentsKey(kind, id, relType)
	rel, err := c.related.GetOrFetch(ctx, key, func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		parents, err := c.c.Parents(ctx, id, kind, relType)
		if err != nil {
			return nil, 0, err
		}
		rel := make([]client.RelatedEntity, 0, len(parents))
		for _, p := range parents {
			rel = append(rel, client.RelatedEntity{ObjectType: client.KindWorkItem, ID: p.ID, RelationType: relType})
		}
		return rel, c.m.cfg.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("work items with %s to %s %s: %w", relType, kind, id, err)
	}
	return rel, nil
}

// parentsKey is the related-cache key of the work items pointing at entity
// id of kind by relType.
func parentsKey(kind client.Kind, id string, relType client.RelationType) string {
	return "parents/" + string(kind) + "/" + id + "/" + string(relType)
}

// InvalidateRelation forgets both ends of a relation from work item id to
// entity target of kind (after it was added).
func (c *catalog) InvalidateRelation(id string, kind client.Kind, target string) {
	c.invalidateRelations(client.KindWorkItem, id)
	c.invalidateRelations(kind, target)
}

// invalidateRelations forgets an entity's relations in both directions: a
// work item's own (the full listing and each type's) and the work items
// pointing at the entity by each type.
func (c *catalog) invalidateRelations(kind client.Kind, id string) {
	if kind == client.KindWorkItem {
		c.related.Invalidate(id)
	}
	for _, t := range relationTypes {
		if kind == client.KindWorkItem {
			c.related.Invalidate(id + "/" + string(t))
		}
		c.related.Invalidate(parentsKey(kind, id, t))
	}
}
