package localcomps

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"
)

// env is a running test server and a plain HTTP client for it.
type env struct {
	t   *testing.T
	s   *Server
	ts  *httptest.Server
	tok string
}

// newEnv starts a server over a temporary folder; edit tweaks the options.
func newEnv(t *testing.T, edit func(*Options)) *env {
	t.Helper()
	opts := Options{Dir: t.TempDir(), Password: "secret", Environments: []string{"Local", "Bayesian"},
		Logger: slog.New(slog.DiscardHandler)}
	if edit != nil {
		edit(&opts)
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, s: s, ts: ts, tok: s.Token()}
}

// req sends a request with the env's token (unless tok is set in hdr as
// "X-COMPS-Token") and returns the response and its body.
func (e *env) req(method, path string, body io.Reader, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	r, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	r.Header.Set("X-COMPS-Token", e.tok)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, data
}

// json sends a request with a JSON body (nil = empty), checks the status
// and decodes the answer into out (when not nil).
func (e *env) json(method, path string, in any, wantStatus int, out any) *http.Response {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	resp, data := e.req(method, path, body, nil)
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, wantStatus, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp
}

// errBody decodes an error answer and checks its shape.
func (e *env) errBody(data []byte) wireError {
	e.t.Helper()
	var we wireError
	if err := json.Unmarshal(data, &we); err != nil || we.ResponseMessage == "" || we.CorrelationId == "" {
		e.t.Fatalf("not a COMPS error body: %s (%v)", data, err)
	}
	return we
}

// md5uuid returns the md5-uuid form of data's MD5.
func md5uuid(data []byte) string {
	s := md5.Sum(data)
	return md5ToUUID(hex.EncodeToString(s[:]))
}

// part is one file part of a multipart save.
type part struct {
	name string // form name (md5-uuid)
	file string
	data []byte
}

// multipartBody builds a save request as pyCOMPS does: the entity part
// (file name entityFile) then the file parts.
func multipartBody(t *testing.T, entityFile string, entities any, parts ...part) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="not_a_file"; filename="`+entityFile+`"`)
	h.Set("Content-Type", "application/json")
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := entities.(string); ok {
		_, _ = w.Write([]byte(s))
	} else if err := json.NewEncoder(w).Encode(entities); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.file+`"`)
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(p.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// save posts a multipart save and returns status and body.
func (e *env) save(kindPlural string, entities any, parts ...part) (*http.Response, []byte) {
	e.t.Helper()
	body, ct := multipartBody(e.t, kindPlural, entities, parts...)
	return e.req("POST", "/api/"+kindPlural, body, map[string]string{"Content-Type": ct})
}

// countWorkItems counts live work items straight from the store.
func (e *env) countWorkItems() int {
	e.t.Helper()
	var n int
	if err := e.s.db.QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM entities WHERE kind = 'WorkItem' AND deleted = 0`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// workItemJSON is a minimal valid new work item as pyCOMPS sends it.
func workItemJSON(name string, files ...map[string]any) map[string]any {
	if files == nil {
		files = []map[string]any{}
	}
	return map[string]any{"Name": name, "Worker": map[string]any{"name": "DockerWorker", "version": "1.0.0.0_RELEASE"},
		"EnvironmentName": "Bayesian", "Owner": "jdoe", "Priority": "Normal", "Files": files,
		"Tags": map[string]any{"SSMT": nil, "WorkItem_Type": "DockerWorker"}}
}
