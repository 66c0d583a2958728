package nodes

import (
	"encoding/json"

	"github.com/compsfs/compsfs/client"
)

// metadataFile is one of a work item's own files in metadata.json.
type metadataFile struct {
	FileName    string `json:"file_name"`
	FileType    string `json:"file_type"`
	Description string `json:"description"`
	MD5Checksum string `json:"md5_checksum"`
	Length      int64  `json:"length"`
}

// renderMetadataJSON is metadata.json: every metadata file's value under its
// file name (id added), plus tags, files and plugins, indented, newline-ended.
func renderMetadataJSON(wi *client.WorkItem) ([]byte, error) {
	doc := map[string]any{"id": wi.ID}
	for _, f := range workItemFields {
		doc[f.name] = f.value(wi)
	}
	doc["working_directory_size"] = wi.WorkingDirectorySize
	tags := map[string]any{}
	for k, v := range wi.Tags {
		tags[k] = v
	}
	doc["tags"] = tags
	files := []metadataFile{}
	for _, f := range wi.Files {
		files = append(files, metadataFile{FileName: f.FileName, FileType: f.FileType, Description: f.Description,
			MD5Checksum: f.MD5Checksum, Length: f.Length})
	}
	doc["files"] = files
	plugins := []string{}
	for _, p := range wi.Plugins {
		plugins = append(plugins, p.String())
	}
	doc["plugins"] = plugins
	b, err := json.MarshalIndent(doc, "", "  ") // map keys are sorted: deterministic
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// renderPlugins is the plugins file: one "name version" a line.
func renderPlugins(wi *client.WorkItem) []byte {
	var b []byte
	for _, p := range wi.Plugins {
		b = append(b, p.String()+"\n"...)
	}
	return b
}
