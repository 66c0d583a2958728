package localcomps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// These tests send the requests the official Python client (pyCOMPS)
// sends, byte for byte where it matters: its query parameters as the
// requests library encodes them, its headers and its JSON bodies (Python's
// json.dumps separators ", " and ": ").

// pyRequest sends a request with pyCOMPS's headers (§1.3): the token,
// Accept and Content-Type application/json on every call, no User-Agent.
func (e *env) pyRequest(method, pathAndQuery, body string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return e.req(method, pathAndQuery, rd, map[string]string{"User-Agent": ""})
}

// TestOfficialClientUnpagedQueryIsComplete: WorkItem.get(query_criteria=
// QueryCriteria().select(['id','name']).where(['owner=jdoe'])) sends
// count=100000 and pages only beyond that; 1,100 items come back whole,
// with no Content-Range (the answer is the entire data set).
func TestOfficialClientUnpagedQueryIsComplete(t *testing.T) {
	e := newEnv(t, nil)
	items := make([]SeedWorkItem, 1100)
	for i := range items {
		items[i] = SeedWorkItem{Name: fmt.Sprintf("bulk %04d", i), Owner: "jdoe"}
	}
	if _, err := e.s.Seed(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	resp, data := e.pyRequest("GET", "/api/WorkItems?fields=Id%2CName&filters=Owner%3Djdoe&count=100000", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	var a workItemsAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.WorkItems) != 1100 {
		t.Fatalf("count=100000 on 1,100 items returned %d", len(a.WorkItems))
	}
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		t.Fatalf("complete answer carries Content-Range %q", cr)
	}
	seen := map[any]bool{}
	for _, w := range a.WorkItems {
		seen[w["Id"]] = true
	}
	if len(seen) != 1100 {
		t.Fatalf("%d distinct ids", len(seen))
	}
	// A caller that pages keeps its Content-Range.
	resp, data = e.pyRequest("GET", "/api/WorkItems?fields=Id&offset=1000&count=1000", "")
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if cr := resp.Header.Get("Content-Range"); cr != "items 1000-1099/1100" || len(a.WorkItems) != 100 {
		t.Fatalf("second page: Content-Range %q, %d items", cr, len(a.WorkItems))
	}
}

// TestOfficialClientPlugins: select_children('plugins') sends
// children=Plugins; an item without plugins answers "Plugins": [], the one
// shape pyCOMPS's parser accepts. A seeded plugin goes out as {Name,Version}.
func TestOfficialClientPlugins(t *testing.T) {
	e := newEnv(t, nil)
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "plain"},
		{Name: "with plugin", Plugins: []Plugin{{Name: "ReportPlugin", Version: "2.1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, data := e.pyRequest("GET", "/api/WorkItems/"+ids[0]+"?fields=Id&children=Plugins&count=100000", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"Plugins":[]`) {
		t.Fatalf("status %d, body %s: want \"Plugins\":[]", resp.StatusCode, data)
	}
	var a struct{ WorkItems []wireEntity }
	e.json("GET", "/api/WorkItems/"+ids[1]+"?children=Plugins", nil, http.StatusOK, &a)
	if p := a.WorkItems[0].Plugins; p == nil || len(*p) != 1 || (*p)[0] != (wireWorker{"ReportPlugin", "2.1"}) {
		t.Fatalf("seeded plugins %+v", p)
	}
	var b struct{ WorkItems []wireEntity }
	e.json("GET", "/api/WorkItems/"+ids[1], nil, http.StatusOK, &b)
	if b.WorkItems[0].Plugins != nil {
		t.Fatal("Plugins sent without children=Plugins")
	}
}
