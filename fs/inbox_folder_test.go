package fs_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// A folder with a work order, workitem.json and three inputs (one of
// 25 MiB, one the server already holds) becomes one work item when .submit
// is touched: every file arrives byte-identical, the known one is not sent
// again, the relation and tags are set and the item is commissioned.
func TestInboxFolderSubmission(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	ctx := context.Background()
	known := randomBytes(1, 1<<20)
	ids, err := e.srv.Seed(ctx, []localcomps.SeedWorkItem{{Name: "holder", State: "Succeeded",
		Files: []localcomps.SeedFile{{Path: "known.bin", FileType: "input", Data: known}}}})
	if err != nil {
		t.Fatal(err)
	}
	dep := ids[0]
	files := map[string][]byte{
		"WorkOrder.json": []byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "ls -l"}}`),
		"workitem.json": []byte(`{"name": "folder job", "description": "three inputs", "priority": "Highest",
			"tags": {"project": "inbox"}, "depends_on": ["` + dep + `"]}`),
		"small.txt": []byte("a small input\n"),
		"big.bin":   randomBytes(2, 25<<20),
		"known.bin": known,
	}
	if err := os.Mkdir(e.path("inbox", "job"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := e.write(filepath.Join("inbox", "job", name), data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	before := e.srv.Stats().BytesReceived
	start := time.Now()
	now := time.Now()
	if err := os.Chtimes(e.path("inbox", "job", ".submit"), now, now); err != nil { // touch inbox/job/.submit
		t.Fatalf("touch .submit: %v", err)
	}
	t.Logf("touch .submit took %v", time.Since(start))
	id, err := e.link("job")
	if err != nil {
		t.Fatalf("readlink right after touch: %v", err)
	}
	sent := e.srv.Stats().BytesReceived - before
	want := int64(len(files["WorkOrder.json"]) + len(files["small.txt"]) + len(files["big.bin"]))
	if sent != want {
		t.Errorf("server received %d bytes, want %d (the known file must not be sent)", sent, want)
	}
	wi, err := e.client.GetWorkItem(ctx, id, client.Query{Children: []string{"Tags", "Files"}})
	if err != nil {
		t.Fatal(err)
	}
	if wi.Name != "folder job" || wi.Description != "three inputs" || wi.Priority != client.PriorityHighest ||
		wi.Tags["project"] != "inbox" || wi.Tags["WorkItem_Type"] != "DockerWorker" || wi.State == client.StateCreated {
		t.Errorf("work item %+v", wi)
	}
	got := map[string]client.WorkItemFile{}
	for _, f := range wi.Files {
		got[f.FileName] = f
	}
	for name, data := range files {
		if name == "workitem.json" {
			if _, ok := got[name]; ok {
				t.Errorf("workitem.json was uploaded")
			}
			continue
		}
		f, ok := got[name]
		if !ok {
			t.Errorf("%s missing on the server", name)
			continue
		}
		wantType := "input"
		if name == "WorkOrder.json" {
			wantType = "WorkOrder"
		}
		if f.FileType != wantType {
			t.Errorf("%s: type %q", name, f.FileType)
		}
		body, err := e.client.Download(ctx, f.URI, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		h := md5.New()
		io.Copy(h, body)
		body.Close()
		if hex.EncodeToString(h.Sum(nil)) != md5Of(data) {
			t.Errorf("%s: downloaded bytes differ", name)
		}
	}
	rel, err := e.client.Related(ctx, id, "", client.RelationDependsOn)
	if err != nil || len(rel) != 1 || rel[0].ID != dep {
		t.Errorf("relations %+v, %v", rel, err)
	}
}

// A folder without WorkOrder.json, or with a workitem.json naming an
// unknown dependency, fails the touch with EINVAL and creates nothing; rm -r
// clears one, fixing the other and touching again submits it.
func TestInboxFolderBadInput(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	if err := os.Mkdir(e.path("inbox", "noorder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := e.write("inbox/noorder/input.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := os.Chtimes(e.path("inbox", "noorder", ".submit"), now, now); errnoOf(err) != syscall.EINVAL {
		t.Errorf("touch without a work order: %v, want EINVAL", err)
	}
	if err := os.Mkdir(e.path("inbox", "baddep"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.write("inbox/baddep/WorkOrder.json", []byte(hiOrder))
	e.write("inbox/baddep/workitem.json", []byte(`{"depends_on": ["Simulation/0a1b2c3d-0000-0000-0000-000000000000"]}`))
	if err := os.Chtimes(e.path("inbox", "baddep", ".submit"), now, now); errnoOf(err) != syscall.EINVAL {
		t.Errorf("touch with an unknown dependency: %v, want EINVAL", err)
	}
	for _, name := range []string{"noorder.error", "baddep.error"} {
		if b, err := os.ReadFile(e.path("inbox", name)); err != nil || len(b) == 0 {
			t.Errorf("%s: %q %v", name, b, err)
		}
	}
	if n := len(e.workItems()); n != 0 {
		t.Errorf("%d work items created", n)
	}
	if err := os.RemoveAll(e.path("inbox", "noorder")); err != nil { // rm -r clears the entry
		t.Fatal(err)
	}
	if names := listNames(t, e.path("inbox")); names != "baddep baddep.error" {
		t.Errorf("inbox after rm -r: %q", names)
	}

	// Fixed, the touch retries; commission false leaves the item Created.
	if err := e.write("inbox/baddep/workitem.json", []byte(`{"commission": false}`)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(e.path("inbox", "baddep", ".submit"), now, now); err != nil {
		t.Fatalf("touch after the fix: %v", err)
	}
	id, err := e.link("baddep")
	if err != nil {
		t.Fatal(err)
	}
	if names := listNames(t, e.path("inbox")); names != "baddep" {
		t.Errorf("inbox after the retry: %q", names)
	}
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
	if err != nil || wi.State != client.StateCreated {
		t.Errorf("work item %+v, %v; want it Created (commission false)", wi, err)
	}
}

// TestInboxShowsUploadProgress: while a folder's large input goes up in
// chunks, .stats lists the entry with the bytes sent so far and its total.
func TestInboxShowsUploadProgress(t *testing.T) {
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	const size = 24 << 20
	e.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/upload/") {
			time.Sleep(150 * time.Millisecond) // each chunk takes a while
		}
		return false
	})
	if err := os.Mkdir(e.path("inbox", "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := e.write("inbox/big/WorkOrder.json", []byte(hiOrder)); err != nil {
		t.Fatal(err)
	}
	if err := e.write("inbox/big/input.bin", bytes.Repeat([]byte("0123456789abcdef"), size/16)); err != nil {
		t.Fatal(err)
	}
	submitted := make(chan error, 1)
	go func() { submitted <- e.write("inbox/big/.submit", nil) }()
	var seen []compsfs.Stats
	for done := false; !done; {
		select {
		case err := <-submitted:
			if err != nil {
				t.Fatalf("touch .submit: %v", err)
			}
			done = true
		case <-time.After(50 * time.Millisecond):
			if st, err := compsfs.ReadStats(e.dir); err == nil && len(st.Uploads) > 0 {
				seen = append(seen, st)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal(".stats never showed the upload under way")
	}
	last := seen[len(seen)-1].Uploads[0]
	if last.Name != "big" || last.Total != size || last.Done <= 0 || last.Done >= size {
		t.Errorf(".stats inbox_uploads = %+v, want big with 0 < done < %d", last, size)
	}
	if st, _ := compsfs.ReadStats(e.dir); len(st.Uploads) != 0 {
		t.Errorf("uploads after the submission: %+v", st.Uploads)
	}
}
