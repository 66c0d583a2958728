package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// Entity is a suite, experiment, simulation or asset collection in the one
// shape its folder shows; fields a kind lacks stay empty.
type Entity struct {
	Kind                         client.Kind
	ID, Name, Description, Owner string
	Created, Modified            time.Time
	SuiteID, ExperimentID        string
	State, ErrorMessage          string // simulations only
	Tags                         client.Tags
	Assets                       []client.AssetCollectionFile
}

// Mtime is the folder's time: last_modified, or date_created for kinds
// without it.
func (e *Entity) Mtime() time.Time {
	if e.Modified.IsZero() {
		return e.Created
	}
	return e.Modified
}

// Entity returns a suite, experiment, simulation or asset collection with
// its tags (and an asset collection's assets), kept --dir-ttl; an unknown id
// is remembered as missing for as long.
func (c *Catalog) Entity(ctx context.Context, kind client.Kind, id string) (*Entity, error) {
	key := entityKey{Kind: kind, ID: id}
	e, err := fetchOrStale(ctx, c, c.entities, key, func(ctx context.Context) (*Entity, time.Duration, error) {
		start := c.o.Now()
		e, err := c.fetchEntity(ctx, kind, id)
		if err != nil {
			return nil, 0, rememberMissing(c, c.entities, key, err, start)
		}
		return e, c.o.DirTTL, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return e, nil
}

// fetchEntity reads one entity of a kind other than WorkItem with the
// children its folder shows.
func (c *Catalog) fetchEntity(ctx context.Context, kind client.Kind, id string) (*Entity, error) {
	tags := client.Query{Children: []string{"Tags"}}
	switch kind {
	case client.KindSuite:
		x, err := c.c.GetSuite(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return &Entity{Kind: kind, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
			Created: x.DateCreated.Time, Modified: x.LastModified.Time, Tags: x.Tags}, nil
	case client.KindExperiment:
		x, err := c.c.GetExperiment(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return &Entity{Kind: kind, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
			Created: x.DateCreated.Time, Modified: x.LastModified.Time, SuiteID: x.SuiteID, Tags: x.Tags}, nil
	case client.KindSimulation:
		x, err := c.c.GetSimulation(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return &Entity{Kind: kind, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
			Created: x.DateCreated.Time, Modified: x.LastModified.Time, ExperimentID: x.ExperimentID,
			State: string(x.State), ErrorMessage: x.ErrorMessage, Tags: x.Tags}, nil
	case client.KindAssetCollection:
		x, err := c.c.GetAssetCollection(ctx, id, client.Query{Children: []string{"Tags", "Assets"}})
		if err != nil {
			return nil, err
		}
		return &Entity{Kind: kind, ID: x.ID, Created: x.DateCreated.Time, Tags: x.Tags, Assets: x.Assets}, nil
	}
	return nil, fmt.Errorf("no entity folder for kind %q", kind)
}

// OutputsOwner is what an entity's outputs take from the entity itself:
// whether it is final (its outputs never change again) and its
// last_modified, the outputs' mtime (the server gives no per-file time).
type OutputsOwner struct {
	Final    bool
	Modified time.Time
}

// simulationFinal reports whether a simulation's state is one it never
// leaves: Succeeded, Failed or Canceled.
func simulationFinal(s client.SimulationState) bool {
	return s == client.SimSucceeded || s == client.SimFailed || s == client.SimCanceled
}

// OutputsOwner returns the finality and last_modified of the work item or
// simulation whose outputs these are. A work item's come from the work item
// cache; a simulation's are kept without expiry once final, --attr-ttl
// before.
func (c *Catalog) OutputsOwner(ctx context.Context, kind client.Kind, id string) (OutputsOwner, error) {
	switch kind {
	case client.KindWorkItem:
		wi, err := c.WorkItem(ctx, id)
		if err != nil {
			return OutputsOwner{}, err
		}
		return OutputsOwner{Final: wi.State.Final(), Modified: wi.LastModified.Time}, nil
	case client.KindSimulation:
		key := entityKey{Kind: kind, ID: id}
		o, err := fetchOrStale(ctx, c, c.owners, key, func(ctx context.Context) (OutputsOwner, time.Duration, error) {
			start := c.o.Now()
			sim, err := c.c.GetSimulation(ctx, id, client.Query{})
			if err != nil {
				return OutputsOwner{}, 0, rememberMissing(c, c.owners, key, err, start)
			}
			o := OutputsOwner{Final: simulationFinal(sim.State), Modified: sim.LastModified.Time}
			ttl := c.o.AttrTTL
			if o.Final {
				ttl = cache.Forever
			}
			return o, ttl, nil
		})
		if err != nil {
			return OutputsOwner{}, fmt.Errorf("simulation %s: %w", id, err)
		}
		return o, nil
	}
	return OutputsOwner{}, fmt.Errorf("%s %s: has no outputs", kind, id)
}

// Outputs lists an entity's output files; a final entity's listing never
// expires, others' last --attr-ttl.
func (c *Catalog) Outputs(ctx context.Context, kind client.Kind, id string, final bool) ([]client.OutputFile, error) {
	files, err := fetchOrStale(ctx, c, c.outputs, entityKey{Kind: kind, ID: id}, func(ctx context.Context) ([]client.OutputFile, time.Duration, error) {
		files, err := c.c.OutputFiles(ctx, kind, id)
		if err != nil {
			return nil, 0, err
		}
		ttl := c.o.AttrTTL
		if final {
			ttl = cache.Forever
		}
		return files, ttl, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list outputs of %s %s: %w", kind, id, err)
	}
	return files, nil
}
