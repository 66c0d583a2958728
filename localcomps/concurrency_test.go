package localcomps

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// onlyReader hides a reader's length so the request is sent chunked.
type onlyReader struct{ io.Reader }

func TestOversizedChunkedBodies(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxRequestBytes = 32 << 10 })
	big := make([]byte, 100<<10)
	body, ct := multipartBody(t, "WorkItems", []any{workItemJSON("x", map[string]any{"FileName": "a", "MD5Checksum": md5uuid(big)})},
		part{md5uuid(big), "a", big})
	resp, data := e.req("POST", "/api/WorkItems", onlyReader{body}, map[string]string{"Content-Type": ct})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked multipart: %d %s", resp.StatusCode, data)
	}
	e.errBody(data)
	// A chunk of the large-file upload is bounded by its Content-Range and
	// streamed to disk, not by MaxRequestBytes: the official client doubles
	// its chunks without limit on a fast link.
	resp, data = e.req("POST", "/api/upload/"+md5uuid(big), onlyReader{bytes.NewReader(big)},
		map[string]string{"Content-Range": fmt.Sprintf("bytes 0-%d/%d", len(big)-1, len(big)), "Content-Type": "application/octet-stream"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("chunked upload above MaxRequestBytes: %d %s", resp.StatusCode, data)
	}
	e.json("GET", "/api/upload/check/"+md5uuid(big), nil, http.StatusOK, nil)
	resp, data = e.req("POST", "/api/Suites", onlyReader{bytes.NewReader(append([]byte(`{"Suites":[{"Name":"`), bytes.Repeat([]byte("x"), len(big))...))}, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked JSON: %d %s", resp.StatusCode, data)
	}
	if e.countWorkItems() != 0 {
		t.Fatal("created something")
	}
}

func TestConcurrentSavesAndReads(t *testing.T) {
	e := newEnv(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				data := []byte(fmt.Sprintf("file %d %d", g, i))
				body, ct := multipartBody(t, "WorkItems", []any{workItemJSON(fmt.Sprintf("g%d-%d", g, i),
					map[string]any{"FileType": "input", "FileName": "f.txt", "MD5Checksum": md5uuid(data)})},
					part{md5uuid(data), "f.txt", data})
				r, _ := http.NewRequest("POST", e.ts.URL+"/api/WorkItems", body)
				r.Header.Set("Content-Type", ct)
				r.Header.Set("X-COMPS-Token", e.tok)
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("save: %d", resp.StatusCode)
				}
				r, _ = http.NewRequest("GET", e.ts.URL+"/api/WorkItems?children=Files,Tags&count=100000", nil)
				r.Header.Set("X-COMPS-Token", e.tok)
				if resp, err = http.DefaultClient.Do(r); err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.countWorkItems(); n != 40 {
		t.Fatalf("%d work items, want 40", n)
	}
}
