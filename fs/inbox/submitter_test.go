package inbox

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// world is a localcomps over HTTP with a hook in front, a client and an
// inbox on a temporary spool; no FUSE.
type world struct {
	srv  *localcomps.Server
	c    *client.Client
	in   *Inbox
	hook atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{}
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w.srv = srv
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if h := w.hook.Load(); h != nil && (*h)(rw, r) {
			return
		}
		srv.ServeHTTP(rw, r)
	}))
	t.Cleanup(hs.Close)
	w.c, err = client.New(client.Options{Server: hs.URL, Token: srv.Token(), NoTokenCache: true, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.in, err = Open(t.TempDir(), w.c, Options{Environment: "Local", Wait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.in.Start()
	t.Cleanup(w.in.Close)
	return w
}

// order spools a work order under name.
func (w *world) order(t *testing.T, name, data string) *Entry {
	t.Helper()
	e, err := w.in.Create(name, KindFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.DataPath(""), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// count is the number of work items on the server.
func (w *world) count(t *testing.T) int {
	t.Helper()
	items, err := w.c.QueryWorkItems(context.Background(), client.Query{Fields: []string{"Id"}})
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

// One refused item in a shared save fails alone; the others are created.
func TestRefusedItemInABatchFailsAlone(t *testing.T) {
	w := newWorld(t)
	var entries []*Entry
	for i, env := range []string{"Local", "Local", "Nowhere", "Local", "Local"} {
		entries = append(entries, w.order(t, string(rune('a'+i))+".json",
			`{"WorkItem_Type": "DockerWorker", "EnvironmentName": "`+env+`"}`))
	}
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w.in.Submit(e) }()
	}
	wg.Wait()
	for i, err := range errs {
		if (i == 2) != errors.Is(err, ErrRefused) || (i != 2 && err != nil) {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	if n := w.count(t); n != 4 {
		t.Errorf("%d work items, want 4", n)
	}
	if e := entries[2]; e.Manifest().State != StateFailed || e.ErrorText() == "" {
		t.Errorf("refused entry %+v", e.Manifest())
	}
}

// A save whose answer is lost (the item was created) is not repeated: the
// retry finds the item by its submission tag.
func TestLostAnswerIsLookedUpNotResaved(t *testing.T) {
	w := newWorld(t)
	var posts atomic.Int64
	h := func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/api/WorkItems" {
			return false
		}
		if posts.Add(1) == 1 {
			w.srv.ServeHTTP(httptest.NewRecorder(), r) // saved...
			http.Error(rw, `{"ResponseMessage": "gateway lost the answer"}`, http.StatusBadGateway)
			return true
		}
		return false
	}
	w.hook.Store(&h)
	e := w.order(t, "x.json", `{"WorkItem_Type": "DockerWorker"}`)
	if err := w.in.Submit(e); err != nil {
		t.Fatal(err)
	}
	if posts.Load() != 1 || w.count(t) != 1 {
		t.Errorf("%d saves, %d work items; want 1 and 1", posts.Load(), w.count(t))
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.Manifest().State != StateDone && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	wi, err := w.c.GetWorkItem(context.Background(), e.Link(), client.Query{})
	if err != nil || wi.State != client.StateCommissionRequested {
		t.Errorf("adopted item %+v, %v", wi, err)
	}
}
