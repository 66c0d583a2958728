package cache_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// clientSource is how compsfs reads outputs: the client's Download, retried
// only while the cache says a reader waits.
func clientSource(cl *client.Client, url string) cache.Source {
	return func(ctx context.Context, off, length int64) (io.ReadCloser, error) {
		return cl.Download(client.RetryWhile(ctx, func() bool { return cache.Wanted(ctx) }), url, off, length)
	}
}

// newClientAndCache makes a client of the server at url (fast retries) and
// a content cache in a temporary folder, closed when the test ends.
func newClientAndCache(t *testing.T, url string) (*client.Client, *cache.Content) {
	t.Helper()
	cl, err := client.New(client.Options{Server: url, Token: "x,System,u,a,b,c,2099-01-01-00-00-00",
		NoTokenCache: true, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.OpenContent(cache.ContentOptions{Dir: t.TempDir(), MaxBytes: 1 << 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return cl, c
}

func TestCancelledReadStopsTheRetriesAtOnce(t *testing.T) {
	var requests atomic.Int32
	first, answer := make(chan struct{}), make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			close(first)
			<-answer
		}
		http.Error(w, `{"ResponseMessage": "busy"}`, http.StatusServiceUnavailable)
	}))
	defer hs.Close()
	cl, c := newClientAndCache(t, hs.URL)
	url := hs.URL + "/asset/WorkItems/6c1ec7ee-6a0f-f011-9311-f0921c167864/Output/f.bin"
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := c.ReadAt(ctx, cache.Key{ID: url, Size: 1000}, clientSource(cl, url), make([]byte, 10), 0)
		done <- err
	}()
	<-first
	cancel()
	// The read returns while its download's first request is unanswered.
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read: %v, want context.Canceled", err)
	}
	close(answer) // 503: a retry would follow if anyone still waited
	c.Close()     // waits for the download to end
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want the one made before the read was cancelled", n)
	}
}

func TestAWaitedDownloadIsRetriedByTheClient(t *testing.T) {
	data := []byte("0123456789abcdef")
	var requests atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 2 {
			http.Error(w, `{"ResponseMessage": "busy"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(data)-1, len(data)))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data)
	}))
	defer hs.Close()
	cl, c := newClientAndCache(t, hs.URL)
	url := hs.URL + "/asset/WorkItems/6c1ec7ee-6a0f-f011-9311-f0921c167864/Output/f.bin"
	p := make([]byte, len(data))
	if n, err := c.ReadAt(t.Context(), cache.Key{ID: url, Size: int64(len(data))}, clientSource(cl, url), p, 0); err != nil || string(p[:n]) != string(data) {
		t.Fatalf("ReadAt = %q, %v", p[:n], err)
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("%d requests, want two 503s retried by the client and the answer", n)
	}
}
