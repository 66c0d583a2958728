package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// tagsBody is the JSON of the tags endpoint (§5).
type tagsBody struct {
	Tags          Tags             `json:"Tags"`
	OperationMode TagOperationMode `json:"OperationMode"`
}

// SetTags changes an entity's tags: Merge adds and overwrites the given keys,
// Replace makes them the whole set, Delete removes the given keys.
// POST /api/<Kind>s/{id}/tags (§5). Repeating it gives the same result, so it
// is retried like a read.
func (c *Client) SetTags(ctx context.Context, kind Kind, id string, tags Tags, mode TagOperationMode) error {
	id, err := CanonicalID(id)
	if err != nil {
		return err
	}
	if tags == nil {
		tags = Tags{}
	}
	body, err := json.Marshal(tagsBody{Tags: tags, OperationMode: mode})
	if err != nil {
		return fmt.Errorf("tags of %s %s: %w", kind, id, err)
	}
	r := &request{method: http.MethodPost, path: kind.Plural() + "/" + id + "/tags", body: body, idempotent: true}
	if _, err := c.call(ctx, r, nil); err != nil {
		return fmt.Errorf("%s tags of %s %s: %w", mode, kind, id, err)
	}
	return nil
}

// DeleteTags removes the named tags from an entity (§5, mode Delete).
func (c *Client) DeleteTags(ctx context.Context, kind Kind, id string, keys ...string) error {
	t := Tags{}
	for _, k := range keys {
		t[k] = nil
	}
	return c.SetTags(ctx, kind, id, t, TagsDelete)
}
