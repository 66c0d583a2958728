package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxZipBytes is the official client's bound on the files of one zip
// (§7.4, §8.3): 1 GiB.
const maxZipBytes = 1 << 30

// DownloadZip streams one zip archive of output files of a work item or
// simulation, named by their paths from the working directory's root.
// POST /asset/<Kind>s/{id}/Output?zip=1 with {"ContainerType":
// "CompressedZip", "Ids": [...]}, then GET the Url of the one resource
// answered (§7.4). files are entries of OutputFiles; like the official
// client it refuses more than 1 GiB of them.
func (c *Client) DownloadZip(ctx context.Context, kind Kind, id string, files []OutputFile) (io.ReadCloser, error) {
	id, err := CanonicalID(id)
	if err != nil {
		return nil, err
	}
	if kind != KindWorkItem && kind != KindSimulation {
		return nil, fmt.Errorf("zip outputs: %s has no outputs", kind)
	}
	var total int64
	ids := make([]string, len(files))
	for i, f := range files {
		total += f.Length
		ids[i] = f.ID
	}
	if total > maxZipBytes {
		return nil, fmt.Errorf("zip outputs of %s %s: %d bytes of files, more than the 1 GiB a zip may hold", kind, id, total)
	}
	body := struct {
		ContainerType string   `json:"ContainerType"`
		Ids           []string `json:"Ids"`
	}{"CompressedZip", ids}
	path := "asset/" + kind.Plural() + "/" + id + "/Output"
	return c.downloadZip(ctx, path, url.Values{"zip": {"1"}}, body)
}

// DownloadAssetsZip streams one zip archive of asset collection files,
// named by their folder and name. POST /api/ZipAssets with {"ContainerType":
// "CompressedZip", "Assets": [{"FileNameForAsset", "MD5"}]}, then GET the
// Url of the one resource answered (§8.3). Like the official client it
// refuses more than 1 GiB of files.
func (c *Client) DownloadAssetsZip(ctx context.Context, assets []AssetCollectionFile) (io.ReadCloser, error) {
	type entry struct {
		FileNameForAsset string `json:"FileNameForAsset"`
		MD5              string `json:"MD5"`
	}
	var total int64
	entries := make([]entry, len(assets))
	for i, a := range assets {
		total += a.Length
		name := a.FileName
		if a.RelativePath != "" {
			name = strings.ReplaceAll(strings.TrimRight(a.RelativePath, `/\`), "/", `\`) + `\` + a.FileName
		}
		entries[i] = entry{FileNameForAsset: name, MD5: a.MD5Checksum}
	}
	if total > maxZipBytes {
		return nil, fmt.Errorf("zip assets: %d bytes of files, more than the 1 GiB a zip may hold", total)
	}
	return c.downloadZip(ctx, "ZipAssets", nil, struct {
		ContainerType string  `json:"ContainerType"`
		Assets        []entry `json:"Assets"`
	}{"CompressedZip", entries})
}

// downloadZip asks for a zip and streams the archive from the Url of the
// one resource of the answer.
func (c *Client) downloadZip(ctx context.Context, path string, q url.Values, body any) (io.ReadCloser, error) {
	js, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("zip request: %w", err)
	}
	var answer struct {
		Resources []OutputFile `json:"Resources"`
	}
	if _, err := c.call(ctx, &request{method: http.MethodPost, path: path, query: q, body: js}, &answer); err != nil {
		return nil, fmt.Errorf("zip request: %w", err)
	}
	if len(answer.Resources) != 1 || answer.Resources[0].URL == "" {
		return nil, fmt.Errorf("zip request: POST %s: %w: %d resources", path, ErrMalformed, len(answer.Resources))
	}
	rc, err := c.Download(ctx, answer.Resources[0].URL, 0, -1)
	if err != nil {
		return nil, fmt.Errorf("zip download: %w", err)
	}
	return rc, nil
}
