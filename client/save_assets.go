package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// Asset-collection save limits of the official client (§8.3).
const (
	maxFilesPerAssetSave = 100
	maxAssetSaveBytes    = 407552 << 10 // 398 MiB
)

// AssetUpload is a file of a new asset collection: its bytes (File's
// FileName, MD5 and Size; FileType and Description are not sent), the
// folder it goes in and its own tags.
type AssetUpload struct {
	File FileUpload
	// RelativePath is the folder inside the collection, "" for the top
	// (the official client sends "\"-separated folders).
	RelativePath string
	Tags         Tags
}

// NewAssetCollection is an asset collection to create (§8.3).
type NewAssetCollection struct {
	Tags   Tags
	Assets []AssetUpload
}

// newAssetJSON is an asset as the save carries it.
type newAssetJSON struct {
	FileName     string `json:"FileName"`
	RelativePath string `json:"RelativePath"`
	MD5Checksum  string `json:"MD5Checksum"`
	Tags         Tags   `json:"Tags,omitempty"`
}

// SaveAssetCollection creates an asset collection with its files and
// returns its id. POST /api/AssetCollections, multipart with the entity part
// named AssetCollections (§8.3): files over 10 MiB go first through the
// chunked upload, files the server holds are referenced by md5, and when the
// others exceed 100 files or 398 MiB, the first requests carry only files
// (entity part []) and the last one the collection.
func (c *Client) SaveAssetCollection(ctx context.Context, ac NewAssetCollection) (string, error) {
	files := make([]FileUpload, len(ac.Assets))
	assets := make([]newAssetJSON, len(ac.Assets))
	for i, a := range ac.Assets {
		files[i] = a.File
		u, err := MD5ToUUID(a.File.MD5)
		if err != nil {
			return "", fmt.Errorf("save asset collection: asset %s: %w", a.File.FileName, err)
		}
		assets[i] = newAssetJSON{FileName: a.File.FileName, RelativePath: a.RelativePath, MD5Checksum: u, Tags: a.Tags}
	}
	if err := validateFiles(files); err != nil {
		return "", fmt.Errorf("save asset collection: %w", err)
	}
	js, err := json.Marshal(struct {
		Tags   Tags           `json:"Tags,omitempty"`
		Assets []newAssetJSON `json:"Assets"`
	}{ac.Tags, assets})
	if err != nil {
		return "", fmt.Errorf("save asset collection: %w", err)
	}
	if err := c.prepareFiles(ctx, files); err != nil {
		return "", fmt.Errorf("save asset collection: %w", err)
	}
	cur := newSaveBatch()
	for _, f := range files {
		_, grow := c.filesToSend(cur, []FileUpload{f}, -2)
		if grow == 0 {
			continue // known, large (uploaded) or already in this request
		}
		if len(cur.order) == maxFilesPerAssetSave || cur.size+grow > maxAssetSaveBytes {
			if _, err := c.postBatch(ctx, cur, "AssetCollections"); err != nil {
				return "", fmt.Errorf("save asset collection: files before the collection: %w", err)
			}
			cur = newSaveBatch()
		}
		cur.add(f)
		cur.size += grow
	}
	cur.objects = [][]byte{js}
	for _, f := range files {
		cur.files[f.MD5] = f
	}
	ids, err := c.postBatch(ctx, cur, "AssetCollections")
	if err != nil {
		return "", fmt.Errorf("save asset collection: %w", err)
	}
	return ids[0], nil
}
