package nodes

import (
	"context"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// entityChild is one entry of an entity folder: its name and mode, whether
// the entity has it (nil: always), and how to make its node.
type entityChild struct {
	name string
	mode uint32
	has  func(d *EntityDir, e *catalog.Entity) bool
	make func(d *EntityDir, e *catalog.Entity) gofs.InodeEmbedder
}

// entityChildren lists a kind's folder entries in listing order
// (docs/tree.md): the metadata files, summary, metadata.json, tags/ and
// relations/ of every kind, then a suite's experiments/; an experiment's
// suite link, simulations/, by-state/ and query/; a simulation's experiment
// link, files/ and outputs/; an asset collection's assets/.
func entityChildren(kind client.Kind) []entityChild {
	var cs []entityChild
	for _, f := range entityFields[kind] {
		mode := uint32(modeFile)
		if f.update != nil {
			mode = modeWritableFile
		}
		cs = append(cs, entityChild{f.name, mode, nil, func(d *EntityDir, _ *catalog.Entity) gofs.InodeEmbedder {
			return d.fieldFile(f)
		}})
	}
	cs = append(cs,
		entityChild{"summary", modeFile, nil, (*EntityDir).summaryFile},
		entityChild{"metadata.json", modeFile, nil, (*EntityDir).metadataJSONFile},
		subfolder("tags", modeWritableDir, func(d *EntityDir) gofs.InodeEmbedder { return newTagsDir(d.m, d.kind, d.id) }),
		subfolder("relations", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newRelationsDir(d.m, d.kind, d.id, d.path) }),
	)
	switch kind {
	case client.KindSuite:
		cs = append(cs, subfolder("experiments", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newSuiteExperimentsDir(d.m, d.id) }))
	case client.KindExperiment:
		cs = append(cs,
			upLink("suite", client.KindSuite, func(e *catalog.Entity) string { return e.SuiteID }),
			subfolder("simulations", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newSimulationsDir(d.m, d.id) }),
			subfolder("by-state", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newSimulationStatesDir(d.m, d.id) }),
			subfolder("query", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newSimulationQueryDir(d.m, d.id) }),
		)
	case client.KindSimulation:
		cs = append(cs,
			upLink("experiment", client.KindExperiment, func(e *catalog.Entity) string { return e.ExperimentID }),
			subfolder("files", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newSimulationFilesDir(d.m, d.id) }),
			subfolder("outputs", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newOutputsDir(d.m, client.KindSimulation, d.id) }),
		)
	case client.KindAssetCollection:
		cs = append(cs, subfolder("assets", modeDir, func(d *EntityDir) gofs.InodeEmbedder { return newAssetsDir(d.m, d.id) }))
	}
	return cs
}

// subfolder is an entry every entity of the kind has, made from the entity
// folder alone.
func subfolder(name string, mode uint32, make func(d *EntityDir) gofs.InodeEmbedder) entityChild {
	return entityChild{name, mode, nil, func(d *EntityDir, _ *catalog.Entity) gofs.InodeEmbedder { return make(d) }}
}

// upLink is the symlink name to the canonical folder of the entity of kind
// whose id parent gives (the suite of an experiment, the experiment of a
// simulation); there is none when the entity has no such parent.
func upLink(name string, kind client.Kind, parent func(e *catalog.Entity) string) entityChild {
	return entityChild{name, modeSymlink,
		func(_ *EntityDir, e *catalog.Entity) bool { return canonicalOrEmpty(parent(e)) != "" },
		func(d *EntityDir, e *catalog.Entity) gofs.InodeEmbedder {
			return newEntityLink(d.m, rootLink(len(d.path), entityPath(kind, canonicalOrEmpty(parent(e)), "")...))
		}}
}

// fieldFile is the file of one metadata field; name and description are
// written through it (docs/writing.md).
func (d *EntityDir) fieldFile(f entityField) gofs.InodeEmbedder {
	render := func(ctx context.Context) (text, error) {
		e, err := d.m.cat.EntityProps(ctx, d.kind, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: fileLine(f.value(e)), mtime: e.Mtime(), final: e.Final() && f.update == nil}, nil
	}
	return newFieldFile(d.m, d.ino(f.name), f.name, render, f.update, func(ctx context.Context, u client.EntityUpdate) error {
		return d.m.cat.UpdateEntity(ctx, d.kind, d.id, u)
	})
}

// summaryFile is the human summary; its ages change, so it is never cached.
func (d *EntityDir) summaryFile(*catalog.Entity) gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		e, err := d.m.cat.EntityProps(ctx, d.kind, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: renderEntitySummary(e, d.m.cfg.Now()), mtime: e.Mtime(), volatile: true}, nil
	})
}

// metadataJSONFile is metadata.json, from the entity with its tags.
func (d *EntityDir) metadataJSONFile(*catalog.Entity) gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		e, err := d.m.cat.Entity(ctx, d.kind, d.id)
		if err != nil {
			return text{}, err
		}
		b, err := renderEntityJSON(e)
		return text{data: b, mtime: e.Mtime()}, err
	})
}
