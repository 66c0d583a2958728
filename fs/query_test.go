package fs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// queryItem is one seeded work item, as a query sees it.
type queryItem struct {
	id, name, state, owner string
	created                time.Time
	tags                   map[string]any
}

// seedQueryItems seeds n work items with mixed states, names, owners,
// dates and tags, and returns them.
func seedQueryItems(t *testing.T, s *localcomps.Server, n int) []queryItem {
	t.Helper()
	states := []string{"Succeeded", "Failed", "Running", "Created", "Canceled"}
	base := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	items := make([]queryItem, n)
	seeds := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		it := queryItem{name: fmt.Sprintf("run %d", i), state: states[i%len(states)], owner: "localuser",
			created: base.Add(time.Duration(i) * 30 * time.Minute), tags: map[string]any{}}
		if i%7 == 0 {
			it.name = fmt.Sprintf("sweep %d", i)
		}
		if i%10 == 3 {
			it.owner = "alice"
		}
		if i%4 == 0 {
			it.tags["Project"] = "malaria"
		} else if i%4 == 1 {
			it.tags["Project"] = "tb"
		}
		if i%9 == 0 {
			it.tags["Reviewed"] = nil
		}
		items[i] = it
		seeds[i] = localcomps.SeedWorkItem{Name: it.name, State: it.state, Owner: it.owner, Created: it.created, Tags: it.tags}
	}
	ids, err := s.Seed(context.Background(), seeds)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		items[i].id = ids[i]
	}
	return items
}

// TestQueryFoldersListWhatTheirFilterSelects: each example of query/README
// lists exactly the work items the same filter selects among the seeded
// ones, with one request to the server; reading every listed item's state
// afterwards makes none.
func TestQueryFoldersListWhatTheirFilterSelects(t *testing.T) {
	const n = 2000
	var items []queryItem
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) { items = seedQueryItems(t, s, n) },
		func(o *compsfs.Options) { o.AttrTTL = time.Minute })
	mine := func(it queryItem) bool { return it.owner == "localuser" }
	newest := slices.Clone(items)
	slices.SortFunc(newest, func(a, b queryItem) int { return b.created.Compare(a.created) })
	cutoff := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query string
		want  func(it queryItem) bool
		only  []queryItem // for limits: exactly these
	}{
		{query: "state=Failed", want: func(it queryItem) bool { return mine(it) && it.state == "Failed" }},
		{query: "name~sweep,date_created>=2026-11-01", want: func(it queryItem) bool {
			return mine(it) && strings.Contains(it.name, "sweep") && !it.created.Before(cutoff)
		}},
		{query: "owner=alice,state=Running", want: func(it queryItem) bool { return it.owner == "alice" && it.state == "Running" }},
		{query: "tag:Project=malaria", want: func(it queryItem) bool { return mine(it) && it.tags["Project"] == "malaria" }},
		{query: "tag:Reviewed", want: func(it queryItem) bool { _, ok := it.tags["Reviewed"]; return mine(it) && ok }},
		{query: "sort:-date_created,limit:10", only: firstN(filterItems(newest, mine), 10)},
	} {
		var want []string
		if tc.want != nil {
			for _, it := range items {
				if tc.want(it) {
					want = append(want, it.id)
				}
			}
		} else {
			for _, it := range tc.only {
				want = append(want, it.id)
			}
		}
		slices.Sort(want)
		before := e.counted(queryKey)
		got := e.names("query", tc.query)
		if !slices.Equal(got, want) {
			t.Errorf("query/%s: %d items, want %d (first differences: %v)", tc.query, len(got), len(want), firstN(diff(got, want), 3))
		}
		if q := e.counted(queryKey) - before; q != 1 {
			t.Errorf("query/%s took %d queries, want 1", tc.query, q)
		}
		if len(got) > 0 {
			e.checkLink("../../workitems/"+got[0], "query", tc.query, got[0])
		}
	}
	gets, queries := e.counted(getKey), e.counted(queryKey)
	out := sh(t, fmt.Sprintf("cat %q/query/state=Failed/*/state | sort | uniq -c", e.dir))
	failed := len(filterItems(items, func(it queryItem) bool { return mine(it) && it.state == "Failed" }))
	if strings.TrimSpace(out) != fmt.Sprintf("%d Failed", failed) {
		t.Errorf("cat query/state=Failed/*/state: %q", out)
	}
	if g, q := e.counted(getKey)-gets, e.counted(queryKey)-queries; g != 0 || q != 0 {
		t.Errorf("cat query/state=Failed/*/state after ls: %d GETs, %d queries; want none", g, q)
	}
	if !strings.Contains(e.read("query", "README"), "tag:<key><op><value>") {
		t.Errorf("query/README lacks the grammar")
	}
}

// TestMalformedQueryIsEINVALAndExplained: a malformed query is EINVAL, and
// query/README says why.
func TestMalformedQueryIsEINVALAndExplained(t *testing.T) {
	e := newEnv(t, nil)
	for _, bad := range []string{"state=Finished", "colour=red", "limit:0", "state"} {
		_, err := os.ReadDir(e.path("query", bad))
		if !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ls query/%s: %v, want EINVAL", bad, err)
		}
	}
	readme := e.read("query", "README")
	for _, want := range []string{`unknown state "Finished"`, `unknown property "colour"`, "limit must be"} {
		if !strings.Contains(readme, want) {
			t.Errorf("query/README does not explain %q:\n%s", want, readme)
		}
	}
}

// filterItems keeps the items f selects, in order.
func filterItems(items []queryItem, f func(queryItem) bool) []queryItem {
	var out []queryItem
	for _, it := range items {
		if f(it) {
			out = append(out, it)
		}
	}
	return out
}

// firstN is the first n elements of s (all of them when fewer).
func firstN[S ~[]E, E any](s S, n int) S { return s[:min(n, len(s))] }

// diff is what is in one sorted list and not the other.
func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	return out
}
