package fs_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// env is one test's world: a real localcomps over HTTP, a client, and a real
// FUSE mount of it in a temporary folder (unmounted by t.Cleanup).
type env struct {
	t      *testing.T
	srv    *localcomps.Server
	http   *httptest.Server
	client *client.Client
	dir    string
	mnt    *compsfs.Mounted
	opts   compsfs.Options
}

// envOption changes the mount's options before mounting.
type envOption func(*compsfs.Options)

// newEnv starts a localcomps, seeds it with seed (may be nil) and mounts it.
func newEnv(t *testing.T, seed func(ctx context.Context, s *localcomps.Server), opts ...envOption) *env {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	e := &env{t: t}
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() { srv.Close() })
	if seed != nil {
		seed(context.Background(), srv)
	}
	e.http = httptest.NewServer(srv)
	t.Cleanup(e.http.Close)
	e.client, e.opts = baseOptions(t, e.http.URL, srv.Token())
	e.opts.Timeout = 5 * time.Second
	for _, o := range opts {
		o(&e.opts)
	}
	e.mount()
	return e
}

// baseOptions makes what every test mount starts from: a client of the
// server at url with token, a content cache in a temporary folder, and mount
// options owned by the token's user and the test's uid and gid.
func baseOptions(t *testing.T, url, token string) (*client.Client, compsfs.Options) {
	t.Helper()
	c, err := client.New(client.Options{Server: url, Token: token, NoTokenCache: true, RetryBase: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	content, err := cache.OpenContent(cache.ContentOptions{Dir: t.TempDir(), MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.CurrentToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var opts compsfs.Options
	opts.Client, opts.Content, opts.Owner = c, content, tok.User
	opts.UID, opts.GID = uint32(os.Getuid()), uint32(os.Getgid())
	return c, opts
}

// mount mounts the env's options on a fresh folder.
func (e *env) mount() {
	e.t.Helper()
	e.dir = e.t.TempDir()
	mnt, err := compsfs.Mount(e.dir, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mnt = mnt
	e.t.Cleanup(func() {
		if err := mnt.Unmount(); err != nil {
			e.t.Errorf("unmount: %v", err)
		}
	})
}

// path is a path inside the mount.
func (e *env) path(parts ...string) string {
	return filepath.Join(append([]string{e.dir}, parts...)...)
}

// read returns a file's content through the mount, failing the test on error.
func (e *env) read(parts ...string) string {
	e.t.Helper()
	b, err := os.ReadFile(e.path(parts...))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// requests is the number of requests the server counted whose key starts with prefix.
func (e *env) requests(prefix string) int64 {
	var n int64
	for k, v := range e.srv.Stats().Requests {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// seedOne seeds one work item and returns its id.
func seedOne(t *testing.T, s *localcomps.Server, it localcomps.SeedWorkItem) string {
	t.Helper()
	ids, err := s.Seed(context.Background(), []localcomps.SeedWorkItem{it})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}
