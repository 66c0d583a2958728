package client_test

// The end-to-end sequence of docs/protocol.md §13 through the client, against a
// localcomps whose worker really runs the work items.

import (
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// waitState polls a work item until done(state) holds, failing the test
// after timeout. Polling is how clients learn of completion (§6).
func waitState(t *testing.T, c *client.Client, id string, timeout time.Duration, done func(client.WorkItemState) bool) *client.WorkItem {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		wi, err := c.GetWorkItem(t.Context(), id, client.Query{Fields: []string{"Id", "State", "ErrorMessage"}})
		if err != nil {
			t.Fatal(err)
		}
		if done(wi.State) {
			return wi
		}
		if time.Now().After(deadline) {
			t.Fatalf("work item %s still %s after %v", id, wi.State, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// workOrder is a DockerWorker work order running command.
func workOrder(command string) client.FileUpload {
	return client.FileFromBytes("WorkOrder.json", "WorkOrder",
		[]byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"ImageName": "ubuntu", "Command": "`+command+`"}}`))
}

func TestRunWorkItemEndToEnd(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{Workers: 2, JobTimeout: time.Minute})
	ctx := t.Context()
	w := seedWorld(t, srv)
	input := []byte("input bytes\n")

	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{
		{Name: "succeeds", Worker: testWorker, EnvironmentName: testEnv, Files: []client.FileUpload{
			workOrder(`echo hello; cat input.txt > copy.txt; mkdir -p sub; printf abc > sub/x.txt`),
			client.FileFromBytes("input.txt", "input", input)}},
		{Name: "fails", Worker: testWorker, EnvironmentName: testEnv, Files: []client.FileUpload{workOrder(`echo oops >&2; exit 3`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ok, bad := ids[0], ids[1]
	if err := c.AddRelation(ctx, ok, client.RelationDependsOn, client.KindExperiment, w.experiment); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := c.Commission(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	final := func(s client.WorkItemState) bool { return s.Final() }
	if wi := waitState(t, c, ok, 30*time.Second, final); wi.State != client.StateSucceeded {
		t.Fatalf("succeeds: %s (%s)", wi.State, wi.ErrorMessage)
	}
	if wi := waitState(t, c, bad, 30*time.Second, final); wi.State != client.StateFailed || !strings.Contains(wi.ErrorMessage, "3") {
		t.Errorf("fails: %s %q, want Failed with the exit status", wi.State, wi.ErrorMessage)
	}

	outs, err := c.OutputFiles(ctx, client.KindWorkItem, ok)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"copy.txt": string(input), "sub/x.txt": "abc"} {
		got, err := download(t, c, findOutput(t, outs, p).URL, 0, -1)
		if err != nil || string(got) != want {
			t.Errorf("output %s: %q, %v; want %q", p, got, err, want)
		}
	}
	stdout, err := download(t, c, findOutput(t, outs, "StdOut.txt").URL, 0, -1)
	if err != nil || !strings.Contains(string(stdout), "hello") {
		t.Errorf("StdOut.txt: %q, %v", stdout, err)
	}
	badOuts, err := c.OutputFiles(ctx, client.KindWorkItem, bad)
	if err != nil {
		t.Fatal(err)
	}
	if stderr, err := download(t, c, findOutput(t, badOuts, "StdErr.txt").URL, 0, -1); err != nil || !strings.Contains(string(stderr), "oops") {
		t.Errorf("StdErr.txt of the failed item: %q, %v", stderr, err)
	}
	wi, err := c.GetWorkItem(ctx, ok, client.Query{})
	if err != nil || wi.HostName == "" || wi.WorkerInstanceID == "" || wi.WorkingDirectorySize == 0 {
		t.Errorf("a finished item: %+v, %v", wi, err)
	}
	if rel, err := c.Related(ctx, ok, client.KindExperiment, client.RelationDependsOn); err != nil || len(rel) != 1 {
		t.Errorf("relation of the finished item: %v, %v", rel, err)
	}
}

func TestCancelRunningWorkItem(t *testing.T) {
	_, _, c := newTestServer(t, localcomps.Options{Workers: 1, JobTimeout: time.Minute})
	id := saveOne(t, c, "placeholder") // a Created item that is never commissioned
	ids, err := c.SaveWorkItems(t.Context(), []client.NewWorkItem{{Name: "sleeps", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{workOrder(`echo started; sleep 60`)}}})
	if err != nil {
		t.Fatal(err)
	}
	run := ids[0]
	if err := c.Commission(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, run, 30*time.Second, func(s client.WorkItemState) bool { return s == client.StateRunning })
	start := time.Now()
	if err := c.Cancel(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	wi := waitState(t, c, run, 30*time.Second, func(s client.WorkItemState) bool { return s.Final() })
	if wi.State != client.StateCanceled {
		t.Errorf("cancelled while running: %s, want Canceled", wi.State)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the cancel took %v", d)
	}
	if wi, err := c.GetWorkItem(t.Context(), id, client.Query{}); err != nil || wi.State != client.StateCreated {
		t.Errorf("the uncommissioned item: %+v, %v", wi, err)
	}
}
