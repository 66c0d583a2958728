package nodes

import (
	"context"
	"encoding/json"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/cache"
)

// Stats is the content of .stats: the mount's counters.
type Stats struct {
	Requests map[string]int64    `json:"requests"`
	Content  *cache.ContentStats `json:"content,omitempty"`
	Metadata map[string]int64    `json:"metadata_cache"`
	Errors   int64               `json:"errors"`
	Inbox    map[string]int64    `json:"inbox"`
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
	}
	if m.cfg.Content != nil {
		cs := m.cfg.Content.Stats()
		s.Content = &cs
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
