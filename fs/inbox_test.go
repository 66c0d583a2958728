package fs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
)

// inboxConfig chooses an inbox test's settings.
type inboxConfig struct {
	environment string        // --environment
	workers     int           // localcomps' local worker (0: none)
	timeout     time.Duration // --timeout; default 3 s
	readOnly    bool
}

// newInboxEnv starts localcomps, serves it and mounts it with a spool.
func newInboxEnv(t *testing.T, cfg inboxConfig) *env {
	t.Helper()
	return startEnv(t, envConfig{workers: cfg.workers}, func(o *compsfs.Options) {
		o.Timeout = cfg.timeout
		if o.Timeout == 0 {
			o.Timeout = 3 * time.Second
		}
		o.Environment, o.ReadOnly = cfg.environment, cfg.readOnly
		o.SpoolDir = t.TempDir()
	})
}

// loseSaveAnswers makes every save reach the server, which stores it, while
// its answer never comes back (the client's request stays open until it
// gives up). The channel gets a value for each save the server stored.
func (e *env) loseSaveAnswers() <-chan struct{} {
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

// write writes a file through the mount as cp does (create, write, close)
// and returns the close's error, the one the inbox reports.
func (e *env) write(name string, data []byte) error {
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
func (e *env) workItems() []client.WorkItem {
	e.t.Helper()
	items, err := e.client.QueryWorkItems(context.Background(), client.Query{Fields: []string{"Id", "State"}, Children: []string{"Tags"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// link reads inbox/name as a symlink and returns the work item id it names.
func (e *env) link(name string) (string, error) { return linkID(e.path("inbox", name)) }

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
func (e *env) waitLink(name string, d time.Duration) string {
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
