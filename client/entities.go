package client

import (
	"context"
	"iter"
)

// GetSuite fetches a suite by id. GET /api/Suites/{id} (§9).
func (c *Client) GetSuite(ctx context.Context, id string, q Query) (*Suite, error) {
	return getOne[Suite](ctx, c, KindSuite, id, q)
}

// GetExperiment fetches an experiment by id. GET /api/Experiments/{id} (§9).
func (c *Client) GetExperiment(ctx context.Context, id string, q Query) (*Experiment, error) {
	return getOne[Experiment](ctx, c, KindExperiment, id, q)
}

// GetSimulation fetches a simulation by id. GET /api/Simulations/{id} (§9).
func (c *Client) GetSimulation(ctx context.Context, id string, q Query) (*Simulation, error) {
	return getOne[Simulation](ctx, c, KindSimulation, id, q)
}

// GetAssetCollection fetches an asset collection by id; ask for
// Children{"Assets","Tags"} to get its files. GET /api/AssetCollections/{id} (§8.3).
func (c *Client) GetAssetCollection(ctx context.Context, id string, q Query) (*AssetCollection, error) {
	return getOne[AssetCollection](ctx, c, KindAssetCollection, id, q)
}

// Suites yields the suites matching q, page by page. GET /api/Suites (§9).
func (c *Client) Suites(ctx context.Context, q Query) iter.Seq2[Suite, error] {
	return queryPages[Suite](ctx, c, "Suites", "Suites", q)
}

// Experiments yields the experiments matching q, page by page; a suite's are
// Filters{"SuiteId=<id>"}. GET /api/Experiments (§9).
func (c *Client) Experiments(ctx context.Context, q Query) iter.Seq2[Experiment, error] {
	return queryPages[Experiment](ctx, c, "Experiments", "Experiments", q)
}

// Simulations yields the simulations matching q, page by page; an
// experiment's are Filters{"ExperimentId=<id>"}. GET /api/Simulations (§9).
func (c *Client) Simulations(ctx context.Context, q Query) iter.Seq2[Simulation, error] {
	return queryPages[Simulation](ctx, c, "Simulations", "Simulations", q)
}

// AssetCollections yields the asset collections matching q, page by page.
// GET /api/AssetCollections (§8.3).
func (c *Client) AssetCollections(ctx context.Context, q Query) iter.Seq2[AssetCollection, error] {
	return queryPages[AssetCollection](ctx, c, "AssetCollections", "AssetCollections", q)
}
