package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// OutputFiles lists the files of a work item's or simulation's working
// directory, flattened. GET /asset/<Kind>s/{id}/Output?flatten=1 (§7.1).
// kind is KindWorkItem or KindSimulation.
func (c *Client) OutputFiles(ctx context.Context, kind Kind, id string) ([]OutputFile, error) {
	id, err := CanonicalID(id)
	if err != nil {
		return nil, err
	}
	if kind != KindWorkItem && kind != KindSimulation {
		return nil, fmt.Errorf("output files: %s has no outputs", kind)
	}
	var answer struct {
		Resources *[]OutputFile `json:"Resources"`
	}
	r := &request{method: http.MethodGet, path: "asset/" + kind.Plural() + "/" + id + "/Output",
		query: url.Values{"flatten": {"1"}}, idempotent: true}
	if _, err := c.call(ctx, r, &answer); err != nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w", kind, id, err)
	}
	if answer.Resources == nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w: no Resources", kind, id, ErrMalformed)
	}
	return *answer.Resources, nil
}
