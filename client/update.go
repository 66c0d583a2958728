package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// WorkItemUpdate names the changes to a saved work item; nil leaves a field
// as it is. Only the name and description can change this way (§3.4).
type WorkItemUpdate struct {
	Name        *string
	Description *string
}

// updateJSON is the object of an update save: Id plus what changes.
type updateJSON struct {
	ID          string  `json:"Id"`
	Name        *string `json:"Name,omitempty"`
	Description *string `json:"Description,omitempty"`
}

// UpdateWorkItem changes a work item's name and/or description.
// POST /api/WorkItems multipart with an object carrying Id (§3.4); the
// answer must echo the id. An empty description clears it.
func (c *Client) UpdateWorkItem(ctx context.Context, id string, u WorkItemUpdate) error {
	id, err := CanonicalID(id)
	if err != nil {
		return err
	}
	js, err := json.Marshal(updateJSON{ID: id, Name: u.Name, Description: u.Description})
	if err != nil {
		return fmt.Errorf("update work item %s: %w", id, err)
	}
	b := newSaveBatch()
	b.objects = [][]byte{js}
	ids, err := c.postBatch(ctx, b, "WorkItems")
	if err != nil {
		return fmt.Errorf("update work item %s: %w", id, err)
	}
	if got, _ := CanonicalID(ids[0]); got != id {
		return fmt.Errorf("update work item %s: %w: the server answered id %q", id, ErrMalformed, ids[0])
	}
	return nil
}
