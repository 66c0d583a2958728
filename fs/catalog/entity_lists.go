package catalog

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/compsfs/compsfs/client"
)

// Listings of suites, experiments and simulations (docs/tree.md): each is
// one paged query asking for the entities with their tags, whose answer
// fills both entity caches, so that the metadata files, tags/ and the
// folders' attributes of every listed entity cost no further request.

// ListEntities lists suites/ or experiments/: the user's suites or
// experiments (everyone's with AllOwners), oldest first.
func (c *Catalog) ListEntities(ctx context.Context, kind client.Kind) ([]string, error) {
	return c.listEntities(ctx, listingKey{Kind: kind}, c.mine(client.Query{}), nil)
}

// ListExperiments lists the experiments of a suite, whoever owns them,
// oldest first.
func (c *Catalog) ListExperiments(ctx context.Context, suiteID string) ([]string, error) {
	key := listingKey{Kind: client.KindExperiment, Parent: suiteID}
	return c.listEntities(ctx, key, client.Query{Filters: []string{"SuiteId=" + suiteID}}, nil)
}

// ListSimulations lists the simulations of an experiment, oldest first.
// Its unfinished simulations are remembered, to be refreshed together once
// their entries expire.
func (c *Catalog) ListSimulations(ctx context.Context, experimentID string) ([]string, error) {
	key := listingKey{Kind: client.KindSimulation, Parent: experimentID}
	q := client.Query{Filters: []string{"ExperimentId=" + experimentID}}
	return c.listEntities(ctx, key, q, notFinalSimulationFilters)
}

// ListSimulationsByState lists the simulations of an experiment in one
// state, oldest first.
func (c *Catalog) ListSimulationsByState(ctx context.Context, experimentID string, state client.SimulationState) ([]string, error) {
	key := listingKey{Kind: client.KindSimulation, Parent: experimentID, State: string(state)}
	q := client.Query{Filters: []string{"ExperimentId=" + experimentID, "SimulationState=" + string(state)}}
	return c.listEntities(ctx, key, q, nil)
}

// listEntities lists entities of key.Kind with q under key (see list);
// refreshes of its unfinished simulations add refreshFilters to q.
func (c *Catalog) listEntities(ctx context.Context, key listingKey, q client.Query, refreshFilters []string) ([]string, error) {
	run := func(ctx context.Context, q client.Query, start time.Time, keep func(string, *Entity)) error {
		return c.queryEntities(ctx, key.Kind, q, start, keep)
	}
	return list(ctx, c, listing[*Entity]{key: key, query: q, run: run, unfinished: (*Entity).unfinished,
		refresh: &c.simRefresh, refreshFilters: refreshFilters})
}

// queryEntities runs a query of suites, experiments or simulations with
// their tags, caching each (properties and details) as asked for at start,
// and passes each to keep.
func (c *Catalog) queryEntities(ctx context.Context, kind client.Kind, q client.Query, start time.Time, keep func(string, *Entity)) error {
	q.Children = []string{"Tags"}
	kept := func(e *Entity) {
		if id, ok := c.keepEntity(e, start); ok {
			keep(id, e)
		}
	}
	switch kind {
	case client.KindSuite:
		return eachEntity(c.c.Suites(ctx, q), suiteEntity, kept)
	case client.KindExperiment:
		return eachEntity(c.c.Experiments(ctx, q), experimentEntity, kept)
	case client.KindSimulation:
		return eachEntity(c.c.Simulations(ctx, q), simulationEntity, kept)
	}
	return fmt.Errorf("no listing of %s", kind)
}

// eachEntity passes each entity a query yields, as an Entity, to keep.
func eachEntity[T any](seq iter.Seq2[T, error], entity func(*T) *Entity, keep func(*Entity)) error {
	for x, err := range seq {
		if err != nil {
			return err
		}
		keep(entity(&x))
	}
	return nil
}

// keepEntity caches an entity (with its tags) a query asked for at start
// brought, under its canonical id; ok is false (and the entity skipped)
// when its id is not a UUID.
func (c *Catalog) keepEntity(e *Entity, start time.Time) (id string, ok bool) {
	id, err := client.CanonicalID(e.ID)
	if err != nil {
		c.log.Warn("skipping an entity with a bad id", "kind", e.Kind, "id", e.ID)
		return "", false
	}
	e.ID = id
	key := entityKey{Kind: e.Kind, ID: id}
	c.entities.Put(key, e.props(), c.propsTTL(e), start)
	c.entityDetails.Put(key, e, c.detailTTL(e), start)
	return id, true
}

// ListSimulationQuery lists the simulations of an experiment that match
// criteria (ParseSimulationCriteria), in the order they ask for (oldest
// first by default), whoever owns them.
func (c *Catalog) ListSimulationQuery(ctx context.Context, experimentID string, cr Criteria) ([]string, error) {
	key := listingKey{Kind: client.KindSimulation, Parent: experimentID, Query: cr.Text}
	q := client.Query{Filters: append([]string{"ExperimentId=" + experimentID}, cr.Filters...),
		TagFilters: cr.TagFilters, OrderBy: cr.OrderBy, Count: cr.Limit}
	c.rememberQuery(key)
	return c.listEntities(ctx, key, q, notFinalSimulationFilters)
}
