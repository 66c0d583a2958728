package fs_test

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/fs/inbox"
)

// With the server stopped, close fails with EIO after --timeout and
// NAME.error says why; once the server is back the entry turns into the
// symlink by itself, .error goes, and exactly one work item exists.
func TestInboxServerDownThenBack(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", timeout: 1500 * time.Millisecond})
	e.stopServer()
	start := time.Now()
	err := e.write("inbox/order.json", []byte(hiOrder))
	took := time.Since(start)
	if errnoOf(err) != syscall.EIO {
		t.Fatalf("close with the server stopped: %v, want EIO", err)
	}
	if took < time.Second || took > 5*time.Second {
		t.Errorf("close took %v with --timeout 1.5s", took)
	}
	msg, err := os.ReadFile(e.path("inbox", "order.error"))
	if err != nil || !strings.Contains(string(msg), "background") || strings.Count(string(msg), "\n") != 1 {
		t.Errorf("order.error = %q, %v", msg, err)
	}
	if _, err := os.Readlink(e.path("inbox", "order.json")); err == nil {
		t.Fatal("a symlink already")
	}
	e.startServer()
	id := e.waitLink("order.json", 10*time.Second)
	if _, err := os.Stat(e.path("inbox", "order.error")); !os.IsNotExist(err) {
		t.Errorf("order.error after recovery: %v", err)
	}
	items := e.workItems()
	if len(items) != 1 || items[0].ID != id {
		t.Errorf("work items %+v, want exactly %s", items, id)
	}
}

// A mount dropped while its save is on the server but the answer is not
// back (as a kill -9 would leave it), then started again on the same spool,
// finds the work item by its submission tag: exactly one work item. The
// crash is simulated in process: the answer of the save is held, the mount
// is unmounted (its submitter stopped without completing), and a new mount
// is made on the same spool.
func TestInboxRestartAfterLostAnswerCreatesOnce(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", timeout: time.Second})
	saved := e.loseSaveAnswers()
	if err := e.write("inbox/order.json", []byte(hiOrder)); errnoOf(err) != syscall.EIO {
		t.Fatalf("close with the answer lost: %v, want EIO", err)
	}
	<-saved
	e.unmount()
	if n := len(e.workItems()); n != 1 {
		t.Fatalf("%d work items after the first run", n)
	}
	m, err := inbox.OpenSpool(e.opts.SpoolDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Get("order.json").Manifest()
	m.Close()
	if got.State != inbox.StatePending || got.Submission == "" {
		t.Fatalf("spool after the crash: %+v", got)
	}
	e.setHook(nil)
	posts := e.srv.Stats().Requests["POST /api/WorkItems"]
	e.mount()
	id := e.waitLink("order.json", 10*time.Second)
	items := e.workItems()
	if len(items) != 1 || items[0].ID != id {
		t.Errorf("work items %+v, want exactly %s", items, id)
	}
	if n := e.srv.Stats().Requests["POST /api/WorkItems"] - posts; n != 0 {
		t.Errorf("%d saves after the restart; the item should have been found by its tag", n)
	}
}
