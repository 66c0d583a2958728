package fs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/inbox"
	"github.com/compsfs/compsfs/localcomps"
)

// submitMany writes n orders into inbox/ with width parallel writers and
// returns how many closes failed with EIO (still pending, to finish in the
// background); any other error fails the test.
func submitMany(t *testing.T, e *env, n, width int) int64 {
	t.Helper()
	var eio atomic.Int64
	parallelDo(n, width, func(i int) {
		err := e.write(fmt.Sprintf("inbox/o%03d.json", i), []byte(hiOrder))
		switch {
		case err == nil:
		case errnoOf(err) == syscall.EIO:
			eio.Add(1)
		default:
			t.Errorf("o%03d: %v", i, err)
		}
	})
	return eio.Load()
}

// checkExactlyOnce waits for every entry to be a symlink and checks that
// the server has exactly one work item per submission.
func checkExactlyOnce(t *testing.T, e *env, n int) {
	t.Helper()
	ids := map[string]bool{}
	for i := range n {
		ids[e.waitLink(fmt.Sprintf("o%03d.json", i), 30*time.Second)] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct ids for %d entries", len(ids), n)
	}
	e.srv.SetFaults(localcomps.Faults{})
	items := e.workItems()
	subs := map[string]bool{}
	for _, it := range items {
		subs[client.TagText(it.Tags[inbox.TagSubmission])] = true
		if !ids[it.ID] {
			t.Errorf("work item %s is no entry's", it.ID)
		}
	}
	if len(items) != n || len(subs) != n {
		t.Errorf("%d work items with %d distinct submission tags for %d submissions", len(items), len(subs), n)
	}
}

// 300 submissions against a server that answers 20% of requests 503 and
// cuts 10% of answers: exactly 300 work items.
func TestInboxExactlyOnceUnderFaults(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", timeout: 5 * time.Second})
	e.srv.SetFaults(localcomps.Faults{FailRate: 0.2, ResetRate: 0.1, Seed: 7})
	start := time.Now()
	eio := submitMany(t, e, 300, 16)
	checkExactlyOnce(t, e, 300)
	st := e.srv.Stats()
	t.Logf("300 submissions under FailRate 0.2 + ResetRate 0.1 in %v: %d closes EIO (finished in the background), %d faults injected, %d save requests, %d found by their tag after a lost answer, %d GET /api/WorkItems (tag look-ups, retries included)",
		time.Since(start).Round(time.Millisecond), eio, st.Injected, st.Requests["POST /api/WorkItems"], e.mnt.Inbox.Stats()["adopted"], st.Requests["GET /api/WorkItems"])
}

// 200 orders copied by 16 parallel cp processes (xargs -P 16 cp) share
// save requests. Each close waits for its work item, so at most 16 are
// queued at once: the floor is ceil(200/16) = 13 requests.
func TestInboxBatchesParallelCp(t *testing.T) {
	if _, err := exec.LookPath("xargs"); err != nil {
		t.Skip("no xargs")
	}
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	src := t.TempDir()
	for i := range 200 {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("o%03d.json", i)), []byte(hiOrder), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := e.srv.Stats().Requests["POST /api/WorkItems"]
	start := time.Now()
	cmd := exec.Command("sh", "-c", `ls | xargs -P 16 -I{} cp {} "$0"/inbox/`, e.dir)
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("parallel cp: %v\n%s", err, out)
	}
	took := time.Since(start)
	saves := e.srv.Stats().Requests["POST /api/WorkItems"] - before
	checkExactlyOnce(t, e, 200)
	t.Logf("200 orders by 16 parallel cp: %d save requests (%d save calls) in %v", saves, e.mnt.Inbox.Stats()["save_calls"], took.Round(time.Millisecond))
	if saves > 50 {
		t.Errorf("%d save requests for 200 orders by 16 cp; want far fewer than 200 (the floor is 13)", saves)
	}
}
