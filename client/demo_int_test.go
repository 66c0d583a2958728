package client_test

import (
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// TestDemoItemsCommissionToSucceeded: every work item of the demo that can
// be commissioned (those in Created) runs to Succeeded through the client,
// with the outputs its command writes.
func TestDemoItemsCommissionToSucceeded(t *testing.T) {
	ts := startServer(t, localcomps.Options{Workers: 1})
	c := ts.login(t, nil)
	ctx := t.Context()
	if err := localcomps.Demo(ctx, ts.srv); err != nil {
		t.Fatal(err)
	}
	created, err := c.QueryWorkItems(ctx, client.Query{Filters: []string{"State=Created"}, Fields: []string{"Id", "Name"}})
	if err != nil || len(created) == 0 {
		t.Fatalf("no demo work item to commission (%v)", err)
	}
	for _, wi := range created {
		if err := c.Commission(ctx, wi.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, wi := range created {
		done := waitState(t, c, wi.ID, time.Minute, func(s client.WorkItemState) bool { return s.Final() })
		if done.State != client.StateSucceeded {
			t.Fatalf("demo item %q ended %s: %s", wi.Name, done.State, done.ErrorMessage)
		}
		outs, err := c.OutputFiles(ctx, client.KindWorkItem, wi.ID)
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := download(t, c, findOutput(t, outs, "StdOut.txt").URL, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: Succeeded; StdOut.txt: %q", wi.Name, strings.TrimSpace(string(stdout)))
		if wi.Name == "Nightly export" {
			manifest, err := download(t, c, findOutput(t, outs, "export/manifest.csv").URL, 0, -1)
			if err != nil || !strings.HasPrefix(string(manifest), "run,status\nrun_1,exported") {
				t.Fatalf("export/manifest.csv %q %v", manifest, err)
			}
		}
	}
}
