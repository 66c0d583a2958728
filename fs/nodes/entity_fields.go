package nodes

import (
	"encoding/json"
	"fmt"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// entityField maps one metadata file of an entity folder to its value.
// Names are the official client's snake_case property names (docs/protocol.md §9).
type entityField struct {
	name  string
	value func(e *catalog.Entity) string
	// update is the change that writing value makes (name and
	// description of suites, experiments and simulations); nil for the
	// read-only fields.
	update func(value string) (client.EntityUpdate, error)
}

var (
	efName = entityField{"name", func(e *catalog.Entity) string { return e.Name }, func(v string) (client.EntityUpdate, error) {
		return client.EntityUpdate{Name: &v}, checkName(v)
	}}
	efDescription = entityField{"description", func(e *catalog.Entity) string { return e.Description },
		func(v string) (client.EntityUpdate, error) { return client.EntityUpdate{Description: &v}, nil }}
	efOwner        = entityField{"owner", func(e *catalog.Entity) string { return e.Owner }, nil}
	efDateCreated  = entityField{"date_created", func(e *catalog.Entity) string { return formatDate(e.Created) }, nil}
	efLastModified = entityField{"last_modified", func(e *catalog.Entity) string { return formatDate(e.Modified) }, nil}
)

// entityFields lists each kind's metadata files in listing order.
var entityFields = map[client.Kind][]entityField{
	client.KindSuite: {efName, efDescription, efOwner, efDateCreated, efLastModified},
	client.KindExperiment: {efName, efDescription, efOwner, efDateCreated, efLastModified,
		{"suite_id", func(e *catalog.Entity) string { return e.SuiteID }, nil}},
	client.KindSimulation: {efName, efDescription, efOwner, efDateCreated, efLastModified,
		{"experiment_id", func(e *catalog.Entity) string { return e.ExperimentID }, nil},
		{"state", func(e *catalog.Entity) string { return e.State }, nil},
		{"error_message", func(e *catalog.Entity) string { return e.ErrorMessage }, nil}},
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
func renderEntityJSON(e *catalog.Entity) ([]byte, error) {
	doc := map[string]any{"id": e.ID}
	for _, f := range entityFields[e.Kind] {
		doc[f.name] = f.value(e)
	}
	tags := map[string]any{}
	for k, v := range e.Tags {
		tags[k] = v
	}
	doc["tags"] = tags
	if e.Kind == client.KindAssetCollection {
		assets := []assetJSON{}
		for _, a := range e.Assets {
			assets = append(assets, assetJSON{FileName: a.FileName, RelativePath: a.RelativePath,
				MD5Checksum: a.MD5Checksum, Length: a.Length})
		}
		doc["assets"] = assets
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("metadata.json of %s %s: %w", e.Kind, e.ID, err)
	}
	return append(b, '\n'), nil
}
