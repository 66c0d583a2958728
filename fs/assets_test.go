package fs_test

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// assetFiles are the files of the test's asset collection by path.
var assetFiles = map[string][]byte{
	"README.txt":                  []byte("climate inputs\n"),
	"inputs/climate/rain.bin":     randomBytes(3, 300_000),
	"inputs/climate/temp.csv":     []byte("day,temp\n1,21.5\n"),
	"inputs/climate/empty.marker": {},
	"inputs/demographics.json":    []byte(`{"nodes": 4}`),
}

// saveAssetCollection saves assetFiles through the client as the official
// client does (folders "\"-separated in RelativePath) and returns the
// collection's id.
func saveAssetCollection(t *testing.T, c *client.Client) string {
	t.Helper()
	var assets []client.AssetUpload
	for _, p := range slices.Sorted(maps.Keys(assetFiles)) {
		dir, name := path.Split(p)
		assets = append(assets, client.AssetUpload{File: client.FileFromBytes(name, "", assetFiles[p]),
			RelativePath: strings.ReplaceAll(strings.TrimSuffix(dir, "/"), "/", `\`)})
	}
	id, err := c.SaveAssetCollection(context.Background(), client.NewAssetCollection{Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAssetsAreTheCollectionsFiles: assets/ is the collection's file tree
// by relative path, byte for byte, and behaves as a file system.
func TestAssetsAreTheCollectionsFiles(t *testing.T) {
	e := newEnv(t, nil)
	id := saveAssetCollection(t, e.client)
	ac, err := e.client.GetAssetCollection(context.Background(), id, client.Query{Children: []string{"Assets"}})
	if err != nil || !slices.ContainsFunc(ac.Assets, func(a client.AssetCollectionFile) bool {
		return a.RelativePath == `inputs\climate`
	}) {
		t.Fatalf("the collection as the server has it: %+v, %v; want backslashed folders", ac, err)
	}
	fsys := os.DirFS(e.path("assetcollections", id, "assets"))
	if err := fstest.TestFS(fsys, slices.Sorted(maps.Keys(assetFiles))...); err != nil {
		t.Fatal(err)
	}
	for p, data := range assetFiles {
		got, err := fs.ReadFile(fsys, p)
		if err != nil || string(got) != string(data) {
			t.Errorf("assets/%s: %d bytes (%v), want %d", p, len(got), err, len(data))
		}
	}
	if got := e.names("assetcollections", id, "assets", "inputs"); !slices.Equal(got, []string{"climate", "demographics.json"}) {
		t.Errorf("assets/inputs/ = %v", got)
	}
	buf := make([]byte, 256)
	n, err := unix.Getxattr(e.path("assetcollections", id, "assets", "inputs", "climate", "temp.csv"), "user.comps.type", buf)
	if err != nil || string(buf[:n]) != "AssetCollectionFile" {
		t.Errorf("user.comps.type of an asset = %q, %v", buf[:max(n, 0)], err)
	}
}

// TestBytesSharedByAnAssetAndAnOutputAreFetchedOnce: the content cache
// keys bytes by md5, so an output with an asset's bytes is read from what
// reading the asset fetched.
func TestBytesSharedByAnAssetAndAnOutputAreFetchedOnce(t *testing.T) {
	shared := assetFiles["inputs/climate/rain.bin"]
	var sim string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var err error
		sim, err = s.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "copies its input", SimulationState: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "inputs/rain.bin", Data: shared}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	id := saveAssetCollection(t, e.client)
	e.srv.ResetStats()
	if got := e.read("assetcollections", id, "assets", "inputs", "climate", "rain.bin"); got != string(shared) {
		t.Fatalf("the asset: %d bytes, want %d", len(got), len(shared))
	}
	if got := e.read("simulations", sim, "outputs", "inputs", "rain.bin"); got != string(shared) {
		t.Fatalf("the output: %d bytes, want %d", len(got), len(shared))
	}
	st := e.srv.Stats()
	assets, outputs := st.Requests["GET /asset/AssetCollections/{id}/Assets/{path...}"], st.Requests["GET /asset/Simulations/{id}/Output/{path...}"]
	t.Logf("a %d-byte file read as an asset and as an output: %d asset downloads, %d output downloads, %d bytes sent",
		len(shared), assets, outputs, st.BytesSent)
	if assets != 1 || outputs != 0 || st.BytesSent != int64(len(shared)) {
		t.Errorf("%d asset and %d output downloads, %d bytes sent; want 1, 0 and %d", assets, outputs, st.BytesSent, len(shared))
	}
}

// TestSimulationFolderIsAFileSystem runs fstest over a simulation's
// canonical folder: metadata files, summary, metadata.json, tags, its own
// files and outputs.
func TestSimulationFolderIsAFileSystem(t *testing.T) {
	var w suiteWorld
	e := newEnv(t, seedSuiteWorld(t, &w))
	fsys := os.DirFS(e.path("experiments", w.exp1, "simulations", w.sims[0]))
	want := []string{"name", "state", "summary", "metadata.json", "tags/Run_Number", "files/config.json",
		"outputs/StdOut.txt", "outputs/output/result.csv"}
	if err := fstest.TestFS(fsys, want...); err != nil {
		t.Fatal(err)
	}
	if got, err := fs.ReadFile(fsys, "files/config.json"); err != nil || string(got) != `{"Run_Number": 1}` {
		t.Errorf("files/config.json = %q, %v", got, err)
	}
}
