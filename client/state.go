package client

import (
	"context"
	"fmt"
	"net/http"
)

// SetState asks the server to move an entity to a state, by name.
// PUT /api/<Kind>s/{id}/State/<StateName>, empty body (§6). Asking twice for
// the same state is harmless, so it is retried like a read.
func (c *Client) SetState(ctx context.Context, kind Kind, id, state string) error {
	id, err := CanonicalID(id)
	if err != nil {
		return err
	}
	r := &request{method: http.MethodPut, path: kind.Plural() + "/" + id + "/State/" + state, idempotent: true}
	if _, err := c.call(ctx, r, nil); err != nil {
		return fmt.Errorf("set %s %s to %s: %w", kind, id, state, err)
	}
	return nil
}

// Commission asks for a created work item to be run (state CommissionRequested, §6).
func (c *Client) Commission(ctx context.Context, workItemID string) error {
	return c.SetState(ctx, KindWorkItem, workItemID, string(StateCommissionRequested))
}

// Cancel asks for an active work item to be cancelled (state CancelRequested, §6).
func (c *Client) Cancel(ctx context.Context, workItemID string) error {
	return c.SetState(ctx, KindWorkItem, workItemID, string(StateCancelRequested))
}
