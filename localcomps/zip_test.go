package localcomps

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// zipResource posts a zip request as pyCOMPS does and returns the one
// resource of the answer.
func (e *env) zipResource(path, body string) wireResource {
	e.t.Helper()
	resp, data := e.pyRequest("POST", path, body)
	var a struct{ Resources []wireResource }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &a) != nil || len(a.Resources) != 1 {
		e.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
	}
	return a.Resources[0]
}

// fetchZip downloads a zip resource's Url (from /asset/ on, as pyCOMPS
// does) and opens the archive.
func (e *env) fetchZip(r wireResource) *zip.Reader {
	e.t.Helper()
	i := strings.Index(r.Url, "/asset/")
	if i < 0 {
		e.t.Fatalf("zip Url %q has no /asset/", r.Url)
	}
	resp, data := e.req("GET", r.Url[i:], nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		e.t.Fatalf("GET %s: %d %s", r.Url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		e.t.Fatalf("not a zip archive: %v", err)
	}
	return zr
}

// zipContents reads every entry of an archive by name.
func zipContents(t *testing.T, zr *zip.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("entry %s: %v", f.Name, err)
		}
		out[f.Name] = string(b)
	}
	return out
}

// TestOfficialClientOutputZip: retrieve_output_files(paths, as_zip=True)
// posts POST /asset/WorkItems/{id}/Output?zip=1 with {"ContainerType":
// "CompressedZip", "Ids": [...]} and GETs the Url of the one resource; the
// archive has the files by their path from the working directory's root.
func TestOfficialClientOutputZip(t *testing.T) {
	e := newEnv(t, nil)
	big := bytes.Repeat([]byte("0123456789"), 300000)
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "zipped", State: "Succeeded", Outputs: []SeedFile{
		{Path: "StdOut.txt", Data: []byte("hello\n")}, {Path: "output/deep/data.csv", Data: []byte("a,b\n1,2\n")},
		{Path: "output/big.txt", Data: big}, {Path: "not/asked.txt", Data: []byte("no")}}}})
	if err != nil {
		t.Fatal(err)
	}
	outs := e.outputs(ids[0])
	want := []string{"StdOut.txt", "output/deep/data.csv", "output/big.txt"}
	var fileIDs []string
	for _, p := range want {
		fileIDs = append(fileIDs, `"`+outs[p].Id+`"`)
	}
	body := `{"ContainerType": "CompressedZip", "Ids": [` + strings.Join(fileIDs, ", ") + `]}`
	res := e.zipResource("/asset/WorkItems/"+ids[0]+"/Output?zip=1", body)
	if res.MimeType != "application/zip" || res.FriendlyName != ids[0]+".zip" || res.PathFromRoot != "." {
		t.Fatalf("zip resource %+v", res)
	}
	zr := e.fetchZip(res)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("entries %q, want %q", names, want)
	}
	got := zipContents(t, zr)
	if got["StdOut.txt"] != "hello\n" || got["output/deep/data.csv"] != "a,b\n1,2\n" || got["output/big.txt"] != string(big) {
		t.Fatalf("entry bytes differ")
	}
	if zr.File[2].Method != zip.Deflate || zr.File[2].CompressedSize64 >= uint64(len(big))/10 {
		t.Fatalf("big.txt stored with method %d, %d bytes", zr.File[2].Method, zr.File[2].CompressedSize64)
	}

	for _, c := range []struct {
		path, body string
		status     int
	}{
		{"/asset/WorkItems/" + ids[0] + "/Output", body, http.StatusBadRequest},
		{"/asset/WorkItems/" + ids[0] + "/Output?zip=1", `{"ContainerType": "Tar", "Ids": []}`, http.StatusBadRequest},
		{"/asset/WorkItems/" + ids[0] + "/Output?zip=1", `{"ContainerType": "CompressedZip", "Ids": ["` + ids[0] + `"]}`, http.StatusNotFound},
		{"/asset/WorkItems/00000000-0000-0000-0000-000000000001/Output?zip=1", body, http.StatusNotFound},
		{"/asset/Simulations/" + ids[0] + "/Output?zip=1", body, http.StatusNotFound},
	} {
		if resp, data := e.pyRequest("POST", c.path, c.body); resp.StatusCode != c.status {
			t.Errorf("POST %s %s: %d %s, want %d", c.path, c.body, resp.StatusCode, data, c.status)
		}
	}
	if resp, _ := e.req("GET", "/asset/Zips/00000000-0000-0000-0000-000000000001/x.zip", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown zip: %d", resp.StatusCode)
	}
}

