package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// Entity is a suite, experiment, simulation or asset collection in the one
// shape its folder shows; fields a kind lacks stay empty. Tags are filled
// by Entity, not by EntityProps.
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

// Final reports whether the entity can no longer change, apart from its
// name, description and tags: a simulation in a final state, or an asset
// collection (immutable once saved, docs/protocol.md §8.3).
func (e *Entity) Final() bool {
	switch e.Kind {
	case client.KindSimulation:
		return client.SimulationState(e.State).Final()
	case client.KindAssetCollection:
		return true
	}
	return false
}

// unfinished reports an entity whose state can still change: a simulation
// in no final state.
func (e *Entity) unfinished() bool { return e.Kind == client.KindSimulation && !e.Final() }

// props is the entity without its tags.
func (e *Entity) props() *Entity {
	p := *e
	p.Tags = nil
	return &p
}

// propsTTL is how long an entity's properties may be reused: without
// expiry once final, --attr-ttl for an unfinished simulation, --dir-ttl for
// suites and experiments (whose last_modified moves). A later listing
// refreshes a final entity's name and description, as it does a work
// item's.
func (c *Catalog) propsTTL(e *Entity) time.Duration {
	switch {
	case e.Final():
		return cache.Forever
	case e.Kind == client.KindSimulation:
		return c.o.AttrTTL
	}
	return c.o.DirTTL
}

// detailTTL is how long an entity with its tags may be reused: tags change
// even on final entities, so --dir-ttl at most.
func (c *Catalog) detailTTL(e *Entity) time.Duration { return min(c.propsTTL(e), c.o.DirTTL) }

