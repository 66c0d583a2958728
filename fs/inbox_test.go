package fs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// inboxEnv is a world for inbox tests: a real localcomps behind an HTTP
// server that can be stopped and started again on the same address, with a
// hook in front of it, and a real mount whose spool outlives remounts.
type inboxEnv struct {
	t      *testing.T
	srv    *localcomps.Server
	addr   string
	hs     *http.Server
	hook   atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
	client *client.Client
	opts   compsfs.Options
	dir    string
	mnt    *compsfs.Mounted
}

// inboxConfig chooses an inboxEnv's settings.
type inboxConfig struct {
	environment string        // --environment
	workers     int           // localcomps' local worker (0: none)
	timeout     time.Duration // --timeout; default 3 s
	readOnly    bool
}

// newInboxEnv starts localcomps, serves it and mounts it with a spool.
func newInboxEnv(t *testing.T, cfg inboxConfig) *inboxEnv {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse")
	}
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Workers: cfg.workers})
	if err != nil {
		t.Fatal(err)
	}
	e := &inboxEnv{t: t, srv: srv}
	t.Cleanup(func() { srv.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	e.serve(ln)
	t.Cleanup(func() { e.stopServer() })
	e.client, e.opts = baseOptions(t, "http://"+e.addr, srv.Token())
	e.opts.Timeout = cfg.timeout
	if e.opts.Timeout == 0 {
		e.opts.Timeout = 3 * time.Second
	}
	e.opts.Environment, e.opts.ReadOnly = cfg.environment, cfg.readOnly
	e.opts.SpoolDir = t.TempDir()
	e.mount()
	return e
}

// ServeHTTP lets the hook answer first, then localcomps.
func (e *inboxEnv) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := e.hook.Load(); h != nil && (*h)(w, r) {
		return
	}
	e.srv.ServeHTTP(w, r)
}

// loseSaveAnswers makes every save reach the server, which stores it, while
// its answer never comes back (the client's request stays open until it
// gives up). The channel gets a value for each save the server stored.
func (e *inboxEnv) loseSaveAnswers() <-chan struct{} {
	saved := make(chan struct{}, 10)
	e.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/api/WorkItems" {
			return false
		}
		e.srv.ServeHTTP(httptest.NewRecorder(), r) // the server saves...
		saved <- struct{}{}
		<-r.Context().Done() // ...and the answer never comes back
		return true
	})
	return saved
}

// setHook installs a function that may answer requests before localcomps
// (returning true when it did); nil removes it.
func (e *inboxEnv) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	if h == nil {
		e.hook.Store(nil)
		return
	}
	e.hook.Store(&h)
}

// serve serves the env on ln.
func (e *inboxEnv) serve(ln net.Listener) {
	e.hs = &http.Server{Handler: e}
	go e.hs.Serve(ln)
}

// stopServer closes the server and every connection: the address refuses
// connections until startServer.
func (e *inboxEnv) stopServer() {
	if e.hs != nil {
		e.hs.Close()
		e.hs = nil
	}
}

// startServer serves again on the same address.
func (e *inboxEnv) startServer() {
	e.t.Helper()
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.serve(ln)
}

// mount mounts the env's options (its spool included) on a fresh folder.
func (e *inboxEnv) mount() {
	e.t.Helper()
	e.dir = e.t.TempDir()
	mnt, err := compsfs.Mount(e.dir, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.mnt = mnt
	e.t.Cleanup(func() {
		if e.mnt == mnt {
			if err := mnt.Unmount(); err != nil {
				e.t.Errorf("unmount: %v", err)
			}
		}
	})
}

// unmount drops the mount and stops its submitter; the spool stays.
func (e *inboxEnv) unmount() {
	e.t.Helper()
	if err := e.mnt.Unmount(); err != nil {
		e.t.Fatal(err)
	}
	e.mnt = nil
}

// path is a path inside the mount.
func (e *inboxEnv) path(parts ...string) string {
	return filepath.Join(append([]string{e.dir}, parts...)...)
}

// write writes a file through the mount as cp does (create, write, close)
// and returns the close's error, the one the inbox reports.
func (e *inboxEnv) write(name string, data []byte) error {
	f, err := os.OpenFile(e.path(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// workItems lists every work item on the server (ids and tags).
func (e *inboxEnv) workItems() []client.WorkItem {
	e.t.Helper()
	items, err := e.client.QueryWorkItems(context.Background(), client.Query{Fields: []string{"Id", "State"}, Children: []string{"Tags"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// link reads inbox/name as a symlink and returns the work item id it names.
func (e *inboxEnv) link(name string) (string, error) { return linkID(e.path("inbox", name)) }

// linkID reads a symlink to ../workitems/<id> and returns the id.
func linkID(path string) (string, error) {
	target, err := os.Readlink(path)
	if err != nil {
		return "", err
	}
	id, ok := strings.CutPrefix(target, "../workitems/")
	if !ok {
		return "", errors.New("unexpected link target " + target)
	}
	return id, nil
}

// waitLink polls until inbox/name is a symlink, for at most d.
func (e *inboxEnv) waitLink(name string, d time.Duration) string {
	e.t.Helper()
	return waitLinkAt(e.t, e.path("inbox", name), d)
}

// waitLinkAt polls until path is a symlink to a work item, for at most d.
func waitLinkAt(t *testing.T, path string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		id, err := linkID(path)
		if err == nil {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became a symlink: %v", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// errnoOf extracts the errno of a file operation's error.
func errnoOf(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return 0
}

// hiOrder is a work order the local worker runs.
const hiOrder = `{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "echo hi"}}`

// parallelDo runs f(0..n-1) on width goroutines.
func parallelDo(n, width int, f func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// listNames lists a folder's names, sorted, as one string.
func listNames(t *testing.T, dir string) string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return strings.Join(names, " ")
}

// readJSON decodes a JSON file through the mount.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
