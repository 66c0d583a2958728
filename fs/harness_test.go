package fs_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// env is one test's world: a real localcomps over HTTP on a loopback
// address that can be stopped and started again, with a hook that may answer
// requests first, a client, and a real FUSE mount of it in a temporary
// folder (unmounted by t.Cleanup). Inbox tests give it a spool that outlives
// remounts.
type env struct {
	t      *testing.T
	srv    *localcomps.Server
	front  http.Handler // what serves requests after the hook: localcomps, or a wrapper of it
	addr   string
	hs     *http.Server
	hook   atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
	client *client.Client
	dir    string
	mnt    *compsfs.Mounted
	opts   compsfs.Options
	// unmounted are the mounts unmount dropped, which cleanup leaves alone.
	unmounted map[*compsfs.Mounted]bool
}

// envOption changes the mount's options before mounting.
type envOption func(*compsfs.Options)

// envConfig chooses the server side of an env.
type envConfig struct {
	seed    func(ctx context.Context, s *localcomps.Server) // may be nil
	workers int                                             // localcomps' local worker (0: none)
	// wrap, when set, puts a handler in front of localcomps.
	wrap func(next http.Handler) http.Handler
}

// newEnv starts a localcomps, seeds it with seed (may be nil) and mounts it.
func newEnv(t *testing.T, seed func(ctx context.Context, s *localcomps.Server), opts ...envOption) *env {
	t.Helper()
	return startEnv(t, envConfig{seed: seed}, opts...)
}

// startEnv starts the server side cfg describes, serves it on a loopback
// address and mounts it with a 5 s --timeout changed by opts.
func startEnv(t *testing.T, cfg envConfig, opts ...envOption) *env {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Workers: cfg.workers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if cfg.seed != nil {
		cfg.seed(context.Background(), srv)
	}
	e := &env{t: t, srv: srv, front: srv}
	if cfg.wrap != nil {
		e.front = cfg.wrap(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	e.serve(ln)
	t.Cleanup(func() { e.stopServer() })
	e.client, e.opts = baseOptions(t, "http://"+e.addr, srv.Token())
	e.opts.Timeout = 5 * time.Second
	for _, o := range opts {
		o(&e.opts)
	}
	e.mount()
	return e
}

// ServeHTTP lets the hook answer first, then the server.
func (e *env) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := e.hook.Load(); h != nil && (*h)(w, r) {
		return
	}
	e.front.ServeHTTP(w, r)
}

// setHook installs a function that may answer requests before the server
// (returning true when it did); nil removes it.
func (e *env) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	if h == nil {
		e.hook.Store(nil)
		return
	}
	e.hook.Store(&h)
}

// serve serves the env on ln.
func (e *env) serve(ln net.Listener) {
	e.hs = &http.Server{Handler: e}
	go e.hs.Serve(ln)
}

// stopServer closes the server and every connection: the address refuses
// connections until startServer.
func (e *env) stopServer() {
	if e.hs != nil {
		e.hs.Close()
		e.hs = nil
	}
}

// startServer serves again on the same address.
func (e *env) startServer() {
	e.t.Helper()
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.serve(ln)
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
	// After the mounts' cleanups (registered later, run first), before the
	// folder's removal: Close waits for the work the cache still does in
	// the background (making a verified file durable, marking it).
	t.Cleanup(func() { _ = content.Close() })
	tok, err := c.CurrentToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var opts compsfs.Options
	opts.Client, opts.Content, opts.Owner = c, content, tok.User
	opts.UID, opts.GID = uint32(os.Getuid()), uint32(os.Getgid())
	return c, opts
}

// mount mounts the env's options (its spool included) on a fresh folder.
func (e *env) mount() {
	e.t.Helper()
	e.dir = e.t.TempDir()
	mnt, err := compsfs.Mount(e.dir, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mnt = mnt
	e.t.Cleanup(func() {
		if !e.unmounted[mnt] {
			if err := mnt.Unmount(); err != nil {
				e.t.Errorf("unmount: %v", err)
			}
		}
	})
}

// unmount drops the mount and stops its submitter; the spool stays.
func (e *env) unmount() {
	e.t.Helper()
	if err := e.mnt.Unmount(); err != nil {
		e.t.Fatal(err)
	}
	if e.unmounted == nil {
		e.unmounted = map[*compsfs.Mounted]bool{}
	}
	e.unmounted[e.mnt] = true
	e.mnt = nil
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
