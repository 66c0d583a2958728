package catalog

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// world is a real localcomps over HTTP for catalog tests, with a hook that
// may answer requests first. It is made outside any synctest bubble, so
// that the server's goroutines are not part of it.
type world struct {
	srv  *localcomps.Server
	http *httptest.Server
	hook atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

// newWorld starts localcomps behind an HTTP server, both closed at cleanup.
func newWorld(t *testing.T) *world {
	t.Helper()
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w := &world{srv: srv}
	w.http = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if h := w.hook.Load(); h != nil && (*h)(rw, r) {
			return
		}
		srv.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.http.Close)
	return w
}

// catalog makes a catalog of the world's server with long TTLs, reading
// time from time.Now (the bubble's fake clock inside synctest). Its client
// keeps no idle connection, whose goroutines would never let a bubble's
// time advance.
func (w *world) catalog(t *testing.T, dirTTL, attrTTL time.Duration) *Catalog {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c, err := client.New(client.Options{Server: w.http.URL, Token: w.srv.Token(), NoTokenCache: true, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Client: c, DirTTL: dirTTL, AttrTTL: attrTTL, Timeout: 10 * time.Second})
}

// seed adds work items to the server and returns their ids.
func (w *world) seed(t *testing.T, items ...localcomps.SeedWorkItem) []string {
	t.Helper()
	ids, err := w.srv.Seed(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// requests is how many requests the server counted under key.
func (w *world) requests(key string) int64 { return w.srv.Stats().Requests[key] }
