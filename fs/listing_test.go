package fs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/compsfs/compsfs/localcomps"
)

// seedMany seeds n finished work items with one small output each.
func seedMany(t *testing.T, s *localcomps.Server, n int) []string {
	t.Helper()
	items := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		items[i] = localcomps.SeedWorkItem{Name: fmt.Sprintf("item %04d", i), EnvironmentName: "Local",
			WorkerName: "DockerWorker", WorkerVersion: "1.0.0.0_RELEASE", State: "Succeeded"}
	}
	ids, err := s.Seed(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestListingAnswersEveryLaterStatAndRead is docs/caching.md's first rule: ls -l of
// workitems/ over 2,000 items and then cat of every state file cost no more
// than ceil(2000/page size)+2 requests.
func TestListingAnswersEveryLaterStatAndRead(t *testing.T) {
	const n, pageSize = 2000, 1000
	var ids []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) { ids = seedMany(t, s, n) })
	e.srv.ResetStats()
	script := fmt.Sprintf("ls -l %q/workitems/ | wc -l && cat %q/workitems/*/state | sort | uniq -c", e.dir, e.dir)
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := fmt.Sprintf("%d\n   %d Succeeded\n", n+1, n)
	if string(out) != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	total := e.requests("")
	if limit := int64((n+pageSize-1)/pageSize + 2); total > limit {
		t.Fatalf("%d requests (%v), want at most %d", total, e.srv.Stats().Requests, limit)
	}
	t.Logf("ls -l + cat of %d work items: %d requests: %v", n, total, e.srv.Stats().Requests)
	if _, err := os.Stat(e.path("workitems", ids[0], "state")); err != nil {
		t.Fatal(err)
	}
}

// TestUnlistedWorkItemIsReachableByID: an item of another owner is not in
// the listing, but its folder opens by id.
func TestUnlistedWorkItemIsReachableByID(t *testing.T) {
	var mine, theirs string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		mine = seedOne(t, s, localcomps.SeedWorkItem{Name: "mine", State: "Succeeded"})
		theirs = seedOne(t, s, localcomps.SeedWorkItem{Name: "theirs", Owner: "someoneelse", State: "Succeeded"})
	})
	entries, err := os.ReadDir(e.path("workitems"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range entries {
		names = append(names, de.Name())
	}
	if len(names) != 1 || names[0] != mine {
		t.Fatalf("workitems/ lists %v, want only %s", names, mine)
	}
	if got := e.read("workitems", theirs, "owner"); got != "someoneelse\n" {
		t.Fatalf("owner of the unlisted item: %q", got)
	}
}
