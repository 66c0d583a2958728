package fs_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/inbox"
)

// cp order.json inbox/ && readlink inbox/order.json gives the new work
// item, which the local worker runs to Succeeded with the command's output.
func TestInboxOrderRunsToSucceeded(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", workers: 1})
	if err := e.write("inbox/order.json", []byte(hiOrder)); err != nil {
		t.Fatalf("close: %v", err)
	}
	id, err := e.link("order.json") // at once: no wait, no retry
	if err != nil {
		t.Fatalf("readlink right after close: %v", err)
	}
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{Children: []string{"Tags", "Files"}})
	if err != nil {
		t.Fatal(err)
	}
	if wi.Name != "order" || wi.Worker.Name != "DockerWorker" || wi.Worker.Version != inbox.WorkerVersion || wi.EnvironmentName != "Local" {
		t.Errorf("work item %+v", wi)
	}
	if wi.Tags["WorkItem_Type"] != "DockerWorker" || wi.Tags[inbox.TagSubmission] == nil {
		t.Errorf("tags %v", wi.Tags)
	}
	if len(wi.Files) != 1 || wi.Files[0].FileName != "WorkOrder.json" || wi.Files[0].FileType != "WorkOrder" {
		t.Errorf("files %+v", wi.Files)
	}
	if st, err := os.Lstat(e.path("inbox", "order.json")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("inbox/order.json: %v %v", st, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		wi, err = e.client.GetWorkItem(context.Background(), id, client.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if wi.State.Final() || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if wi.State != client.StateSucceeded { // commissioned by the inbox, run by the local worker
		t.Fatalf("state %s (%s)", wi.State, wi.ErrorMessage)
	}
	out, err := os.ReadFile(e.path("inbox", "order.json", "outputs", "StdOut.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "hi\n") {
		t.Errorf("StdOut.txt = %q", out)
	}
}

// Each bad input fails at close with EINVAL, explains itself in one line in
// NAME.error, creates nothing and keeps the data readable; writing the file
// again retries.
func TestInboxBadInputFailsAtClose(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{}) // no --environment
	cases := []struct{ name, data, why string }{
		{"invalid.json", `{"WorkItem_Type": "DockerWorker",`, "not valid JSON"},
		{"empty.json", ``, "empty"},
		{"array.json", `["WorkItem_Type"]`, "not a JSON object"},
		{"notype.json", `{"Execution": {"Command": "echo hi"}, "EnvironmentName": "Local"}`, "WorkItem_Type"},
		{"numtype.json", `{"WorkItem_Type": 3, "EnvironmentName": "Local"}`, "WorkItem_Type"},
		{"noenv.json", hiOrder, "no environment"},
		{"badenv.json", `{"WorkItem_Type": "DockerWorker", "EnvironmentName": "Nowhere"}`, "Nowhere"}, // a 400 from the server
	}
	before := e.srv.Stats().Requests["POST /api/WorkItems"]
	for _, c := range cases {
		err := e.write("inbox/"+c.name, []byte(c.data))
		if errnoOf(err) != syscall.EINVAL {
			t.Errorf("%s: close = %v, want EINVAL", c.name, err)
		}
		msg, err := os.ReadFile(e.path("inbox", strings.TrimSuffix(c.name, ".json")+".error"))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if strings.Count(string(msg), "\n") != 1 || !strings.HasSuffix(string(msg), "\n") || !strings.Contains(string(msg), c.why) {
			t.Errorf("%s: .error = %q, want one line about %q", c.name, msg, c.why)
		}
		if data, err := os.ReadFile(e.path("inbox", c.name)); err != nil || string(data) != c.data {
			t.Errorf("%s: data %q, %v", c.name, data, err)
		}
	}
	if n := len(e.workItems()); n != 0 {
		t.Errorf("%d work items created", n)
	}
	if got := e.srv.Stats().Requests["POST /api/WorkItems"] - before; got != 1 {
		t.Errorf("%d save requests; want 1 (only the unknown environment reaches the server)", got)
	}

	// Writing again retries: the entry becomes the symlink, .error goes.
	fixed := `{"WorkItem_Type": "DockerWorker", "EnvironmentName": "Local", "Name": "fixed"}`
	if err := e.write("inbox/noenv.json", []byte(fixed)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	id, err := e.link("noenv.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.path("inbox", "noenv.error")); !os.IsNotExist(err) {
		t.Errorf("noenv.error after success: %v", err)
	}
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
	if err != nil || wi.Name != "fixed" {
		t.Errorf("retried item %+v, %v", wi, err)
	}

	// rm clears a failed entry and its .error; rm of the symlink forgets a done one.
	if err := os.Remove(e.path("inbox", "invalid.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("inbox", "noenv.json")); err != nil {
		t.Fatal(err)
	}
	names := listNames(t, e.path("inbox"))
	if strings.Contains(names, "invalid") || strings.Contains(names, "noenv") {
		t.Errorf("after rm: %s", names)
	}
	if n := len(e.workItems()); n != 1 {
		t.Errorf("%d work items; want 1", n)
	}
	var st struct{ Inbox map[string]int64 }
	readJSON(t, e.path(".stats"), &st)
	if st.Inbox["failed"] != 5 || st.Inbox["done"] != 0 || st.Inbox["pending"] != 0 {
		t.Errorf(".stats inbox = %v", st.Inbox)
	}
}

// --read-only refuses every write in inbox/ with EROFS.
func TestInboxReadOnly(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local", readOnly: true})
	if err := e.write("inbox/order.json", []byte(hiOrder)); errnoOf(err) != syscall.EROFS {
		t.Errorf("create: %v, want EROFS", err)
	}
	if err := os.Mkdir(e.path("inbox", "job"), 0o755); errnoOf(err) != syscall.EROFS {
		t.Errorf("mkdir: %v, want EROFS", err)
	}
}

// TestInboxRmRightAfterCopy: the symlink of a work order can be removed as
// soon as the copy returns, while its commission is still on its way; the
// commission goes ahead.
func TestInboxRmRightAfterCopy(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	release := make(chan struct{})
	e.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/State/") {
			<-release // the commission waits until the entry is gone
		}
		return false
	})
	if err := e.write("inbox/quick.json", []byte(hiOrder)); err != nil {
		t.Fatal(err)
	}
	id, err := e.link("quick.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.path("inbox", "quick.json")); err != nil {
		t.Fatalf("rm right after cp: %v", err)
	}
	close(release)
	if names := listNames(t, e.path("inbox")); names != "" {
		t.Errorf("inbox after rm: %q", names)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
		if err == nil && wi.State != client.StateCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("work item %s never commissioned after its entry was removed: %+v, %v", id, wi, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
