package nodes

import (
	"slices"
	"testing"

	"github.com/compsfs/compsfs/client"
)

// TestAssetOutputsFollowRelativePaths: an asset collection's files land at
// RelativePath/FileName whichever separator COMPS used, and names that
// could lead outside assets/ are skipped as outputs' are.
func TestAssetOutputsFollowRelativePaths(t *testing.T) {
	assets := []client.AssetCollectionFile{
		{FileName: "model.sif", Length: 5},
		{FileName: "rain.bin", RelativePath: `inputs\climate`, Length: 3},
		{FileName: "temp.csv", RelativePath: `\inputs\climate\`, Length: 2},
		{FileName: "demo.json", RelativePath: "inputs/", Length: 1},
		{FileName: "passwd", RelativePath: `..\..\etc`, Length: 1},
		{FileName: "..", RelativePath: "inputs", Length: 1},
		{FileName: "x", RelativePath: `inputs\\climate`, Length: 1},
	}
	tree := buildOutputTree(assetOutputs(assets))
	for dir, want := range map[string][]string{
		"":               {"inputs", "model.sif"},
		"inputs":         {"climate", "demo.json"},
		"inputs/climate": {"rain.bin", "temp.csv"},
	} {
		entries, ok := tree.entries(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.name)
		}
		if !ok || !slices.Equal(names, want) {
			t.Errorf("assets/%s = %v (%v), want %v", dir, names, ok, want)
		}
	}
	if len(tree.skipped) != 3 {
		t.Errorf("skipped %v, want the three unsafe paths", tree.skipped)
	}
}
