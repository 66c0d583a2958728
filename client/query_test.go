package client

import (
	"net/http"
	"testing"
)

func TestContentRange(t *testing.T) {
	cases := []struct {
		h                  string
		first, last, total int
		ok                 bool
	}{
		{"items 0-99/1234", 0, 99, 1234, true},
		{"100-199/1234", 100, 199, 1234, true},
		{"", 0, 0, 0, false},
		{"items x-1/2", 0, 0, 0, false},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.h != "" {
			h.Set("Content-Range", c.h)
		}
		f, l, tot, ok := contentRange(h)
		if f != c.first || l != c.last || tot != c.total || ok != c.ok {
			t.Errorf("contentRange(%q) = %d %d %d %v", c.h, f, l, tot, ok)
		}
	}
}

func TestQueryValues(t *testing.T) {
	q := Query{Fields: []string{"Id", "State"}, Children: []string{"Tags"}, Filters: []string{"State=Failed", "Name~Test"},
		TagFilters: []string{"type=singularity"}, OrderBy: "DateCreated desc"}
	v := q.values(0, 250000)
	want := map[string]string{"fields": "Id,State", "children": "Tags", "filters": "State=Failed,Name~Test",
		"tagfilters": "type=singularity", "orderby": "DateCreated desc", "count": "100000"}
	for k, w := range want {
		if v.Get(k) != w {
			t.Errorf("%s = %q, want %q", k, v.Get(k), w)
		}
	}
	if v.Has("offset") {
		t.Error("offset 0 must be omitted, as pyCOMPS does")
	}
	if got := q.values(200, 100).Get("offset"); got != "200" {
		t.Errorf("offset = %q", got)
	}
}

func TestPartContentType(t *testing.T) {
	cases := map[string]string{"WorkOrder.json": "application/json", "a.xml": "application/xml", "b.txt": "text/plain",
		"c.csv": "text/plain", "d.JSON": "application/octet-stream", "e.bin": "application/octet-stream"}
	for name, want := range cases {
		if got := partContentType(name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
