package localcomps

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestChunkedUpload(t *testing.T) {
	e := newEnv(t, nil)
	data := make([]byte, 25<<20)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(data)
	id := md5uuid(data)
	e.json("GET", "/api/upload/check/"+id, nil, http.StatusNotFound, nil)

	chunk := func(first, last int, body []byte) (*http.Response, []byte) {
		return e.req("POST", "/api/upload/"+id, bytes.NewReader(body), map[string]string{
			"Content-Type":  "application/octet-stream",
			"Content-Range": fmt.Sprintf("bytes %d-%d/%d", first, last, len(data))})
	}
	size, pos := 1<<20, 0
	for pos < len(data) && pos < 7<<20 {
		end := min(pos+size, len(data))
		if resp, body := chunk(pos, end-1, data[pos:end]); resp.StatusCode != http.StatusOK {
			t.Fatalf("chunk at %d: %d %s", pos, resp.StatusCode, body)
		}
		pos, size = end, size*2
	}
	var partial struct{ Size int64 }
	e.json("GET", "/api/upload/check/"+id, nil, http.StatusPartialContent, &partial)
	if partial.Size != int64(pos) {
		t.Fatalf("partial size %d, want %d", partial.Size, pos)
	}
	// a chunk that does not start at the stored size, or lies about its length
	for _, c := range []struct{ first, last int }{{0, 9}, {pos + 1, pos + 10}} {
		resp, body := chunk(c.first, c.last, data[c.first:c.last+1])
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("misplaced chunk %v: %d", c, resp.StatusCode)
		}
		e.errBody(body)
	}
	if resp, _ := chunk(pos, pos+99, data[pos:pos+50]); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("short chunk: %d", resp.StatusCode)
	}
	if resp, _ := e.req("POST", "/api/upload/"+id, bytes.NewReader(data[:10]), map[string]string{"Content-Range": "bytes x"}); resp.StatusCode != 400 {
		t.Fatalf("bad Content-Range: %d", resp.StatusCode)
	}
	e.json("GET", "/api/upload/check/"+id, nil, http.StatusPartialContent, &partial)
	if partial.Size != int64(pos) {
		t.Fatalf("partial size after refused chunks %d, want %d", partial.Size, pos)
	}
	// resume to the end
	for pos < len(data) {
		end := min(pos+size, len(data))
		if resp, body := chunk(pos, end-1, data[pos:end]); resp.StatusCode != http.StatusOK {
			t.Fatalf("chunk at %d: %d %s", pos, resp.StatusCode, body)
		}
		pos = end
	}
	e.json("GET", "/api/upload/check/"+id, nil, http.StatusOK, nil)
	if got := e.s.Stats().BytesReceived; got != int64(len(data))+50 {
		t.Fatalf("BytesReceived %d", got)
	}
	// the work item can now reference it by md5 only
	w := workItemJSON("big input", map[string]any{"FileType": "input", "FileName": "big.bin", "MD5Checksum": id})
	if resp, body := e.save("WorkItems", []any{w}); resp.StatusCode != http.StatusOK {
		t.Fatalf("save by md5: %d %s", resp.StatusCode, body)
	}

	// wrong content for an md5: refused at the end, partial discarded
	bad := md5uuid([]byte("something else"))
	resp, body := e.req("POST", "/api/upload/"+bad, bytes.NewReader([]byte("0123456789")), map[string]string{"Content-Range": "bytes 0-9/10"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("md5 mismatch: %d", resp.StatusCode)
	}
	e.errBody(body)
	e.json("GET", "/api/upload/check/"+bad, nil, http.StatusNotFound, nil)
	e.json("GET", "/api/upload/check/not-md5", nil, http.StatusBadRequest, nil)
}

func TestOutputsAndRangedDownloads(t *testing.T) {
	e := newEnv(t, nil)
	big := make([]byte, 3<<20)
	_, _ = rand.NewChaCha8([32]byte{2}).Read(big)
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "w", State: "Succeeded", Outputs: []SeedFile{
		{Path: "StdOut.txt", Data: []byte("hello\n")},
		{Path: "output/sub dir/data.bin", Reader: bytes.NewReader(big), Size: int64(len(big))},
		{Path: "output/a.csv", Data: []byte("a,b\n1,2\n")},
		{Path: "empty.txt"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Resources []wireResource }
	e.json("GET", "/asset/WorkItems/"+ids[0]+"/Output?flatten=1", nil, http.StatusOK, &list)
	var paths []string
	for _, r := range list.Resources {
		paths = append(paths, r.PathFromRoot+"|"+r.FriendlyName)
	}
	if fmt.Sprint(paths) != "[.|StdOut.txt .|empty.txt output|a.csv output/sub dir|data.bin]" {
		t.Fatalf("listing %v", paths)
	}
	res := list.Resources[3]
	if res.Length != int64(len(big)) || res.MD5 != md5uuid(big) || res.Id == "" || res.MimeType == "" || !strings.Contains(res.Url, "/asset/") {
		t.Fatalf("resource %+v", res)
	}
	u, _ := url.Parse(res.Url)

	resp, body := e.req("GET", u.EscapedPath(), nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, big) || resp.ContentLength != int64(len(big)) {
		t.Fatalf("full download: %d %d", resp.StatusCode, len(body))
	}
	for rng, want := range map[string][2]int{
		"bytes=1000000-1000999": {1000000, 1000999},
		"bytes=3145000-":        {3145000, len(big) - 1},
		"bytes=-100":            {len(big) - 100, len(big) - 1},
	} {
		resp, body := e.req("GET", u.EscapedPath(), nil, map[string]string{"Range": rng})
		cr := fmt.Sprintf("bytes %d-%d/%d", want[0], want[1], len(big))
		if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != cr || !bytes.Equal(body, big[want[0]:want[1]+1]) {
			t.Fatalf("%s: %d %q %d bytes", rng, resp.StatusCode, resp.Header.Get("Content-Range"), len(body))
		}
	}
	resp, body = e.req("GET", u.EscapedPath(), nil, map[string]string{"Range": "bytes=4000000-"})
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("unsatisfiable range: %d", resp.StatusCode)
	}
	e.errBody(body)
	if got := e.s.Stats().BytesSent; got != int64(len(big))+1000+(int64(len(big))-3145000)+100 {
		t.Fatalf("BytesSent %d", got)
	}
	resp, body = e.req("GET", list.Resources[1].Url[len(e.ts.URL):], nil, nil)
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("empty file: %d %d", resp.StatusCode, len(body))
	}
	for path, st := range map[string]int{
		"/asset/WorkItems/" + ids[0] + "/Output/nope.txt":                    404,
		"/asset/WorkItems/not-a-uuid/Output?flatten=1":                       400,
		"/asset/WorkItems/00000000-0000-0000-0000-000000000001/Output":       404,
		"/asset/Simulations/" + ids[0] + "/Output?flatten=1":                 404,
		"/asset/WorkItems/" + ids[0] + "/Files/WorkOrder.json":               404,
		"/asset/WorkItems/00000000-0000-0000-0000-000000000001/Output/a.txt": 404,
	} {
		resp, body := e.req("GET", path, nil, nil)
		if resp.StatusCode != st {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, st)
			continue
		}
		e.errBody(body)
	}
	var wi workItemsAnswer
	e.json("GET", "/api/WorkItems/"+ids[0]+"?fields=WorkingDirectorySize", nil, 200, &wi)
	if wi.WorkItems[0]["WorkingDirectorySize"] != float64(len(big)+6+8) {
		t.Fatalf("WorkingDirectorySize %v", wi.WorkItems[0])
	}
}
