package nodes

import (
	"context"
	"strings"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// assets/ of an asset collection is an OutputsDir over the collection's
// files: each at its RelativePath (COMPS separates folders with "\" in
// practice; both separators are read as folders) and FileName, sized from
// the collection's listing and read lazily through the content cache by
// md5 (docs/caching.md), so that bytes an output shares with an asset are
// fetched once. Names that could lead outside the folder are skipped and
// logged, as outputs' are. A collection never changes once saved: its
// files are final.

// newAssetsDir makes the assets/ folder of asset collection id.
func newAssetsDir(m *Mount, id string) gofs.InodeEmbedder {
	kind := client.KindAssetCollection
	var conv derived[client.AssetCollectionFile, []client.OutputFile]
	set := &outputSet{m: m, kind: kind, id: id, folder: "assets", fileType: "AssetCollectionFile",
		owner: func(ctx context.Context) (catalog.OutputsOwner, error) {
			e, err := m.cat.EntityProps(ctx, kind, id)
			if err != nil {
				return catalog.OutputsOwner{}, err
			}
			return catalog.OutputsOwner{Final: e.Final(), Modified: e.Mtime()}, nil
		},
		files: func(ctx context.Context, _ catalog.OutputsOwner) ([]client.OutputFile, error) {
			e, err := m.cat.EntityProps(ctx, kind, id)
			if err != nil {
				return nil, err
			}
			return conv.get(e.Assets, assetOutputs), nil
		}}
	return &OutputsDir{fixedEntries: fixedEntries{nodeDefaults{m}}, set: set}
}

// assetOutputs describes an asset collection's files as output files: the
// path RelativePath/FileName with "\" read as "/" (and no separator at
// either end of RelativePath), the download URL Uri, the md5.
func assetOutputs(assets []client.AssetCollectionFile) []client.OutputFile {
	out := make([]client.OutputFile, len(assets))
	for i, a := range assets {
		rel := strings.Trim(strings.ReplaceAll(a.RelativePath, `\`, "/"), "/")
		out[i] = client.OutputFile{FriendlyName: a.FileName, PathFromRoot: rel, Length: a.Length, URL: a.URI, MD5: a.MD5Checksum}
	}
	return out
}
