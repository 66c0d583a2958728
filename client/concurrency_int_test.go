package client_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestConcurrentUse(t *testing.T) {
	// One client shared by goroutines that save, tag, query and download
	// at once, as the filesystem does.
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Go(func() {
			items := make([]client.NewWorkItem, each)
			for i := range items {
				items[i] = client.NewWorkItem{Name: fmt.Sprintf("g%d-%d", g, i), Worker: testWorker, EnvironmentName: testEnv,
					Tags:  client.Tags{"g": fmt.Sprint(g)},
					Files: []client.FileUpload{client.FileFromBytes("WorkOrder.json", "WorkOrder", fmt.Appendf(nil, `{"g": %d, "i": %d}`, g, i))}}
			}
			ids, err := c.SaveWorkItems(ctx, items)
			if err != nil {
				errs <- fmt.Errorf("goroutine %d save: %w", g, err)
				return
			}
			if err := c.SetTags(ctx, client.KindWorkItem, ids[0], client.Tags{"first": "yes"}, client.TagsMerge); err != nil {
				errs <- fmt.Errorf("goroutine %d tags: %w", g, err)
				return
			}
			got, err := c.QueryWorkItems(ctx, client.Query{TagFilters: []string{"g=" + fmt.Sprint(g)}, Fields: []string{"Id"}})
			if err != nil || len(got) != each {
				errs <- fmt.Errorf("goroutine %d query: %d items, %v", g, len(got), err)
				return
			}
			wi, err := c.GetWorkItem(ctx, ids[each-1], client.Query{Children: []string{"Files"}})
			if err != nil {
				errs <- fmt.Errorf("goroutine %d get: %w", g, err)
				return
			}
			data, err := download(t, c, wi.Files[0].URI, 0, -1)
			if want := fmt.Sprintf(`{"g": %d, "i": %d}`, g, each-1); err != nil || string(data) != want {
				errs <- fmt.Errorf("goroutine %d download: %q, %v", g, data, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := c.QueryWorkItems(ctx, client.Query{Fields: []string{"Id"}})
	if err != nil || len(all) != workers*each {
		t.Errorf("%d items after %d concurrent saves of %d, %v", len(all), workers, each, err)
	}

	// Tokens revoked under many concurrent calls: one re-login serves them all.
	ts.srv.RevokeTokens()
	ts.rec.reset()
	var wg2 sync.WaitGroup
	for range workers {
		wg2.Go(func() {
			if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
				t.Error(err)
			}
		})
	}
	wg2.Wait()
	if n := ts.rec.count(http.MethodPost, "/api/tokens"); n != 1 {
		t.Errorf("%d concurrent calls after a revocation logged in %d times, want once:\n%s", workers, n, ts.rec.summary())
	}
}
