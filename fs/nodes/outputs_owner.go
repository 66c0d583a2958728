package nodes

import (
	"context"
	"fmt"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// outputsOwner is what an entity's outputs take from the entity itself:
// whether it is final (its outputs never change again) and its
// last_modified, the outputs' mtime (the server gives no per-file time).
type outputsOwner struct {
	final    bool
	modified time.Time
}

// simulationFinal reports whether a simulation's state is one it never
// leaves: Succeeded, Failed or Canceled.
func simulationFinal(s client.SimulationState) bool {
	return s == client.SimSucceeded || s == client.SimFailed || s == client.SimCanceled
}

// outputsOwner returns the finality and last_modified of the work item or
// simulation whose outputs these are. A work item's come from the work item
// cache; a simulation's are kept in the entity cache under a key of their
// own, without expiry once final, --attr-ttl before.
func (c *catalog) outputsOwner(ctx context.Context, kind client.Kind, id string) (outputsOwner, error) {
	switch kind {
	case client.KindWorkItem:
		wi, err := c.WorkItem(ctx, id)
		if err != nil {
			return outputsOwner{}, err
		}
		return outputsOwner{final: wi.State.Final(), modified: wi.LastModified.Time}, nil
	case client.KindSimulation:
		key := "outputs-owner/" + string(kind) + "/" + id
		v, err := c.entities.GetOrFetch(ctx, key, func(ctx context.Context) (any, time.Duration, error) {
			start := c.m.cfg.Now()
			sim, err := c.c.GetSimulation(ctx, id, client.Query{})
			if err != nil {
				return nil, 0, c.missing(c.entities, key, err, start)
			}
			o := outputsOwner{final: simulationFinal(sim.State), modified: sim.LastModified.Time}
			ttl := c.m.cfg.AttrTTL
			if o.final {
				ttl = cache.Forever
			}
			return o, ttl, nil
		})
		if err != nil {
			return outputsOwner{}, fmt.Errorf("simulation %s: %w", id, err)
		}
		o, ok := v.(outputsOwner)
		if !ok {
			return outputsOwner{}, fmt.Errorf("simulation %s: cached value is a %T", id, v)
		}
		return o, nil
	}
	return outputsOwner{}, fmt.Errorf("%s %s: has no outputs", kind, id)
}
