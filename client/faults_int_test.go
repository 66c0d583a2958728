package client_test

// Integration tests under the faults localcomps injects: 503 answers,
// bodies cut short and slow answers.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestRetry503OnReads(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	w := seedWorld(t, ts.srv)
	seedGrid(t, ts.srv, 30, 30)
	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	url := findOutput(t, outs, "out/deep/data.bin").URL

	ts.srv.SetFaults(localcomps.Faults{FailRate: 0.5, Seed: 42})
	ts.srv.ResetStats()
	ts.rec.reset()
	calls := 0
	for range 4 {
		calls += 5
		if wi, err := c.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Tags"}}); err != nil || wi.Name != "seeded" {
			t.Fatalf("GetWorkItem under 503s: %v", err)
		}
		items, err := c.QueryWorkItems(ctx, client.Query{TagFilters: []string{"group=g-even"}, OrderBy: "Name"})
		if err != nil || !slices.Equal(names(items), gridNames(0, 30, 2)) {
			t.Fatalf("query under 503s: %d items, %v", len(items), err)
		}
		if o, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem); err != nil || len(o) != 3 {
			t.Fatalf("OutputFiles under 503s: %v", err)
		}
		if got, err := download(t, c, url, 100, 900); err != nil || string(got) != string(w.nested[100:1000]) {
			t.Fatalf("download under 503s: %d bytes, %v", len(got), err)
		}
		if _, err := c.Related(ctx, w.workItem, "", ""); err != nil {
			t.Fatalf("Related under 503s: %v", err)
		}
	}
	st := ts.srv.Stats()
	if st.Injected == 0 || st.Errors != st.Injected {
		t.Errorf("stats: %d injected failures, %d errors; want some 503s and no other errors", st.Injected, st.Errors)
	}
	if n := len(ts.rec.all()); int64(n) != int64(calls)+st.Injected {
		t.Errorf("%d requests for %d calls and %d 503s: every 503 must be retried once more, nothing else", n, calls, st.Injected)
	}
	t.Logf("%d calls, %d injected 503s, all retried to success", calls, st.Injected)

	// When every attempt fails, the client gives up after MaxAttempts.
	ts.srv.SetFaults(localcomps.Faults{})
	c4 := ts.login(t, func(o *client.Options) { o.MaxAttempts = 4 })
	ts.srv.SetFaults(localcomps.Faults{FailRate: 1})
	ts.rec.reset()
	if _, err := c4.GetWorkItem(ctx, w.workItem, client.Query{}); !errors.Is(err, client.ErrServer) {
		t.Errorf("GET failing every time: %v, want ErrServer", err)
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems/*"); n != 4 {
		t.Errorf("GET failing every time: %d attempts, want MaxAttempts = 4", n)
	}
}

func TestNoRetry503OnSaves(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	w := seedWorld(t, ts.srv)
	id := saveOne(t, c, "existing")

	ts.srv.SetFaults(localcomps.Faults{FailRate: 1})
	ts.srv.ResetStats()
	ts.rec.reset()
	_, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "never twice", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{client.FileFromBytes("WorkOrder.json", "WorkOrder", []byte(`{}`))}}})
	if !errors.Is(err, client.ErrServer) {
		t.Fatalf("save answered 503: %v, want ErrServer", err)
	}
	if n := ts.rec.count(http.MethodPost, "/api/WorkItems"); n != 1 || len(ts.rec.all()) != 1 {
		t.Errorf("a save answered 503 was sent %d times (want exactly 1):\n%s", n, ts.rec.summary())
	}
	if n := ts.srv.Stats().Requests["POST /api/WorkItems"]; n != 1 {
		t.Errorf("server counted %d POST /api/WorkItems, want 1", n)
	}

	// Neither are an update and a new relation.
	name := "renamed"
	ts.rec.reset()
	if err := c.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Name: &name}); !errors.Is(err, client.ErrServer) {
		t.Errorf("update answered 503: %v", err)
	}
	if err := c.AddRelation(ctx, id, client.RelationDependsOn, client.KindExperiment, w.experiment); !errors.Is(err, client.ErrServer) {
		t.Errorf("relation answered 503: %v", err)
	}
	if n := len(ts.rec.all()); n != 2 {
		t.Errorf("update and relation answered 503: %d requests, want 2:\n%s", n, ts.rec.summary())
	}

	ts.srv.SetFaults(localcomps.Faults{})
	if found, err := c.QueryWorkItems(ctx, client.Query{Filters: []string{"Name=never twice"}}); err != nil || len(found) != 0 {
		t.Errorf("the refused save created %d items (%v)", len(found), err)
	}
	if wi, err := c.GetWorkItem(ctx, id, client.Query{}); err != nil || wi.Name != "existing" {
		t.Errorf("the refused update changed the item: %+v, %v", wi, err)
	}
}

// faultyWorld seeds a world and returns a client making at most attempts
// tries a call, and the URL of the world's nested output.
func faultyWorld(t *testing.T, ts *testServer, attempts int) (*client.Client, *world, string) {
	t.Helper()
	c := ts.login(t, func(o *client.Options) { o.MaxAttempts = attempts })
	w := seedWorld(t, ts.srv)
	outs, err := c.OutputFiles(t.Context(), client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	return c, w, findOutput(t, outs, "out/deep/data.bin").URL
}

func TestCutBodies(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c, w, url := faultyWorld(t, ts, 3)
	ctx := t.Context()

	ts.srv.SetFaults(localcomps.Faults{ResetRate: 1})
	ts.rec.reset()

	// A JSON read: retried, then an error, never a partial entity.
	wi, err := c.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Tags", "Files"}})
	if err == nil || wi != nil {
		t.Fatalf("GetWorkItem with its body cut: %+v, %v; want an error and nothing", wi, err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut body: %v, want io.ErrUnexpectedEOF in the chain", err)
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems/*"); n != 3 {
		t.Errorf("a cut JSON read was tried %d times, want MaxAttempts = 3", n)
	}
	if items, err := c.QueryWorkItems(ctx, client.Query{}); err == nil {
		t.Errorf("query with cut bodies returned %d items and no error", len(items))
	}

	// A save whose answer is cut: an error, and not sent again.
	ts.rec.reset()
	if _, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "answer lost", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{client.FileFromBytes("WorkOrder.json", "WorkOrder", []byte(`{}`))}}}); err == nil {
		t.Error("a save whose answer was cut reported success")
	}
	if n := ts.rec.count(http.MethodPost, "/api/WorkItems"); n != 1 {
		t.Errorf("a save whose answer was cut was sent %d times, want 1", n)
	}

	// Downloads, whole and ranged: an error, never short data.
	for _, rg := range []struct{ off, n int64 }{{0, -1}, {1000, 50000}, {10, -1}} {
		got, err := download(t, c, url, rg.off, rg.n)
		if err == nil {
			t.Errorf("download %d+%d with its body cut: %d bytes and no error", rg.off, rg.n, len(got))
		} else if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("download %d+%d: %v, want io.ErrUnexpectedEOF", rg.off, rg.n, err)
		}
	}

	// Some cut bodies among good ones: JSON reads are retried to complete
	// answers.
	ts.srv.SetFaults(localcomps.Faults{})
	c10 := ts.login(t, func(o *client.Options) { o.MaxAttempts = 10 })
	ts.srv.SetFaults(localcomps.Faults{ResetRate: 0.3, Seed: 7})
	ts.srv.ResetStats()
	for range 10 {
		wi, err := c10.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Files", "Tags"}})
		if err != nil || len(wi.Files) != 2 || len(wi.Tags) != 2 {
			t.Fatalf("read with some cut bodies: %+v, %v", wi, err)
		}
	}
	if ts.srv.Stats().Injected == 0 {
		t.Error("no body was cut at ResetRate 0.3")
	}
}

func TestSlowServerTimesOut(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	srv.SetFaults(localcomps.Faults{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.QueryWorkItems(ctx, client.Query{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the call took %v after a 200 ms deadline", d)
	}
}

func TestUploadResumesAfterFaults(t *testing.T) {
	// Chunks answered 503 (not stored) or with their answer cut (stored):
	// the client asks the server how much it holds and goes on from there,
	// so every byte arrives exactly once and the file is whole.
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	data := pseudoRandom(20<<20+777, 9)
	f := client.FileFromBytes("flaky.bin", "input", data)

	ts.srv.SetFaults(localcomps.Faults{FailRate: 0.3, ResetRate: 0.3, Seed: 3})
	ts.srv.ResetStats()
	ts.rec.reset()
	if err := c.UploadLarge(ctx, f); err != nil {
		t.Fatalf("upload under faults: %v\n%s", err, ts.rec.summary())
	}
	st := ts.srv.Stats()
	ts.srv.SetFaults(localcomps.Faults{})
	if st.Injected == 0 {
		t.Fatal("no fault was injected")
	}
	if st.BytesReceived != int64(len(data)) {
		t.Errorf("server received %d file bytes for a %d-byte file: a stored chunk was sent again or one was lost", st.BytesReceived, len(data))
	}
	t.Logf("%d requests, %d faults injected", len(ts.rec.all()), st.Injected)
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "flaky upload", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{f}}})
	if err != nil {
		t.Fatal(err)
	}
	checkDownload(t, c, ids[0], "flaky.bin", data)
}

func TestUploadRetriesEachChunk(t *testing.T) {
	// MaxAttempts bounds the tries of one chunk, not of the whole upload: a
	// file whose chunks fail more than MaxAttempts times in all, but each
	// fewer, still goes up. (Fixed seed: the same failures every run.)
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, func(o *client.Options) { o.MaxAttempts = 5 })
	data := pseudoRandom(12<<20, 9)
	f := client.FileFromBytes("flaky.bin", "input", data)
	ts.srv.SetFaults(localcomps.Faults{FailRate: 0.5, Seed: 5})
	ts.rec.reset()
	err := c.UploadLarge(t.Context(), f)
	ts.srv.SetFaults(localcomps.Faults{})
	failed := 0
	for _, r := range ts.rec.matching(http.MethodPost, "/api/upload/*") {
		if r.Status != http.StatusOK {
			failed++
		}
	}
	if err != nil {
		for _, r := range ts.rec.all() {
			t.Log(r.Method, r.Path, r.Header.Get("Content-Range"), r.Status)
		}
		t.Fatalf("upload with %d failed chunks in all: %v", failed, err)
	}
	if failed < 5 {
		t.Fatalf("only %d chunk failures: the seed no longer exercises more failures than MaxAttempts", failed)
	}
	if st, err := c.CheckFile(t.Context(), f.MD5); err != nil || !st.Complete {
		t.Errorf("after the upload: %+v, %v", st, err)
	}
}

func TestOneAttemptBudgetPerCallUnderFaults(t *testing.T) {
	// 503s and cut bodies together: whatever mix a call meets, its requests
	// (retries and a download's resumptions) stay within MaxAttempts, and
	// what it returns is whole or an error.
	ts := startServer(t, localcomps.Options{})
	c, w, url := faultyWorld(t, ts, 4)
	ctx := t.Context()
	calls := map[string]func() error{
		"GetWorkItem": func() error {
			wi, err := c.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Tags", "Files"}})
			if err == nil && (wi.Name != "seeded" || len(wi.Files) != 2) {
				return errors.New("partial work item")
			}
			return err
		},
		"Download": func() error {
			got, err := download(t, c, url, 0, -1)
			if err == nil && string(got) != string(w.nested) {
				return errors.New("wrong bytes")
			}
			return err
		},
		"ranged Download": func() error {
			got, err := download(t, c, url, 1000, 50000)
			if err == nil && string(got) != string(w.nested[1000:51000]) {
				return errors.New("wrong bytes")
			}
			return err
		},
	}
	ts.srv.SetFaults(localcomps.Faults{FailRate: 0.3, ResetRate: 0.4, Seed: 21})
	defer ts.srv.SetFaults(localcomps.Faults{})
	retried, failed := 0, 0
	for i := range 30 {
		for name, call := range calls {
			ts.rec.reset()
			err := call()
			n := len(ts.rec.all())
			if n > 4 {
				t.Errorf("%s #%d: %d requests, more than MaxAttempts = 4", name, i, n)
			}
			if err != nil {
				if !errors.Is(err, client.ErrServer) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%s #%d: %v, want a 503 or a cut body", name, i, err)
				}
				failed++
			}
			if n > 1 {
				retried++
			}
		}
	}
	if retried == 0 || ts.srv.Stats().Injected == 0 {
		t.Fatal("no call was retried: the faults do not exercise the budget")
	}
	t.Logf("90 calls: %d retried, %d failed after 4 attempts", retried, failed)
}
