package client_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// Test credentials of the local server's one user.
const (
	testUser     = "jdoe"
	testPassword = "s3cret pässword"
	testEnv      = "Local"
)

// testWorker is the worker every test work item names.
var testWorker = client.WorkerOrPluginKey{Name: "DockerWorker", Version: "1.0.0.0_RELEASE"}

// testServer is a real localcomps behind a real HTTP server, with a
// recorder in front of it that keeps every request the server receives.
// With COMPSFS_TEST_TLS=1 in the environment every test server speaks
// HTTPS with a self-signed certificate, which the test clients trust
// through Options.CAFile (see tls_int_test.go for the tests that always do).
type testServer struct {
	srv    *localcomps.Server
	hs     *httptest.Server
	rec    *recorder
	caFile string // the certificate clients trust; "" over plain HTTP
}

// testTLS reports whether the test servers speak HTTPS.
func testTLS() bool { return os.Getenv("COMPSFS_TEST_TLS") == "1" }

// newTestServer starts a localcomps in a temporary folder (the given
// options complete the defaults: user testUser with testPassword, the
// Local environment) behind httptest, and returns it with a client logged
// in as testUser. The client's token cache lives in its own temporary
// folder and its retries wait only milliseconds.
func newTestServer(t *testing.T, opts localcomps.Options) (*localcomps.Server, *httptest.Server, *client.Client) {
	t.Helper()
	ts := startServer(t, opts)
	return ts.srv, ts.hs, ts.login(t, nil)
}

// startServer starts the server of newTestServer without a client.
func startServer(t *testing.T, opts localcomps.Options) *testServer {
	t.Helper()
	srv := openServer(t, opts)
	rec := &recorder{next: srv}
	ts := &testServer{srv: srv, rec: rec}
	if testTLS() {
		ts.hs, ts.caFile = startTLS(t, rec, t.TempDir())
	} else {
		ts.hs = httptest.NewServer(rec)
	}
	t.Cleanup(ts.hs.Close) // runs before the store is closed
	return ts
}

// startTLS starts an HTTPS test server for h with a self-signed
// certificate made by localcomps for 127.0.0.1, written to dir; it returns
// the server and the certificate's file.
func startTLS(t *testing.T, h http.Handler, dir string) (*httptest.Server, string) {
	t.Helper()
	certFile, keyFile := filepath.Join(dir, "localcomps.crt"), filepath.Join(dir, "localcomps.key")
	if _, err := localcomps.EnsureSelfSigned(certFile, keyFile, []string{"127.0.0.1", "localhost"}); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(h)
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	hs.StartTLS()
	return hs, certFile
}

// openServer opens a localcomps with the test defaults, closed when the
// test ends.
func openServer(t *testing.T, opts localcomps.Options) *localcomps.Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.User == "" {
		opts.User = testUser
	}
	if opts.Password == "" {
		opts.Password = testPassword
	}
	if len(opts.Environments) == 0 {
		opts.Environments = []string{testEnv}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := localcomps.Open(opts)
	if err != nil {
		t.Fatalf("open localcomps: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close localcomps: %v", err)
		}
	})
	return srv
}

// newClient makes a client of the test server with test defaults: a
// private token cache folder, fast retries and the user's credentials;
// edit changes the options before the client is made.
func (ts *testServer) newClient(t *testing.T, edit func(*client.Options)) *client.Client {
	t.Helper()
	opts := client.Options{
		Server:        ts.hs.URL,
		Username:      testUser,
		Password:      testPassword,
		TokenCacheDir: t.TempDir(),
		RetryBase:     time.Millisecond,
		CAFile:        ts.caFile,
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := client.New(opts)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// login makes a client (see newClient) and logs it in explicitly.
func (ts *testServer) login(t *testing.T, edit func(*client.Options)) *client.Client {
	t.Helper()
	c := ts.newClient(t, edit)
	if err := c.Login(context.Background(), testUser, testPassword); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

// recordedPart is one part of a multipart request body.
type recordedPart struct {
	FormName    string
	FileName    string
	ContentType string
	Body        []byte
}

// recordedRequest is one request as the server received it.
type recordedRequest struct {
	Method   string
	Path     string // r.URL.Path, decoded
	RawPath  string // r.URL.EscapedPath()
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte // the raw body (for multipart requests too)
	Parts    []recordedPart
	PartsErr error // why the multipart body could not be read

	// The answer: status, headers and the first maxRecordedAnswer bytes.
	Status       int
	AnswerHeader http.Header
	Answer       []byte
}

// maxRecordedAnswer bounds how much of each answer body is kept.
const maxRecordedAnswer = 64 << 10

// answerRecorder passes an answer through and keeps a copy of its start.
type answerRecorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   []byte
}

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
		a.header = a.ResponseWriter.Header().Clone()
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.WriteHeader(http.StatusOK)
	}
	if room := maxRecordedAnswer - len(a.body); room > 0 {
		a.body = append(a.body, p[:min(room, len(p))]...)
	}
	return a.ResponseWriter.Write(p)
}

