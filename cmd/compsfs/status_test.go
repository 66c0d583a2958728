package main

import (
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/fs/inbox"
)

// compsfs status prints the server's reachability and each inbox upload's
// progress, humanized.
func TestStatusPrintsUploadsAndAnUnreachableServer(t *testing.T) {
	since := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	var s fs.Stats
	s.Requests = map[string]int64{"GET /api/WorkItems": 3}
	s.Inbox = map[string]int64{"pending": 1}
	s.Uploads = []inbox.Upload{{Name: "big", Done: 256 << 20, Total: 1 << 30}}
	s.Server.UnreachableSince = &since
	var b strings.Builder
	printStatus(&b, s)
	out := b.String()
	for _, want := range []string{"inbox/big: 256 MiB of 1.0 GiB sent (25%)", "server:        unreachable since", "1 pending"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}
