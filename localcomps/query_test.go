package localcomps

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"
)

type workItemsAnswer struct {
	WorkItems []map[string]any
}

// seedQueryItems seeds 25 work items with varied names, states and tags.
func seedQueryItems(t *testing.T, e *env) []string {
	t.Helper()
	base := time.Date(2025, 3, 5, 18, 22, 33, 123456700, time.UTC)
	states := []string{"Succeeded", "Failed", "Running", "Created", "Succeeded"}
	var items []SeedWorkItem
	for i := 0; i < 25; i++ {
		items = append(items, SeedWorkItem{
			Name:    fmt.Sprintf("item-%02d %s", i, map[bool]string{true: "Test", false: "Run"}[i%3 == 0]),
			State:   states[i%5],
			Owner:   map[bool]string{true: "jdoe", false: "asmith"}[i%2 == 0],
			Created: base.Add(time.Duration(i) * time.Hour),
			Tags: map[string]any{"Replicate": i % 4, "type": map[bool]string{true: "singularity", false: "docker"}[i < 5],
				"DiseaseType": "Malaria_" + fmt.Sprint(i%2), "flag": nil, "a/b": "slash"},
			Outputs: []SeedFile{{Path: "StdOut.txt", Data: []byte(fmt.Sprintf("out %d\n", i))}},
		})
	}
	ids, err := e.s.Seed(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (e *env) query(q string) (workItemsAnswer, *http.Response) {
	e.t.Helper()
	var a workItemsAnswer
	resp := e.json("GET", "/api/WorkItems?"+q, nil, http.StatusOK, &a)
	return a, resp
}

func names(a workItemsAnswer) []string {
	var out []string
	for _, w := range a.WorkItems {
		out = append(out, fmt.Sprint(w["Name"]))
	}
	return out
}

func TestQueryPaging(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxPageSize = 10 })
	seedQueryItems(t, e)
	seen := map[string]bool{}
	for _, c := range []struct {
		offset int
		want   string
		n      int
	}{{0, "items 0-9/25", 10}, {10, "items 10-19/25", 10}, {20, "items 20-24/25", 5}} {
		a, resp := e.query(fmt.Sprintf("count=100000&offset=%d", c.offset))
		if got := resp.Header.Get("Content-Range"); got != c.want || len(a.WorkItems) != c.n {
			t.Fatalf("offset %d: Content-Range %q, %d items", c.offset, got, len(a.WorkItems))
		}
		for _, w := range a.WorkItems {
			seen[w["Id"].(string)] = true
		}
	}
	if len(seen) != 25 {
		t.Fatalf("paged through %d distinct items", len(seen))
	}
	a, resp := e.query("count=5&filters=State=Succeeded")
	if resp.Header.Get("Content-Range") != "items 0-4/10" || len(a.WorkItems) != 5 {
		t.Fatalf("filtered page: %q %d", resp.Header.Get("Content-Range"), len(a.WorkItems))
	}
	a, resp = e.query("count=10&filters=State=Failed")
	if resp.Header.Get("Content-Range") != "" || len(a.WorkItems) != 5 {
		t.Fatalf("complete answer: %q %d", resp.Header.Get("Content-Range"), len(a.WorkItems))
	}
	a, resp = e.query("count=10&offset=100")
	if len(a.WorkItems) != 0 || resp.Header.Get("Content-Range") != "" {
		t.Fatal("page past the end")
	}
	for _, bad := range []string{"count=-1", "offset=x", "count=1.5"} {
		resp, data := e.req("GET", "/api/WorkItems?"+bad, nil, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d", bad, resp.StatusCode)
		}
		e.errBody(data)
	}
}

