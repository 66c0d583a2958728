package nodes

import (
	"context"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// The link folders of containment (docs/tree.md): a suite's experiments
// and an experiment's simulations by state, each a LinksDir whose links
// point at the entities' canonical folders (entity_paths.go).

// newSuiteExperimentsDir is suites/<id>/experiments/: a link
// <eid> → ../../../experiments/<eid> per experiment of the suite, whoever
// owns it.
func newSuiteExperimentsDir(m *Mount, suite string) gofs.InodeEmbedder {
	return &LinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: entityDirName(client.KindSuite) + "/" + suite + "/experiments",
		list: func(ctx context.Context) ([]string, error) { return m.cat.ListExperiments(ctx, suite) },
		has: func(ctx context.Context, id string) (bool, error) {
			e, err := m.cat.EntityProps(ctx, client.KindExperiment, id)
			return err == nil && canonicalOrEmpty(e.SuiteID) == suite, err
		},
		target: func(id string) []string { return entityPath(client.KindExperiment, id, "") }}
}

// newSimulationStateDir is experiments/<id>/by-state/<state>/: a link
// <sid> → ../../../../experiments/<id>/simulations/<sid> per simulation of
// the experiment in that state. A lookup asks the simulation itself
// (answered from the cache a listing filled).
func newSimulationStateDir(m *Mount, experiment string, state client.SimulationState) *LinksDir {
	return &LinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}},
		path: entityDirName(client.KindExperiment) + "/" + experiment + "/by-state/" + string(state),
		list: func(ctx context.Context) ([]string, error) {
			return m.cat.ListSimulationsByState(ctx, experiment, state)
		},
		has: func(ctx context.Context, id string) (bool, error) {
			e, err := m.cat.EntityProps(ctx, client.KindSimulation, id)
			return err == nil && canonicalOrEmpty(e.ExperimentID) == experiment && e.State == string(state), err
		},
		target: func(id string) []string { return entityPath(client.KindSimulation, id, experiment) }}
}

// newSimulationQueryResultDir is experiments/<id>/query/<criteria>/: the
// experiment's simulations that match.
func newSimulationQueryResultDir(m *Mount, experiment, path string, cr catalog.Criteria) *LinksDir {
	return newListedLinksDir(m, path, func(id string) []string { return entityPath(client.KindSimulation, id, experiment) },
		func(ctx context.Context) ([]string, error) { return m.cat.ListSimulationQuery(ctx, experiment, cr) })
}