// TestOfficialClientAssetZip: retrieve_asset_files(as_zip=True) posts
// POST /api/ZipAssets with FileNameForAsset ("\"-separated) and MD5.
func TestOfficialClientAssetZip(t *testing.T) {
	e := newEnv(t, nil)
	a, b := []byte("top file\n"), []byte("nested file\n")
	if _, err := e.s.SeedEntity(context.Background(), kindAssetCollection, SeedEntity{Assets: []SeedFile{
		{Path: "a.txt", Data: a}, {Path: "lib/sub/b.py", Data: b}}}); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"ContainerType": "CompressedZip", "Assets": [{"FileNameForAsset": "a.txt", "MD5": "%s"}, {"FileNameForAsset": "lib\\sub\\b.py", "MD5": "%s"}]}`,
		md5uuid(a), md5uuid(b))
	got := zipContents(t, e.fetchZip(e.zipResource("/api/ZipAssets", body)))
	if len(got) != 2 || got["a.txt"] != string(a) || got["lib/sub/b.py"] != string(b) {
		t.Fatalf("asset zip %q", got)
	}
	for _, bad := range []string{
		`{"ContainerType": "CompressedZip", "Assets": [{"FileNameForAsset": "..\\x", "MD5": "` + md5uuid(a) + `"}]}`,
		`{"ContainerType": "CompressedZip", "Assets": [{"FileNameForAsset": "x", "MD5": "` + md5uuid([]byte("absent")) + `"}]}`,
	} {
		if resp, data := e.pyRequest("POST", "/api/ZipAssets", bad); resp.StatusCode < 400 {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, data)
		}
	}
}

// TestZipStreamsInBoundedMemory: a zip of a 96 MiB output is streamed as it
// is made; the process (the server runs in it) grows less than 32 MiB
// while the test reads and discards it.
func TestZipStreamsInBoundedMemory(t *testing.T) {
	e := newEnv(t, nil)
	const size = 96 << 20
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "big", State: "Succeeded", Outputs: []SeedFile{
		{Path: "big.bin", Reader: &repeatReader{block: bytes.Repeat([]byte("compressible "), 5000), size: size}, Size: size}}}})
	if err != nil {
		t.Fatal(err)
	}
	res := e.zipResource("/asset/WorkItems/"+ids[0]+"/Output?zip=1",
		`{"ContainerType": "CompressedZip", "Ids": ["`+e.outputs(ids[0])["big.bin"].Id+`"]}`)
	runtime.GC()
	debug.FreeOSMemory()
	hwm := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	start := procStatusKiB(t, "VmRSS")
	req, _ := http.NewRequest("GET", e.ts.URL+res.Url[strings.Index(res.Url, "/asset/"):], nil)
	req.Header.Set("X-COMPS-Token", e.tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	peak := procStatusKiB(t, "VmRSS")
	if hwm {
		peak = max(peak, procStatusKiB(t, "VmHWM"))
	}
	t.Logf("zip of a %d MiB output: %d bytes streamed; RSS %d MiB at start, peak %d MiB (+%d MiB)", size>>20, n, start>>10, peak>>10, (peak-start)>>10)
	if err != nil || resp.StatusCode != http.StatusOK || resp.ContentLength != -1 {
		t.Fatalf("download: %d, length %d, %v", resp.StatusCode, resp.ContentLength, err)
	}
	if peak-start > 32<<10 {
		t.Fatalf("resident size grew by %d MiB streaming a %d MiB zip", (peak-start)>>10, size>>20)
	}
}