// EntityProps returns the properties of a suite, experiment, simulation or
// asset collection (an asset collection's with its assets), without tags,
// kept propsTTL; an unknown id is remembered as missing for --dir-ttl. A
// miss of a simulation that a listing holds unfinished may be answered by
// a refresh of that listing (refresh.go).
func (c *Catalog) EntityProps(ctx context.Context, kind client.Kind, id string) (*Entity, error) {
	key := entityKey{Kind: kind, ID: id}
	if kind == client.KindSimulation {
		c.simRefresh.noteRead(c, id)
	}
	e, err := fetchOrStale(ctx, c, c.entities, key, func(ctx context.Context) (*Entity, time.Duration, error) {
		if kind == client.KindSimulation {
			if e, ok := c.simRefresh.answer(ctx, c, id); ok {
				return e.props(), c.propsTTL(e), nil
			}
		}
		start := c.o.Now()
		e, err := c.fetchEntity(ctx, kind, id)
		if err != nil {
			return nil, 0, rememberMissing(c, c.entities, key, err, start)
		}
		c.entityDetails.Put(key, e, c.detailTTL(e), start)
		return e.props(), c.propsTTL(e), nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return e, nil
}

// Entity returns a suite, experiment, simulation or asset collection with
// its tags, kept detailTTL; the properties it brings fill EntityProps'
// cache too.
func (c *Catalog) Entity(ctx context.Context, kind client.Kind, id string) (*Entity, error) {
	key := entityKey{Kind: kind, ID: id}
	e, err := fetchOrStale(ctx, c, c.entityDetails, key, func(ctx context.Context) (*Entity, time.Duration, error) {
		start := c.o.Now()
		e, err := c.fetchEntity(ctx, kind, id)
		if err != nil {
			return nil, 0, rememberMissing(c, c.entityDetails, key, err, start)
		}
		c.entities.Put(key, e.props(), c.propsTTL(e), start)
		return e, c.detailTTL(e), nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return e, nil
}

// fetchEntity reads one entity of a kind other than WorkItem with its tags
// (and an asset collection's assets).
func (c *Catalog) fetchEntity(ctx context.Context, kind client.Kind, id string) (*Entity, error) {
	tags := client.Query{Children: []string{"Tags"}}
	switch kind {
	case client.KindSuite:
		x, err := c.c.GetSuite(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return suiteEntity(x), nil
	case client.KindExperiment:
		x, err := c.c.GetExperiment(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return experimentEntity(x), nil
	case client.KindSimulation:
		x, err := c.c.GetSimulation(ctx, id, tags)
		if err != nil {
			return nil, err
		}
		return simulationEntity(x), nil
	case client.KindAssetCollection:
		x, err := c.c.GetAssetCollection(ctx, id, client.Query{Children: []string{"Tags", "Assets"}})
		if err != nil {
			return nil, err
		}
		return &Entity{Kind: kind, ID: x.ID, Created: x.DateCreated.Time, Tags: x.Tags, Assets: x.Assets}, nil
	}
	return nil, fmt.Errorf("no entity folder for kind %q", kind)
}

// suiteEntity is a suite as its folder shows it.
func suiteEntity(x *client.Suite) *Entity {
	return &Entity{Kind: client.KindSuite, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
		Created: x.DateCreated.Time, Modified: x.LastModified.Time, Tags: x.Tags}
}

// experimentEntity is an experiment as its folder shows it.
func experimentEntity(x *client.Experiment) *Entity {
	return &Entity{Kind: client.KindExperiment, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
		Created: x.DateCreated.Time, Modified: x.LastModified.Time, SuiteID: x.SuiteID, Tags: x.Tags}
}

// simulationEntity is a simulation as its folder shows it.
func simulationEntity(x *client.Simulation) *Entity {
	return &Entity{Kind: client.KindSimulation, ID: x.ID, Name: x.Name, Description: x.Description, Owner: x.Owner,
		Created: x.DateCreated.Time, Modified: x.LastModified.Time, ExperimentID: x.ExperimentID,
		State: string(x.State), ErrorMessage: x.ErrorMessage, Tags: x.Tags}
}

// SimulationFiles returns a simulation's own files (config.json, ...),
// kept like its tags; the properties the answer brings fill EntityProps'
// cache too.
func (c *Catalog) SimulationFiles(ctx context.Context, id string) ([]client.WorkItemFile, error) {
	key := entityKey{Kind: client.KindSimulation, ID: id}
	files, err := fetchOrStale(ctx, c, c.simFiles, id, func(ctx context.Context) ([]client.WorkItemFile, time.Duration, error) {
		start := c.o.Now()
		sim, err := c.c.GetSimulation(ctx, id, client.Query{Children: []string{"Files"}})
		if err != nil {
			return nil, 0, rememberMissing(c, c.simFiles, id, err, start)
		}
		e := simulationEntity(sim)
		c.entities.Put(key, e, c.propsTTL(e), start)
		return sim.Files, c.detailTTL(e), nil
	})
	if err != nil {
		return nil, fmt.Errorf("files of simulation %s: %w", id, err)
	}
	return files, nil
}

// OutputsOwner is what an entity's outputs take from the entity itself:
// whether it is final (its outputs never change again) and its
// last_modified, the outputs' mtime (the server gives no per-file time).
type OutputsOwner struct {
	Final    bool
	Modified time.Time
}

// OutputsOwner returns the finality and last_modified of the work item or
// simulation whose outputs these are, from the work item's or simulation's
// properties.
func (c *Catalog) OutputsOwner(ctx context.Context, kind client.Kind, id string) (OutputsOwner, error) {
	switch kind {
	case client.KindWorkItem:
		wi, err := c.WorkItem(ctx, id)
		if err != nil {
			return OutputsOwner{}, err
		}
		return OutputsOwner{Final: wi.State.Final(), Modified: wi.LastModified.Time}, nil
	case client.KindSimulation:
		e, err := c.EntityProps(ctx, kind, id)
		if err != nil {
			return OutputsOwner{}, err
		}
		return OutputsOwner{Final: e.Final(), Modified: e.Mtime()}, nil
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

// KnownEntity returns what the catalog holds of an entity's properties,
// however old, without asking the server; ok is false when it holds
// nothing (or forgot it).
func (c *Catalog) KnownEntity(kind client.Kind, id string) (e *Entity, ok bool) {
	return c.entities.Stale(entityKey{Kind: kind, ID: id})
}
