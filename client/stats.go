package client

import (
	"maps"
	"strings"
	"sync"
)

// requestCounter counts the requests a client sends, by method and the first
// segment of the protocol path ("GET WorkItems", "GET asset"); ids are never
// part of a key, so the key set stays small.
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

// count records one request.
func (rc *requestCounter) count(method, path string) {
	seg := strings.TrimPrefix(path, "/")
	if i := strings.Index(seg, "/asset/"); i >= 0 { // absolute download URLs
		seg = "asset"
	} else if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	rc.mu.Lock()
	if rc.n == nil {
		rc.n = map[string]int64{}
	}
	rc.n[method+" "+seg]++
	rc.mu.Unlock()
}

// RequestCounts returns how many requests of each kind the client has sent
// (retries included), keyed "METHOD first-path-segment".
func (c *Client) RequestCounts() map[string]int64 {
	c.requests.mu.Lock()
	defer c.requests.mu.Unlock()
	return maps.Clone(c.requests.n)
}
