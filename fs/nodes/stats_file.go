package nodes

import (
	"context"
	"encoding/json"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/fs/inbox"
)

// Stats is the content of .stats: the mount's counters.
type Stats struct {
	Requests map[string]int64    `json:"requests"`
	Content  *cache.ContentStats `json:"content,omitempty"`
	Metadata map[string]int64    `json:"metadata_cache"`
	Errors   int64               `json:"errors"`
	Inbox    map[string]int64    `json:"inbox"`
	// Uploads are the inbox entries whose large files are going up now.
	Uploads []inbox.Upload `json:"inbox_uploads,omitempty"`
	Server  ServerStats    `json:"server"`
}

// ServerStats says whether the server can be reached, and what was served
// from the cache while it could not (docs/caching.md, offline).
type ServerStats struct {
	Reachable bool `json:"reachable"`
	// UnreachableSince is when the server stopped answering, while it does not.
	UnreachableSince *time.Time `json:"unreachable_since,omitempty"`
	// StaleServed counts metadata answers served from expired cache entries
	// because the server could not answer.
	StaleServed int64 `json:"stale_served"`
}

// Stats gathers the mount's counters now.
func (m *Mount) Stats() Stats {
	s := Stats{Requests: m.cfg.Client.RequestCounts(), Metadata: map[string]int64{}, Errors: m.errors.Load(),
		Inbox: map[string]int64{}}
	if s.Requests == nil {
		s.Requests = map[string]int64{}
	}
	if m.cfg.Inbox != nil {
		s.Inbox = m.cfg.Inbox.Stats()
		s.Uploads = m.cfg.Inbox.Uploads()
	}
	if m.cfg.Content != nil {
		cs := m.cfg.Content.Stats()
		s.Content = &cs
	}
	s.Server.Reachable, s.Server.StaleServed = true, m.cat.StaleServed()
	if since, down := m.cfg.Client.Unreachable(); down {
		s.Server.Reachable, s.Server.UnreachableSince = false, &since
	}
	for name, st := range m.cat.Stats() {
		s.Metadata[name+"_hits"] = st.Hits
		s.Metadata[name+"_misses"] = st.Misses
	}
	return s
}

// newStatsFile is the .stats node: the counters as JSON, rendered per open.
func newStatsFile(m *Mount) gofs.InodeEmbedder {
	return newTextFile(m, func(ctx context.Context) (text, error) {
		b, err := json.MarshalIndent(m.Stats(), "", "  ")
		return text{data: append(b, '\n'), mtime: m.cfg.Now(), volatile: true}, err
	})
}
