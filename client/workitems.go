package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// GetWorkItem fetches one work item by id.
// GET /api/WorkItems/{id}?fields=&children=&count=100000 (§3.2).
func (c *Client) GetWorkItem(ctx context.Context, id string, q Query) (*WorkItem, error) {
	return getOne[WorkItem](ctx, c, KindWorkItem, id, q)
}

// WorkItems yields the work items matching q, fetching page after page as the
// caller iterates. GET /api/WorkItems with offset/count (§3.2).
func (c *Client) WorkItems(ctx context.Context, q Query) iter.Seq2[WorkItem, error] {
	return queryPages[WorkItem](ctx, c, "WorkItems", "WorkItems", q)
}

// QueryWorkItems returns all the work items matching q (every page).
func (c *Client) QueryWorkItems(ctx context.Context, q Query) ([]WorkItem, error) {
	items, err := collect(c.WorkItems(ctx, q))
	if err != nil {
		return nil, fmt.Errorf("query work items: %w", err)
	}
	return items, nil
}

// DeleteWorkItem soft-deletes a work item; expireNow makes it eligible for
// permanent deletion at once. DELETE /api/WorkItems/{id}[?expirenow=True] (§3.5).
func (c *Client) DeleteWorkItem(ctx context.Context, id string, expireNow bool) error {
	return c.deleteEntity(ctx, KindWorkItem, id, expireNow)
}

// deleteEntity is DELETE /api/<Kind>s/{id} for any kind (§3.5).
func (c *Client) deleteEntity(ctx context.Context, kind Kind, id string, expireNow bool) error {
	id, err := CanonicalID(id)
	if err != nil {
		return err
	}
	var q url.Values
	if expireNow {
		q = url.Values{"expirenow": {"True"}} // Python's spelling of the boolean
	}
	r := &request{method: http.MethodDelete, path: kind.Plural() + "/" + id, query: q, idempotent: true}
	if _, err := c.call(ctx, r, nil); err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, id, err)
	}
	return nil
}
