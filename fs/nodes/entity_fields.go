package nodes

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/compsfs/compsfs/client"
)

// entity is a suite, experiment, simulation or asset collection in the one
// shape its folder shows; fields a kind lacks stay empty.
type entity struct {
	kind                         client.Kind
	id, name, description, owner string
	created, modified            time.Time
	suiteID, experimentID        string
	state, errorMessage          string // simulations only
	tags                         client.Tags
	assets                       []client.AssetCollectionFile
}

// entityOf reads a *client.Suite, *client.Experiment, *client.Simulation or
// *client.AssetCollection (as cached by the catalog) into an entity.
func entityOf(kind client.Kind, v any) (*entity, error) {
	switch x := v.(type) {
	case *client.Suite:
		return &entity{kind: kind, id: x.ID, name: x.Name, description: x.Description, owner: x.Owner,
			created: x.DateCreated.Time, modified: x.LastModified.Time, tags: x.Tags}, nil
	case *client.Experiment:
		return &entity{kind: kind, id: x.ID, name: x.Name, description: x.Description, owner: x.Owner,
			created: x.DateCreated.Time, modified: x.LastModified.Time, suiteID: x.SuiteID, tags: x.Tags}, nil
	case *client.Simulation:
		return &entity{kind: kind, id: x.ID, name: x.Name, description: x.Description, owner: x.Owner,
			created: x.DateCreated.Time, modified: x.LastModified.Time, experimentID: x.ExperimentID,
			state: string(x.State), errorMessage: x.ErrorMessage, tags: x.Tags}, nil
	case *client.AssetCollection:
		return &entity{kind: kind, id: x.ID, created: x.DateCreated.Time, tags: x.Tags, assets: x.Assets}, nil
	}
	return nil, fmt.Errorf("%s: unexpected cached value %T", kind, v)
}

// mtime is the folder's time: last_modified, or date_created for kinds
// without it.
func (e *entity) mtime() time.Time {
	if e.modified.IsZero() {
		return e.created
	}
	return e.modified
}

// entityField maps one metadata file of an entity folder to its value.
// Names are the official client's snake_case property names (docs/protocol.md §9).
type entityField struct {
	name  string
	value func(e *entity) string
}

var (
	efName         = entityField{"name", func(e *entity) string { return e.name }}
	efDescription  = entityField{"description", func(e *entity) string { return e.description }}
	efOwner        = entityField{"owner", func(e *entity) string { return e.owner }}
	efDateCreated  = entityField{"date_created", func(e *entity) string { return formatDate(e.created) }}
	efLastModified = entityField{"last_modified", func(e *entity) string { return formatDate(e.modified) }}
)

// entityFields lists each kind's metadata files in listing order.
var entityFields = map[client.Kind][]entityField{
	client.KindSuite: {efName, efDescription, efOwner, efDateCreated, efLastModified},
	client.KindExperiment: {efName, efDescription, efOwner, efDateCreated, efLastModified,
		{"suite_id", func(e *entity) string { return e.suiteID }}},
	client.KindSimulation: {efName, efDescription, efOwner, efDateCreated, efLastModified,
		{"experiment_id", func(e *entity) string { return e.experimentID }},
		{"state", func(e *entity) string { return e.state }},
		{"error_message", func(e *entity) string { return e.errorMessage }}},
	client.KindAssetCollection: {efDateCreated},
}

// assetJSON is one file of an asset collection in metadata.json.
type assetJSON struct {
	FileName     string `json:"file_name"`
	RelativePath string `json:"relative_path"`
	MD5Checksum  string `json:"md5_checksum"`
	Length       int64  `json:"length"`
}

// renderEntityJSON is an entity folder's metadata.json: the id, every
// metadata file's value under its name, the tags, and an asset collection's
// assets; indented, newline-ended, keys sorted.
func renderEntityJSON(e *entity) ([]byte, error) {
	doc := map[string]any{"id": e.id}
	for _, f := range entityFields[e.kind] {
		doc[f.name] = f.value(e)
	}
	tags := map[string]any{}
	for k, v := range e.tags {
		tags[k] = v
	}
	doc["tags"] = tags
	if e.kind == client.KindAssetCollection {
		assets := []assetJSON{}
		for _, a := range e.assets {
			assets = append(assets, assetJSON{FileName: a.FileName, RelativePath: a.RelativePath,
				MD5Checksum: a.MD5Checksum, Length: a.Length})
		}
		doc["assets"] = assets
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("metadata.json of %s %s: %w", e.kind, e.id, err)
	}
	return append(b, '\n'), nil
}
