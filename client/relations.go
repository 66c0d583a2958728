package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Related lists the entities related to a work item, optionally only those of
// one kind (relatedObject) and one relation type ("" for any).
// GET /api/WorkItems/{id}/Related?RelatedObject=&RelationType= (§3.6).
func (c *Client) Related(ctx context.Context, workItemID string, relatedObject Kind, relType RelationType) ([]RelatedEntity, error) {
	id, err := CanonicalID(workItemID)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if relatedObject != "" {
		q.Set("RelatedObject", string(relatedObject))
	}
	if relType != "" {
		q.Set("RelationType", string(relType))
	}
	var answer struct {
		Related []RelatedEntity `json:"Related"`
	}
	r := &request{method: http.MethodGet, path: "WorkItems/" + id + "/Related", query: q, idempotent: true}
	if _, err := c.call(ctx, r, &answer); err != nil {
		return nil, fmt.Errorf("relations of work item %s: %w", id, err)
	}
	if relType != "" {
		for i := range answer.Related {
			if answer.Related[i].RelationType == "" {
				answer.Related[i].RelationType = relType
			}
		}
	}
	return answer.Related, nil
}

// AddRelation relates a saved work item to another entity.
// POST /api/WorkItems/{id}/Related/{RelationType}/{Kind}/{relatedId}, no body (§3.6).
func (c *Client) AddRelation(ctx context.Context, workItemID string, relType RelationType, kind Kind, relatedID string) error {
	id, err := CanonicalID(workItemID)
	if err != nil {
		return err
	}
	rid, err := CanonicalID(relatedID)
	if err != nil {
		return err
	}
	if relType.Number() < 0 || !kind.Valid() {
		return fmt.Errorf("add relation: unknown relation type %q or kind %q", relType, kind)
	}
	path := fmt.Sprintf("WorkItems/%s/Related/%s/%s/%s", id, relType, kind, rid)
	if _, err := c.call(ctx, &request{method: http.MethodPost, path: path}, nil); err != nil {
		return fmt.Errorf("relate work item %s %s %s %s: %w", id, relType, kind, rid, err)
	}
	return nil
}

// Parents lists the work items that point at an entity, optionally through
// one relation type only.
// GET /api/WorkItems/RelatedEntityId/{entityId}/Type/{Kind}[/Relation/{RelationType}] (§3.6).
func (c *Client) Parents(ctx context.Context, entityID string, kind Kind, relType RelationType) ([]Parent, error) {
	id, err := CanonicalID(entityID)
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("WorkItems/RelatedEntityId/%s/Type/%s", id, kind)
	if relType != "" {
		path += "/Relation/" + string(relType)
	}
	var answer struct {
		Parents []Parent `json:"Parents"`
	}
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: path, idempotent: true}, &answer); err != nil {
		return nil, fmt.Errorf("parents of %s %s: %w", kind, id, err)
	}
	return answer.Parents, nil
}