func (a *answerRecorder) Flush() {
	if f, ok := a.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// recorder is an http.Handler in front of localcomps that keeps a copy of
// every request it passes on (recorded on arrival), with the start of its
// answer (filled in when the server is done with it).
type recorder struct {
	mu   sync.Mutex
	next http.Handler
	reqs []*recordedRequest
}

// setNext puts another server behind the recorder (same address, new
// store), as when a COMPS host is replaced or restored.
func (rc *recorder) setNext(h http.Handler) {
	rc.mu.Lock()
	rc.next = h
	rc.mu.Unlock()
}

// ServeHTTP records the request, then lets the server answer it.
func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		http.Error(w, "recorder: "+err.Error(), http.StatusBadRequest)
		return
	}
	rr := recordedRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawPath:  r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Query:    r.URL.Query(),
		Header:   r.Header.Clone(),
		Body:     body,
	}
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		rr.Parts, rr.PartsErr = readParts(body, params["boundary"])
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, &rr)
	next := rc.next
	rc.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	ar := &answerRecorder{ResponseWriter: w}
	defer func() {
		// Also when the server aborts the answer (a cut body panics).
		rc.mu.Lock()
		rr.Status, rr.AnswerHeader, rr.Answer = ar.status, ar.header, ar.body
		rc.mu.Unlock()
	}()
	next.ServeHTTP(ar, r)
}

// readParts splits a multipart body into its parts.
func readParts(body []byte, boundary string) ([]recordedPart, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []recordedPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return parts, err
		}
		parts = append(parts, recordedPart{FormName: p.FormName(), FileName: p.FileName(),
			ContentType: p.Header.Get("Content-Type"), Body: b})
	}
}

// reset forgets the requests recorded so far.
func (rc *recorder) reset() {
	rc.mu.Lock()
	rc.reqs = nil
	rc.mu.Unlock()
}

// all returns a copy of the recorded requests, oldest first.
func (rc *recorder) all() []recordedRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]recordedRequest, len(rc.reqs))
	for i, r := range rc.reqs {
		out[i] = *r
	}
	return out
}

// matching returns the recorded requests with this method whose path
// matches pattern, where "*" in pattern stands for one path segment and a
// trailing "/**" for any rest.
func (rc *recorder) matching(method, pattern string) []recordedRequest {
	var out []recordedRequest
	for _, r := range rc.all() {
		if r.Method == method && pathMatches(pattern, r.Path) {
			out = append(out, r)
		}
	}
	return out
}

// count is len(matching(method, pattern)).
func (rc *recorder) count(method, pattern string) int { return len(rc.matching(method, pattern)) }

// settledCount is count once it has not changed for 100 ms (at most 5 s):
// a request the client gave up on may still reach the server after the
// client has returned.
func (rc *recorder) settledCount(method, pattern string) int {
	n := rc.count(method, pattern)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		m := rc.count(method, pattern)
		if m == n {
			break
		}
		n = m
	}
	return n
}

// only returns the single request matching method and pattern, failing the
// test when there is not exactly one.
func (rc *recorder) only(t *testing.T, method, pattern string) recordedRequest {
	t.Helper()
	m := rc.matching(method, pattern)
	if len(m) != 1 {
		t.Fatalf("%d requests %s %s, want exactly 1; all requests:\n%s", len(m), method, pattern, rc.summary())
	}
	return m[0]
}

// summary lists the recorded requests, one a line, for failure messages.
func (rc *recorder) summary() string {
	var b strings.Builder
	for _, r := range rc.all() {
		b.WriteString("  " + r.Method + " " + r.Path)
		if r.RawQuery != "" {
			b.WriteString("?" + r.RawQuery)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// pathMatches reports whether path matches pattern segment by segment.
func pathMatches(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "**" && i == len(ps)-1 {
			return true
		}
		if i >= len(xs) || (p != "*" && p != xs[i]) {
			return false
		}
	}
	return len(ps) == len(xs)
}
