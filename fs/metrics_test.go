package fs_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/cache"
	compsfs "github.com/compsfs/compsfs/fs"
)

func TestWriteMetricsIsPrometheusText(t *testing.T) {
	s := compsfs.Stats{
		Requests: map[string]int64{"GET WorkItems": 12, "POST WorkItems": 1, `GET we"ird`: 2},
		Content:  &cache.ContentStats{Hits: 5, Misses: 2, BytesFetched: 4096, BytesOnDisk: 1024, Evictions: 1},
		Metadata: map[string]int64{"workitems_hits": 7, "workitems_misses": 3},
		Errors:   4,
		Inbox:    map[string]int64{"pending": 2, "done": 9, "save_calls": 6, "adopted": 1},
	}
	var b strings.Builder
	if err := compsfs.WriteMetrics(&b, s); err != nil {
		t.Fatal(err)
	}
	want := `# HELP compsfs_requests_total Requests sent to the COMPS server (retries included), by method and endpoint.
# TYPE compsfs_requests_total counter
compsfs_requests_total{method="GET",endpoint="WorkItems"} 12
compsfs_requests_total{method="GET",endpoint="we\"ird"} 2
compsfs_requests_total{method="POST",endpoint="WorkItems"} 1
# HELP compsfs_errors_total Filesystem calls answered with an error.
# TYPE compsfs_errors_total counter
compsfs_errors_total 4
# HELP compsfs_content_cache_hits_total Chunk reads served from the output-file cache.
# TYPE compsfs_content_cache_hits_total counter
compsfs_content_cache_hits_total 5
# HELP compsfs_content_cache_misses_total Chunk reads that waited for a download.
# TYPE compsfs_content_cache_misses_total counter
compsfs_content_cache_misses_total 2
# HELP compsfs_content_cache_fetched_bytes_total Bytes downloaded into the output-file cache.
# TYPE compsfs_content_cache_fetched_bytes_total counter
compsfs_content_cache_fetched_bytes_total 4096
# HELP compsfs_content_cache_evictions_total Chunks removed to stay within the cache's bound.
# TYPE compsfs_content_cache_evictions_total counter
compsfs_content_cache_evictions_total 1
# HELP compsfs_content_cache_verify_failures_total Files whose bytes did not match their md5.
# TYPE compsfs_content_cache_verify_failures_total counter
compsfs_content_cache_verify_failures_total 0
# HELP compsfs_content_cache_disk_bytes Bytes of the output-file cache on disk.
# TYPE compsfs_content_cache_disk_bytes gauge
compsfs_content_cache_disk_bytes 1024
# HELP compsfs_metadata_cache_hits_total Metadata cache hits, by cache.
# TYPE compsfs_metadata_cache_hits_total counter
compsfs_metadata_cache_hits_total{cache="workitems"} 7
# HELP compsfs_metadata_cache_misses_total Metadata cache misses, by cache.
# TYPE compsfs_metadata_cache_misses_total counter
compsfs_metadata_cache_misses_total{cache="workitems"} 3
# HELP compsfs_inbox_entries Entries of the inbox's spool, by state.
# TYPE compsfs_inbox_entries gauge
compsfs_inbox_entries{state="done"} 9
compsfs_inbox_entries{state="pending"} 2
# HELP compsfs_inbox_adopted_total Submissions found on the server by their tag after a lost answer.
# TYPE compsfs_inbox_adopted_total counter
compsfs_inbox_adopted_total 1
# HELP compsfs_inbox_save_calls_total Save requests the inbox sent.
# TYPE compsfs_inbox_save_calls_total counter
compsfs_inbox_save_calls_total 6
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestMetricsHandlerServesTheCountersNow(t *testing.T) {
	n := int64(0)
	srv := httptest.NewServer(compsfs.MetricsHandler(func() compsfs.Stats {
		n++
		return compsfs.Stats{Errors: n}
	}))
	defer srv.Close()
	for want := 1; want <= 2; want++ {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Content-Type %q", ct)
		}
		if !strings.Contains(string(body), fmt.Sprintf("\ncompsfs_errors_total %d\n", want)) {
			t.Errorf("scrape %d:\n%s", want, body)
		}
	}
}
