package localcomps

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats is a snapshot of the server's counters.
type Stats struct {
	// Requests counts requests by "METHOD /route/pattern", e.g.
	// "GET /api/WorkItems"; unmatched requests count under "METHOD (unmatched)".
	Requests map[string]int64
	// BytesReceived counts file bytes received in multipart parts and
	// upload chunks.
	BytesReceived int64
	// BytesSent counts download body bytes sent.
	BytesSent int64
	// Errors counts answers with a status of 400 or more.
	Errors int64
	// Injected counts requests affected by fault injection (503s and cut
	// bodies).
	Injected int64
}

// statsCounter accumulates the counters behind Stats.
type statsCounter struct {
	mu       sync.Mutex
	requests map[string]int64
	received atomic.Int64
	sent     atomic.Int64
	errors   atomic.Int64
	injected atomic.Int64
}

func (c *statsCounter) reset() {
	c.mu.Lock()
	c.requests = map[string]int64{}
	c.mu.Unlock()
	c.received.Store(0)
	c.sent.Store(0)
	c.errors.Store(0)
	c.injected.Store(0)
}

func (c *statsCounter) request(key string) {
	c.mu.Lock()
	c.requests[key]++
	c.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	req := maps.Clone(s.stats.requests)
	s.stats.mu.Unlock()
	return Stats{
		Requests:      req,
		BytesReceived: s.stats.received.Load(),
		BytesSent:     s.stats.sent.Load(),
		Errors:        s.stats.errors.Load(),
		Injected:      s.stats.injected.Load(),
	}
}

// ResetStats sets every counter back to zero.
func (s *Server) ResetStats() { s.stats.reset() }
