package catalog

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/compsfs/compsfs/client"
)

// Related lists the entities a work item is related to, kept --dir-ttl.
func (c *Catalog) Related(ctx context.Context, id string) ([]client.RelatedEntity, error) {
	rel, err := fetchOrStale(ctx, c, c.related, relatedKey{ID: id}, func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		rel, err := c.c.Related(ctx, id, "", "")
		return rel, c.o.DirTTL, err
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
func (c *Catalog) RelatedByType(ctx context.Context, id string, relType client.RelationType) ([]client.RelatedEntity, error) {
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
	key := relatedKey{ID: id, Type: relType}
	rel, err := fetchOrStale(ctx, c, c.related, key, func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		rel, err := c.c.Related(ctx, id, "", relType)
		return rel, c.o.DirTTL, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s relations of work item %s: %w", relType, id, err)
	}
	return rel, nil
}

// Parents lists the work items that point at an entity by one relation
// type (as RelatedEntity values of kind WorkItem), kept --dir-ttl.
func (c *Catalog) Parents(ctx context.Context, kind client.Kind, id string, relType client.RelationType) ([]client.RelatedEntity, error) {
	key := parentsKey{Kind: kind, ID: id, Type: relType}
	rel, err := fetchOrStale(ctx, c, c.parents, key, func(ctx context.Context) ([]client.RelatedEntity, time.Duration, error) {
		parents, err := c.c.Parents(ctx, id, kind, relType)
		if err != nil {
			return nil, 0, err
		}
		rel := make([]client.RelatedEntity, 0, len(parents))
		for _, p := range parents {
			rel = append(rel, client.RelatedEntity{ObjectType: client.KindWorkItem, ID: p.ID, RelationType: relType})
		}
		return rel, c.o.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("work items with %s to %s %s: %w", relType, kind, id, err)
	}
	return rel, nil
}
