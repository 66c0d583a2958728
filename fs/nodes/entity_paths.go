package nodes

import (
	"strings"

	"github.com/compsfs/compsfs/client"
)

// One folder per entity (docs/tree.md): every entity has one canonical
// folder, a real folder whose inode number comes from the entity's kind and
// id alone (so that `find -L` recognises a link back to a folder it is
// already in); every other place the entity appears is a relative symlink
// to it, which resolves wherever the mount is.
//
//   - A simulation of an experiment lives in
//     experiments/<eid>/simulations/<sid>/, so that find, grep -r and du
//     walk an experiment's simulations without following links;
//     simulations/<sid> is a symlink to it (a real folder only for a
//     simulation without an experiment).
//   - Suites, experiments, asset collections and work items live in
//     <kind>s/<id>/; suites/<id>/experiments/<eid> is a symlink to
//     experiments/<eid>.
//   - The ways up (experiments/<id>/suite, a simulation's experiment, a
//     work item's assets), by-state/ entries and relations/ entries are
//     symlinks.

// entityIno is the inode number of an entity's canonical folder.
func entityIno(kind client.Kind, id string) uint64 { return inoOf("entity", string(kind), id) }

// entityPath is the canonical folder of an entity, as names from the root;
// experimentID is a simulation's experiment ("" when it has none).
func entityPath(kind client.Kind, id, experimentID string) []string {
	if kind == client.KindSimulation && experimentID != "" {
		return []string{entityDirName(client.KindExperiment), experimentID, "simulations", id}
	}
	return []string{entityDirName(kind), id}
}

// canonicalOrEmpty is an id from the server in canonical form, or "" when
// it is not a UUID (and must never become a path).
func canonicalOrEmpty(id string) string {
	c, err := client.CanonicalID(id)
	if err != nil {
		return ""
	}
	return c
}

// rootLink is the relative symlink target, from a folder depth levels
// below the root, of the path given as names from the root.
func rootLink(depth int, path ...string) string {
	return strings.Repeat("../", depth) + strings.Join(path, "/")
}

// knownEntityPath is an entity's canonical folder as far as the catalog
// knows without asking the server: a simulation whose experiment it does
// not know is taken to be at simulations/<id>.
func (m *Mount) knownEntityPath(kind client.Kind, id string) []string {
	if kind == client.KindSimulation {
		if e, ok := m.cat.KnownEntity(kind, id); ok {
			return entityPath(kind, id, canonicalOrEmpty(e.ExperimentID))
		}
	}
	return entityPath(kind, id, "")
}