func TestQueryFiltersOrderFields(t *testing.T) {
	e := newEnv(t, nil)
	ids := seedQueryItems(t, e)
	count := func(q string) int {
		a, _ := e.query(q)
		return len(a.WorkItems)
	}
	cases := map[string]int{
		"filters=State=Succeeded":                                  10,
		"filters=State!=Succeeded":                                 15,
		"filters=State%3DFailed%2CName~test":                       2, // encoded as pyCOMPS does
		"filters=Name~TEST":                                        9,
		"filters=Owner=jdoe":                                       13,
		"filters=Owner=jdoe,State=Running":                         3,
		"filters=State<Running":                                    5, // Created only
		"filters=State>=Succeeded":                                 15,
		"filters=DateCreated>2025-03-06T10:00:00Z":                 9,
		"filters=DateCreated<=2025-03-05T20:22:33.1234567Z":        3,
		"filters=Id=" + ids[3]:                                     1,
		"filters=WorkingDirectorySize>0":                           25,
		"tagfilters=type=singularity":                              5,
		"tagfilters=Replicate=3":                                   6,
		"tagfilters=Replicate>=2":                                  12,
		"tagfilters=DiseaseType~malaria_1":                         12,
		"tagfilters=type!=singularity":                             20,
		"tagfilters=a/b=slash":                                     25,
		"tagfilters=flag":                                          25,
		"tagfilters=flag=":                                         25,
		"tagfilters=nope":                                          0,
		"tagfilters=type=singularity&filters=State=Succeeded":      2,
		"tagfilters=" + url.QueryEscape("type=docker,Replicate=0"): 5,
	}
	for q, want := range cases {
		if got := count("count=100000&" + q); got != want {
			t.Errorf("%s: %d items, want %d", q, got, want)
		}
	}
	a, _ := e.query("orderby=" + url.QueryEscape("Name desc") + "&count=3&fields=Name")
	if n := names(a); fmt.Sprint(n) != "[item-24 Test item-23 Run item-22 Run]" {
		t.Fatalf("orderby Name desc: %v", n)
	}
	if len(a.WorkItems[0]) != 1 {
		t.Fatalf("fields=Name returned %v", a.WorkItems[0])
	}
	a, _ = e.query("orderby=State+desc&count=1&offset=1&filters=Owner=jdoe&fields=State")
	if a.WorkItems[0]["State"] != "Failed" {
		t.Fatalf("orderby State desc (by number): %v", a.WorkItems)
	}
	a, _ = e.query("orderby=State&count=1&fields=State")
	if a.WorkItems[0]["State"] != "Created" {
		t.Fatalf("orderby State: %v", a.WorkItems)
	}
	a, _ = e.query("orderby=DateCreated+desc&count=1&fields=Id,State,DateCreated")
	if a.WorkItems[0]["Id"] != ids[24] {
		t.Fatalf("latest: %v", a.WorkItems[0])
	}
	date := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
	if d := a.WorkItems[0]["DateCreated"].(string); !date.MatchString(d) || d != "2025-03-06T18:22:33.1234567Z" {
		t.Fatalf("date %q", d)
	}

	// all basic properties by default, children only on request, no nulls
	var one workItemsAnswer
	e.json("GET", "/api/WorkItems/"+ids[1], nil, http.StatusOK, &one)
	w := one.WorkItems[0]
	for _, k := range []string{"Id", "Name", "Worker", "EnvironmentName", "Owner", "DateCreated", "LastModified", "State",
		"Priority", "WorkingDirectory", "WorkingDirectorySize"} {
		if _, ok := w[k]; !ok {
			t.Errorf("default fields miss %s: %v", k, w)
		}
	}
	for k, v := range w {
		if v == nil {
			t.Errorf("null value for %s", k)
		}
	}
	if _, ok := w["Tags"]; ok {
		t.Error("Tags sent without children=Tags")
	}
	if wk := w["Worker"].(map[string]any); wk["Name"] != "DockerWorker" || wk["Version"] != "1.0.0.0_RELEASE" {
		t.Errorf("worker %v", wk)
	}
	one = workItemsAnswer{}
	e.json("GET", "/api/WorkItems/"+ids[1]+"?fields=Id,State&children=Tags,Plugins&count=100000", nil, http.StatusOK, &one)
	w = one.WorkItems[0]
	tags := w["Tags"].(map[string]any)
	if tags["Replicate"] != float64(1) || tags["type"] != "singularity" || tags["a/b"] != "slash" {
		t.Errorf("tags %v", tags)
	}
	if v, ok := tags["flag"]; !ok || v != nil {
		t.Errorf("null-valued flag tag: %v %v", v, ok)
	}
	if p, ok := w["Plugins"].([]any); !ok || len(p) != 0 {
		t.Errorf("plugins %v, want [] (an item without plugins)", w["Plugins"])
	}
	if len(w) != 4 {
		t.Errorf("fields+children gave %v", w)
	}

	for _, bad := range []string{"filters=Bogus=1", "filters=State=Nope", "filters=Id=not-a-uuid", "filters=DateCreated>yesterday",
		"fields=Bogus", "children=Bogus", "orderby=Bogus", "orderby=" + url.QueryEscape("Name sideways"), "filters=Name",
		"filters=WorkingDirectory=x", "filters=State~Run", "tagfilters=" + url.QueryEscape("=x")} {
		resp, data := e.req("GET", "/api/WorkItems?"+bad, nil, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", bad, resp.StatusCode)
			continue
		}
		e.errBody(data)
	}
	for path, st := range map[string]int{
		"/api/WorkItems/not-a-uuid":                           http.StatusBadRequest,
		"/api/WorkItems/00000000-0000-0000-0000-000000000001": http.StatusNotFound,
		"/api/Suites/" + ids[0]:                               http.StatusNotFound, // a work item is not a suite
	} {
		resp, data := e.req("GET", path, nil, nil)
		if resp.StatusCode != st {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, st)
		}
		e.errBody(data)
	}
}
