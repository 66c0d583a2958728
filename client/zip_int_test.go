package client_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// unzip reads a whole archive into name → content.
func unzip(t *testing.T, rc io.ReadCloser) map[string][]byte {
	t.Helper()
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read the zip: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open the zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("entry %s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

func TestDownloadZip(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	w := seedWorld(t, ts.srv)
	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	ts.rec.reset()
	rc, err := c.DownloadZip(ctx, client.KindWorkItem, w.workItem, outs)
	if err != nil {
		t.Fatal(err)
	}
	got := unzip(t, rc)
	if len(got) != 3 || !bytes.Equal(got["StdOut.txt"], w.stdout) || !bytes.Equal(got["out/deep/data.bin"], w.nested) ||
		len(got["StdErr.txt"]) != 0 {
		t.Fatalf("archive entries %d: %q", len(got), keysOf(got))
	}
	post := ts.rec.only(t, "POST", "/asset/WorkItems/*/Output")
	var body map[string]any
	if post.RawQuery != "zip=1" || json.Unmarshal(post.Body, &body) != nil || body["ContainerType"] != "CompressedZip" ||
		len(body["Ids"].([]any)) != 3 || body["Ids"].([]any)[0] != outs[0].ID {
		t.Fatalf("zip request ?%s %s", post.RawQuery, post.Body)
	}
	if n := ts.rec.count("GET", "/asset/Zips/**"); n != 1 {
		t.Fatalf("%d zip downloads", n)
	}

	sim, err := c.OutputFiles(ctx, client.KindSimulation, w.simulation)
	if err != nil {
		t.Fatal(err)
	}
	rc, err = c.DownloadZip(ctx, client.KindSimulation, w.simulation, sim[:1])
	if err != nil {
		t.Fatal(err)
	}
	if got := unzip(t, rc); len(got) != 1 {
		t.Fatalf("simulation zip %q", keysOf(got))
	}

	ac, err := c.GetAssetCollection(ctx, w.assetCollection, client.Query{Children: []string{"Assets"}})
	if err != nil {
		t.Fatal(err)
	}
	rc, err = c.DownloadAssetsZip(ctx, ac.Assets)
	if err != nil {
		t.Fatal(err)
	}
	got = unzip(t, rc)
	if len(got) != 2 || !bytes.Equal(got["model.sif"], w.asset) || string(got["lib/helper.py"]) != "def f(): pass\n" {
		t.Fatalf("assets zip %q", keysOf(got))
	}
	big := []client.OutputFile{{ID: outs[0].ID, Length: 1<<30 + 1}}
	if _, err := c.DownloadZip(ctx, client.KindWorkItem, w.workItem, big); err == nil {
		t.Fatal("a zip of more than 1 GiB was asked for")
	}
}

// keysOf lists a map's keys.
func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
