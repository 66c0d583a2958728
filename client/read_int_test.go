package client_test

// Integration tests of the reading side: entities by id, paged queries,
// relations, outputs and downloads, against a real localcomps.

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
	"github.com/google/uuid"
)

func TestGetWorkItemAllProperties(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	created := time.Date(2025, 1, 2, 3, 4, 5, 123456700, time.UTC)
	order := []byte(`{"WorkItem_Type": "DockerWorker"}`)
	out1, out2 := []byte("stdout\n"), pseudoRandom(1000, 1)
	ids, err := srv.Seed(ctx, []localcomps.SeedWorkItem{{
		Name: "all properties", Description: "every field set", Owner: "alice", EnvironmentName: testEnv,
		WorkerName: "DockerWorker", WorkerVersion: "1.0.0.0_RELEASE", State: "Failed", ErrorMessage: "exit status 3",
		Priority: "Highest", Created: created, Plugins: []localcomps.Plugin{{Name: "ReportPlugin", Version: "2.1"}},
		Tags:    map[string]any{"text": "v", "num": 2.5, "flag": nil, "yes": true},
		Files:   []localcomps.SeedFile{{Path: "WorkOrder.json", FileType: "WorkOrder", Data: order}},
		Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: out1}, {Path: "sub/x.bin", Data: out2}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]

	wi, err := c.GetWorkItem(ctx, id, client.Query{Children: []string{"Tags", "Files", "Plugins"}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("Id", wi.ID, id)
	check("Name", wi.Name, "all properties")
	check("Worker", wi.Worker, testWorker)
	check("EnvironmentName", wi.EnvironmentName, testEnv)
	check("Description", wi.Description, "every field set")
	check("Owner", wi.Owner, "alice")
	check("DateCreated", wi.DateCreated.Time, created)
	if wi.LastModified.Before(created) {
		t.Errorf("LastModified %v before DateCreated %v", wi.LastModified, created)
	}
	check("State", wi.State, client.StateFailed)
	check("ErrorMessage", wi.ErrorMessage, "exit status 3")
	if wi.HostName == "" {
		t.Error("HostName empty for an item that ran")
	}
	if _, err := uuid.Parse(wi.WorkerInstanceID); err != nil {
		t.Errorf("WorkerInstanceId %q: %v", wi.WorkerInstanceID, err)
	}
	check("Priority", wi.Priority, client.PriorityHighest)
	if wi.WorkingDirectory == "" {
		t.Error("WorkingDirectory empty")
	}
	check("WorkingDirectorySize", wi.WorkingDirectorySize, int64(len(out1)+len(out2)))
	check("AssetCollectionId", wi.AssetCollectionID, "") // none was given
	wantTags := client.Tags{"text": "v", "num": 2.5, "flag": nil, "yes": true}
	if fmt.Sprint(wi.Tags) != fmt.Sprint(wantTags) {
		t.Errorf("Tags = %v, want %v", wi.Tags, wantTags)
	}
	if len(wi.Files) != 1 {
		t.Fatalf("Files = %+v", wi.Files)
	}
	f := wi.Files[0]
	check("file name", f.FileName, "WorkOrder.json")
	check("file type", f.FileType, "WorkOrder")
	check("file md5", f.MD5Checksum, md5UUID(order))
	check("file length", f.Length, int64(len(order)))
	if !strings.Contains(f.URI, "/asset/") {
		t.Errorf("file Uri %q has no /asset/", f.URI)
	}
	if len(wi.Plugins) != 1 || wi.Plugins[0] != (client.WorkerOrPluginKey{Name: "ReportPlugin", Version: "2.1"}) {
		t.Errorf("Plugins = %+v", wi.Plugins)
	}

	// AssetCollectionId, the sixteenth property, on an item saved with one.
	w := seedWorld(t, srv)
	saved, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "with assets", Worker: testWorker,
		EnvironmentName: testEnv, AssetCollectionID: w.assetCollection, Priority: client.PriorityLowest}})
	if err != nil {
		t.Fatal(err)
	}
	wi, err = c.GetWorkItem(ctx, saved[0], client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	check("AssetCollectionId", wi.AssetCollectionID, w.assetCollection)
	check("Priority", wi.Priority, client.PriorityLowest)
	check("State", wi.State, client.StateCreated)
	check("Owner", wi.Owner, testUser)
	if wi.Tags != nil || wi.Files != nil || wi.Plugins != nil {
		t.Errorf("children returned without children=: %+v", wi)
	}
	// An item without plugins: the server's [] reads as none.
	wi, err = c.GetWorkItem(ctx, saved[0], client.Query{Children: []string{"Plugins"}})
	if err != nil || len(wi.Plugins) != 0 {
		t.Errorf("Plugins of an item without any: %+v, %v", wi, err)
	}

	// fields= returns only those properties.
	wi, err = c.GetWorkItem(ctx, id, client.Query{Fields: []string{"Id", "State"}})
	if err != nil {
		t.Fatal(err)
	}
	if wi.ID != id || wi.State != client.StateFailed || wi.Name != "" || wi.Owner != "" || !wi.DateCreated.IsZero() {
		t.Errorf("fields=Id,State gave %+v", wi)
	}
}

// seedGrid seeds n work items item-0000, item-0001, ... created one
// second apart: State Failed for every third (else Succeeded), tag group
// g-even or g-odd, and owner testUser for the first ownedBy items (then
// "other"). One tag each keeps the seeding quick under the race detector.
func seedGrid(t *testing.T, srv *localcomps.Server, n, ownedBy int) []string {
	t.Helper()
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	items := make([]localcomps.SeedWorkItem, n)
	for i := range items {
		state, group, owner := "Succeeded", "g-odd", testUser
		if i%3 == 0 {
			state = "Failed"
		}
		if i%2 == 0 {
			group = "g-even"
		}
		if i >= ownedBy {
			owner = "other"
		}
		items[i] = localcomps.SeedWorkItem{Name: fmt.Sprintf("item-%04d", i), State: state, Owner: owner,
			Created: base.Add(time.Duration(i) * time.Second), Tags: map[string]any{"group": group}}
	}
	ids, err := srv.Seed(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// names lists the items' names.
func names(items []client.WorkItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// gridNames is item-<from>, item-<from+step>, ... up to but excluding to
// (step may be negative).
func gridNames(from, to, step int) []string {
	var out []string
	for i := from; (step > 0 && i < to) || (step < 0 && i > to); i += step {
		out = append(out, fmt.Sprintf("item-%04d", i))
	}
	return out
}

func TestQueryPaging(t *testing.T) {
	t.Parallel() // heavy: overlaps its disk waits with the other tests
	ts := startServer(t, localcomps.Options{MaxPageSize: 1000})
	c := ts.login(t, func(o *client.Options) { o.PageSize = 1000 })
	ctx := t.Context()
	ids := seedGrid(t, ts.srv, 2500, 2450)

	// Filter, tag filter, order by, offset and count over three pages: of
	// the 2450 items of testUser, by name descending, skip 100, take 2300.
	ts.rec.reset()
	ts.srv.ResetStats()
	got, err := c.QueryWorkItems(ctx, client.Query{Filters: []string{"Owner=" + testUser}, TagFilters: []string{"group~g-"},
		OrderBy: "Name desc", Offset: 100, Count: 2300, Fields: []string{"Id", "Name", "Owner"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := gridNames(2349, 49, -1); !slices.Equal(names(got), want) {
		t.Fatalf("%d items from %q; want the 2300 items item-2349 down to item-0050", len(got), names(got)[:min(3, len(got))])
	}
	pages := byOffset(ts.rec.matching(http.MethodGet, "/api/WorkItems"))
	if len(pages) != 3 {
		t.Fatalf("%d GET /api/WorkItems for 2300 items with 1000 a page, want 3:\n%s", len(pages), ts.rec.summary())
	}
	if n := ts.srv.Stats().Requests["GET /api/WorkItems"]; n != 3 {
		t.Errorf("server counted %d GET /api/WorkItems, want 3", n)
	}
	for i, p := range pages {
		checkQuery(t, p, map[string]string{"filters": "Owner=" + testUser, "tagfilters": "group~g-", "orderby": "Name desc",
			"fields": "Id,Name,Owner", "offset": fmt.Sprint(100 + i*1000), "count": fmt.Sprint(min(1000, 2300-i*1000))})
	}
	byID := map[string]string{}
	for _, it := range got {
		if it.Owner != testUser {
			t.Fatalf("%s has owner %q", it.Name, it.Owner)
		}
		byID[it.ID] = it.Name
	}
	for i := 50; i < 2350; i++ {
		if byID[ids[i]] != fmt.Sprintf("item-%04d", i) {
			t.Fatalf("item %d (%s) missing or misnamed: %q", i, ids[i], byID[ids[i]])
		}
	}

	// Two filters and a tag filter together (AND): failed, even, testUser's.
	failedEven, err := c.QueryWorkItems(ctx, client.Query{Filters: []string{"State=Failed", "Owner=" + testUser},
		TagFilters: []string{"group=g-even"}, OrderBy: "DateCreated desc", Fields: []string{"Name", "State"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(failedEven), gridNames(2448, -1, -6); !slices.Equal(got, want) {
		t.Errorf("State=Failed + group=g-even: %d items %q..., want every sixth below 2450, newest first", len(got), got[:min(3, len(got))])
	}
	for _, it := range failedEven {
		if it.State != client.StateFailed {
			t.Fatalf("%s is %s", it.Name, it.State)
		}
	}

	// A count smaller than a page: one request, the newest five.
	ts.rec.reset()
	last, err := c.QueryWorkItems(ctx, client.Query{OrderBy: "DateCreated desc", Count: 5, Fields: []string{"Name"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(last), gridNames(2499, 2494, -1); !slices.Equal(got, want) {
		t.Errorf("count 5: %q, want %q", got, want)
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems"); n != 1 {
		t.Errorf("count 5: %d requests", n)
	}
}

func TestQueryPagingSmallPages(t *testing.T) {
	// The client's page is smaller than the server's: it pages by its own
	// count, and stops at the total.
	ts := startServer(t, localcomps.Options{MaxPageSize: 1000})
	c := ts.login(t, func(o *client.Options) { o.PageSize = 40 })
	seedGrid(t, ts.srv, 100, 100)
	ts.rec.reset()
	got, err := c.QueryWorkItems(t.Context(), client.Query{OrderBy: "Name"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), gridNames(0, 100, 1)) {
		t.Errorf("%d items", len(got))
	}
	pages := byOffset(ts.rec.matching(http.MethodGet, "/api/WorkItems"))
	if len(pages) != 3 {
		t.Fatalf("%d requests for 100 items at 40 a page, want 3", len(pages))
	}
	checkQuery(t, pages[0], map[string]string{"orderby": "Name", "count": "40"})
	checkQuery(t, pages[2], map[string]string{"orderby": "Name", "count": "20", "offset": "80"})

	// The iterator fetches at most four pages ahead of the caller, and
	// nothing more once the caller stops.
	c10 := ts.login(t, func(o *client.Options) { o.PageSize = 10 })
	ts.rec.reset()
	n := 0
	for it, err := range c10.WorkItems(t.Context(), client.Query{OrderBy: "Name"}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.Name != fmt.Sprintf("item-%04d", n) {
			t.Fatalf("item %d is %s", n, it.Name)
		}
		if n++; n == 11 {
			break
		}
	}
	fetched := ts.rec.settledCount(http.MethodGet, "/api/WorkItems")
	if fetched < 2 || fetched > 5 {
		t.Errorf("stopping after 11 items of 10 pages fetched %d pages, want 2 to 5", fetched)
	}
	if _, err := c10.QueryWorkItems(t.Context(), client.Query{Filters: []string{"Name~no such item"}}); err != nil {
		t.Fatal(err)
	}
	if got := ts.rec.count(http.MethodGet, "/api/WorkItems"); got != fetched+1 {
		t.Errorf("pages went on being fetched after the caller stopped: %d requests, then %d", fetched, got-1)
	}

	// An empty result is one request and no items.
	ts.rec.reset()
	none, err := c.QueryWorkItems(t.Context(), client.Query{Filters: []string{"Name~no such item"}})
	if err != nil || len(none) != 0 {
		t.Errorf("empty query: %d items, %v", len(none), err)
	}
	if got := ts.rec.count(http.MethodGet, "/api/WorkItems"); got != 1 {
		t.Errorf("empty query: %d requests", got)
	}

	// A result exactly one page long comes without Content-Range: the
	// client may ask once more (and gets nothing), never loses or repeats.
	c100 := ts.login(t, func(o *client.Options) { o.PageSize = 100 })
	ts.rec.reset()
	got, err = c100.QueryWorkItems(t.Context(), client.Query{OrderBy: "Name"})
	if err != nil || !slices.Equal(names(got), gridNames(0, 100, 1)) {
		t.Errorf("exactly one page: %d items, %v", len(got), err)
	}
	if n := ts.rec.count(http.MethodGet, "/api/WorkItems"); n > 2 {
		t.Errorf("exactly one page: %d requests", n)
	}

	// The server caps a page below the client's: still every item.
	ts2 := startServer(t, localcomps.Options{MaxPageSize: 30})
	c2 := ts2.login(t, func(o *client.Options) { o.PageSize = 1000 })
	seedGrid(t, ts2.srv, 100, 100)
	ts2.rec.reset()
	got, err = c2.QueryWorkItems(t.Context(), client.Query{OrderBy: "Name"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), gridNames(0, 100, 1)) {
		t.Errorf("server page 30: %d items", len(got))
	}
	if n := ts2.rec.count(http.MethodGet, "/api/WorkItems"); n != 4 {
		t.Errorf("server page 30: %d requests for 100 items, want 4", n)
	}
}

func TestRelations(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	w := seedWorld(t, srv)
	a, b := saveOne(t, c, "relates a"), saveOne(t, c, "relates b")

	mustAdd := func(from string, rt client.RelationType, k client.Kind, to string) {
		t.Helper()
		if err := c.AddRelation(ctx, from, rt, k, to); err != nil {
			t.Fatalf("AddRelation %s %s %s: %v", rt, k, to, err)
		}
	}
	mustAdd(a, client.RelationDependsOn, client.KindExperiment, w.experiment)
	mustAdd(a, client.RelationDependsOn, client.KindWorkItem, b)
	mustAdd(a, client.RelationDependsOn, client.KindWorkItem, b) // twice: still one relation
	mustAdd(b, client.RelationCreated, client.KindAssetCollection, w.assetCollection)
	if err := srv.AddRelation(ctx, a, "Created", "Simulation", w.simulation); err != nil {
		t.Fatal(err)
	}

	type rel struct {
		kind client.Kind
		id   string
		rt   client.RelationType
	}
	related := func(id string, k client.Kind, rt client.RelationType) []rel {
		t.Helper()
		got, err := c.Related(ctx, id, k, rt)
		if err != nil {
			t.Fatalf("Related(%s, %q, %q): %v", id, k, rt, err)
		}
		out := []rel{}
		for _, r := range got {
			out = append(out, rel{r.ObjectType, r.ID, r.RelationType})
		}
		slices.SortFunc(out, func(x, y rel) int { return strings.Compare(string(x.kind)+x.id, string(y.kind)+y.id) })
		return out
	}
	wantAll := []rel{{client.KindExperiment, w.experiment, client.RelationDependsOn},
		{client.KindSimulation, w.simulation, client.RelationCreated}, {client.KindWorkItem, b, client.RelationDependsOn}}
	if got := related(a, "", ""); !slices.Equal(got, wantAll) {
		t.Errorf("Related(a) = %v, want %v", got, wantAll)
	}
	if got, want := related(a, client.KindExperiment, client.RelationDependsOn), wantAll[:1]; !slices.Equal(got, want) {
		t.Errorf("Related(a, Experiment, DependsOn) = %v, want %v", got, want)
	}
	if got, want := related(a, "", client.RelationCreated), wantAll[1:2]; !slices.Equal(got, want) {
		t.Errorf("Related(a, Created) = %v, want %v", got, want)
	}
	if got, want := related(a, client.KindWorkItem, ""), wantAll[2:]; !slices.Equal(got, want) {
		t.Errorf("Related(a, WorkItem) = %v, want %v", got, want)
	}
	if got := related(a, client.KindSuite, ""); len(got) != 0 {
		t.Errorf("Related(a, Suite) = %v, want none", got)
	}
	if got, want := related(b, "", ""), []rel{{client.KindAssetCollection, w.assetCollection, client.RelationCreated}}; !slices.Equal(got, want) {
		t.Errorf("Related(b) = %v, want %v", got, want)
	}

	// The other way: which work items point at an entity.
	parents := func(id string, k client.Kind, rt client.RelationType) []string {
		t.Helper()
		got, err := c.Parents(ctx, id, k, rt)
		if err != nil {
			t.Fatalf("Parents(%s, %s, %q): %v", id, k, rt, err)
		}
		out := []string{}
		for _, p := range got {
			out = append(out, p.ID)
		}
		return out
	}
	for _, tc := range []struct {
		id   string
		kind client.Kind
		rt   client.RelationType
		want []string
	}{
		{w.experiment, client.KindExperiment, "", []string{a}},
		{w.experiment, client.KindExperiment, client.RelationDependsOn, []string{a}},
		{w.experiment, client.KindExperiment, client.RelationCreated, []string{}},
		{b, client.KindWorkItem, client.RelationDependsOn, []string{a}},
		{w.assetCollection, client.KindAssetCollection, client.RelationCreated, []string{b}},
		{w.simulation, client.KindSimulation, "", []string{a}},
		{a, client.KindWorkItem, "", []string{}},
	} {
		if got := parents(tc.id, tc.kind, tc.rt); !slices.Equal(got, tc.want) {
			t.Errorf("Parents(%s %s %q) = %v, want %v", tc.kind, tc.id, tc.rt, got, tc.want)
		}
	}

	// Relations to nothing are refused by the server.
	err := c.AddRelation(ctx, a, client.RelationDependsOn, client.KindExperiment, uuid.NewString())
	if !errors.Is(err, client.ErrNotFound) {
		t.Errorf("relation to an unknown experiment: %v, want ErrNotFound", err)
	}
	if _, err := c.Related(ctx, uuid.NewString(), "", ""); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("relations of an unknown work item: %v, want ErrNotFound", err)
	}
}

func TestOutputFiles(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	w := seedWorld(t, srv)

	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"StdOut.txt": w.stdout, "StdErr.txt": {}, "out/deep/data.bin": w.nested}
	if len(outs) != len(want) {
		t.Fatalf("%d outputs: %+v", len(outs), outs)
	}
	for p, data := range want {
		o := findOutput(t, outs, p)
		if o.Length != int64(len(data)) || o.MD5Hex() == "" || md5UUID(data) != mustUUID(t, o.MD5Hex()) {
			t.Errorf("%s: length %d md5 %q, want %d %s", p, o.Length, o.MD5, len(data), md5UUID(data))
		}
		if _, err := uuid.Parse(o.ID); err != nil {
			t.Errorf("%s: Id %q: %v", p, o.ID, err)
		}
		got, err := download(t, c, o.URL, 0, -1)
		if err != nil {
			t.Fatalf("download %s: %v", p, err)
		}
		if string(got) != string(data) {
			t.Errorf("download %s: %d bytes, not the output's %d", p, len(got), len(data))
		}
	}
	if o := findOutput(t, outs, "out/deep/data.bin"); o.FriendlyName != "data.bin" || o.PathFromRoot != "out/deep" {
		t.Errorf("nested output: FriendlyName %q PathFromRoot %q", o.FriendlyName, o.PathFromRoot)
	}
	if o := findOutput(t, outs, "StdOut.txt"); o.PathFromRoot != "." {
		t.Errorf("top-level output: PathFromRoot %q, want .", o.PathFromRoot)
	}

	sim, err := c.OutputFiles(ctx, client.KindSimulation, w.simulation)
	if err != nil {
		t.Fatal(err)
	}
	if len(sim) != 2 {
		t.Fatalf("simulation outputs: %+v", sim)
	}
	got, err := download(t, c, findOutput(t, sim, "output/InsetChart.json").URL, 0, -1)
	if err != nil || string(got) != string(w.simOut) {
		t.Errorf("simulation output: %q, %v", got, err)
	}

	// An item that has not run has no outputs; unknown ids are not found.
	fresh := saveOne(t, c, "no outputs yet")
	if outs, err := c.OutputFiles(ctx, client.KindWorkItem, fresh); err != nil || len(outs) != 0 {
		t.Errorf("outputs of a new item: %v, %v", outs, err)
	}
	if _, err := c.OutputFiles(ctx, client.KindWorkItem, uuid.NewString()); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("outputs of an unknown item: %v, want ErrNotFound", err)
	}
	if _, err := c.OutputFiles(ctx, client.KindExperiment, w.experiment); err == nil {
		t.Error("experiments have no outputs: want an error")
	}
}

// mustUUID writes 32 hex digits in UUID form.
func mustUUID(t *testing.T, hex string) string {
	t.Helper()
	u, err := client.MD5ToUUID(hex)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestDownloadRanges(t *testing.T) {
	srv, hs, c := newTestServer(t, localcomps.Options{})
	w := seedWorld(t, srv)
	outs, err := c.OutputFiles(t.Context(), client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	url := findOutput(t, outs, "out/deep/data.bin").URL
	size := int64(len(w.nested))
	for _, rg := range []struct{ off, n int64 }{
		{0, -1}, {30000, 1234}, {1, 1}, {0, 1}, {size - 10, -1}, {size - 1, 1}, {12345, size - 12345},
	} {
		got, err := download(t, c, url, rg.off, rg.n)
		if err != nil {
			t.Errorf("range %d+%d: %v", rg.off, rg.n, err)
			continue
		}
		end := size
		if rg.n > 0 {
			end = rg.off + rg.n
		}
		if want := w.nested[rg.off:end]; string(got) != string(want) {
			t.Errorf("range %d+%d: %d bytes, not the file's bytes %d..%d", rg.off, rg.n, len(got), rg.off, end)
		}
	}
	// A range starting past the end is refused, never answered with data.
	if got, err := download(t, c, url, size+10, 5); err == nil {
		t.Errorf("range past the end gave %d bytes and no error", len(got))
	}
	if _, err := c.Download(t.Context(), url, -1, 5); err == nil {
		t.Error("negative offset accepted")
	}
	// A URL outside the asset service is refused before any request.
	if _, err := c.Download(t.Context(), hs.URL+"/api/WorkItems/"+w.workItem, 0, -1); err == nil {
		t.Error("a download URL without /asset/ was accepted")
	}
	// The server's host is replaced by the client's own (§1.2).
	elsewhere := "https://comps.example.org:4443" + url[strings.Index(url, "/asset/"):]
	got, err := download(t, c, elsewhere, 100, 10)
	if err != nil || string(got) != string(w.nested[100:110]) {
		t.Errorf("download re-rooted on the client's host: %q, %v", got, err)
	}
}

func TestDownloadOwnFiles(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	w := seedWorld(t, srv)

	wi, err := c.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Files"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"WorkOrder.json": w.order, "run.py": w.input}
	if len(wi.Files) != len(want) {
		t.Fatalf("Files = %+v", wi.Files)
	}
	for _, f := range wi.Files {
		got, err := download(t, c, f.URI, 0, -1)
		if err != nil || string(got) != string(want[f.FileName]) {
			t.Errorf("download %s: %q, %v", f.FileName, got, err)
		}
		if f.Length != int64(len(want[f.FileName])) || f.MD5Checksum != md5UUID(want[f.FileName]) {
			t.Errorf("%s: Length %d MD5 %s", f.FileName, f.Length, f.MD5Checksum)
		}
	}
	got, err := download(t, c, wi.Files[0].URI, 5, 10)
	if err != nil || string(got) != string(w.order[5:15]) {
		t.Errorf("range of WorkOrder.json: %q, %v", got, err)
	}

	// Files saved through the client come back the same.
	data := []byte("id,value\n1,2\n")
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "own files", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{client.FileFromBytes("my data.csv", "input", data)}}})
	if err != nil {
		t.Fatal(err)
	}
	wi, err = c.GetWorkItem(ctx, ids[0], client.Query{Children: []string{"Files"}})
	if err != nil || len(wi.Files) != 1 {
		t.Fatalf("%+v, %v", wi, err)
	}
	if f := wi.Files[0]; f.FileName != "my data.csv" || f.FileType != "input" || f.Length != int64(len(data)) {
		t.Errorf("saved file: %+v", f)
	}
	if got, err := download(t, c, wi.Files[0].URI, 0, -1); err != nil || string(got) != string(data) {
		t.Errorf("download of a saved file (name with a space): %q, %v", got, err)
	}

	// An asset collection's files, in a folder too.
	ac, err := c.GetAssetCollection(ctx, w.assetCollection, client.Query{Children: []string{"Assets"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ac.Assets {
		got, err := download(t, c, a.URI, 0, -1)
		if err != nil || int64(len(got)) != a.Length || md5UUID(got) != a.MD5Checksum {
			t.Errorf("asset %s/%s: %d bytes, %v", a.RelativePath, a.FileName, len(got), err)
		}
	}
}

func TestGetOtherKinds(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	w := seedWorld(t, srv)

	s, err := c.GetSuite(ctx, w.suite, client.Query{Children: []string{"Tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != w.suite || s.Name != "suite one" || s.Description != "a suite" || s.Owner != testUser ||
		s.DateCreated.IsZero() || s.LastModified.IsZero() || s.Tags["project"] != "wire" {
		t.Errorf("suite: %+v", s)
	}
	e, err := c.GetExperiment(ctx, w.experiment, client.Query{Children: []string{"Tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != w.experiment || e.SuiteID != w.suite || e.Name != "experiment one" || e.Tags["Replicate"] != 3.0 {
		t.Errorf("experiment: %+v", e)
	}
	sim, err := c.GetSimulation(ctx, w.simulation, client.Query{Children: []string{"Tags", "HPCJobs"}})
	if err != nil {
		t.Fatal(err)
	}
	if sim.ID != w.simulation || sim.ExperimentID != w.experiment || sim.Name != "simulation one" ||
		sim.State != client.SimSucceeded || sim.Tags["Run_Number"] != 1.0 {
		t.Errorf("simulation: %+v", sim)
	}
	ac, err := c.GetAssetCollection(ctx, w.assetCollection, client.Query{Children: []string{"Assets", "Tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if ac.ID != w.assetCollection || ac.DateCreated.IsZero() || ac.Tags["type"] != "singularity" || len(ac.Assets) != 2 {
		t.Fatalf("asset collection: %+v", ac)
	}
	byName := map[string]client.AssetCollectionFile{}
	for _, a := range ac.Assets {
		byName[a.FileName] = a
	}
	if a := byName["helper.py"]; a.RelativePath != "lib" || a.Length != int64(len("def f(): pass\n")) {
		t.Errorf("asset helper.py: %+v", a)
	}
	if a := byName["model.sif"]; a.RelativePath != "" || a.MD5Checksum != md5UUID(w.asset) || !strings.Contains(a.URI, "/asset/") {
		t.Errorf("asset model.sif: %+v", a)
	}

	// Listings by parent.
	var exps []client.Experiment
	for e, err := range c.Experiments(ctx, client.Query{Filters: []string{"SuiteId=" + w.suite}}) {
		if err != nil {
			t.Fatal(err)
		}
		exps = append(exps, e)
	}
	if len(exps) != 1 || exps[0].ID != w.experiment {
		t.Errorf("experiments of the suite: %+v", exps)
	}
	var sims []client.Simulation
	for s, err := range c.Simulations(ctx, client.Query{Filters: []string{"ExperimentId=" + w.experiment}}) {
		if err != nil {
			t.Fatal(err)
		}
		sims = append(sims, s)
	}
	if len(sims) != 1 || sims[0].ID != w.simulation {
		t.Errorf("simulations of the experiment: %+v", sims)
	}
	var acs []client.AssetCollection
	for a, err := range c.AssetCollections(ctx, client.Query{TagFilters: []string{"type=singularity"}, OrderBy: "DateCreated desc"}) {
		if err != nil {
			t.Fatal(err)
		}
		acs = append(acs, a)
	}
	if len(acs) != 1 || acs[0].ID != w.assetCollection {
		t.Errorf("asset collections tagged singularity: %+v", acs)
	}

	// Each kind: an unknown id is not found, and a kind is not another.
	if _, err := c.GetSuite(ctx, w.experiment, client.Query{}); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("an experiment's id as a suite: %v, want ErrNotFound", err)
	}
	if _, err := c.GetExperiment(ctx, uuid.NewString(), client.Query{}); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown experiment: %v", err)
	}
	if _, err := c.GetSimulation(ctx, uuid.NewString(), client.Query{}); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown simulation: %v", err)
	}
	if _, err := c.GetAssetCollection(ctx, uuid.NewString(), client.Query{}); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown asset collection: %v", err)
	}
}

func TestDownloadOddNames(t *testing.T) {
	// Names that need escaping in a URL travel intact both ways: in the
	// server's Uri/Url and in the client's request for it.
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	odd := []string{"a b.txt", "x#y.txt", "q?.csv", "100%.dat", "résumé.txt", "semi;colon.txt", "plus+sign.txt", "amp&eq=.txt", "'quote'.txt"}
	var files []client.FileUpload
	var outputs []localcomps.SeedFile
	for i, name := range odd {
		files = append(files, client.FileFromBytes(name, "input", []byte(fmt.Sprintf("file %d: %s", i, name))))
		outputs = append(outputs, localcomps.SeedFile{Path: "dir with space/" + name, Data: []byte("output " + name)})
	}
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "odd names", Worker: testWorker, EnvironmentName: testEnv, Files: files}})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range odd {
		checkDownload(t, c, ids[0], name, []byte(fmt.Sprintf("file %d: %s", i, name)))
	}
	seeded, err := srv.Seed(ctx, []localcomps.SeedWorkItem{{Name: "odd outputs", State: "Succeeded", Outputs: outputs}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := c.OutputFiles(ctx, client.KindWorkItem, seeded[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range odd {
		o := findOutput(t, outs, "dir with space/"+name)
		got, err := download(t, c, o.URL, 0, -1)
		if err != nil || string(got) != "output "+name {
			t.Errorf("output %q: %q, %v", name, got, err)
		}
	}
}

func TestQueryOperatorsAndEncoding(t *testing.T) {
	// Filter values with characters that need form-encoding ('+', ':',
	// '<', '>', '!', '~', spaces) reach the server intact.
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	seedGrid(t, srv, 30, 30)
	for _, tc := range []struct {
		q    client.Query
		want []string
	}{
		{client.Query{Filters: []string{"DateCreated>=2024-06-01T00:00:25Z"}}, gridNames(25, 30, 1)},
		{client.Query{Filters: []string{"DateCreated<2024-06-01T02:00:03+02:00"}}, gridNames(0, 3, 1)},
		{client.Query{Filters: []string{"State!=Succeeded", "Name<item-0010"}}, gridNames(0, 10, 3)},
		{client.Query{Filters: []string{"Name~M-000"}, OrderBy: "Name desc"}, gridNames(9, -1, -1)},
		{client.Query{TagFilters: []string{"group=g-even"}, Filters: []string{"Name>item-0020"}}, gridNames(22, 30, 2)},
		{client.Query{Offset: 100}, nil},
	} {
		got, err := c.QueryWorkItems(ctx, tc.q)
		if err != nil {
			t.Errorf("%+v: %v", tc.q, err)
			continue
		}
		if !slices.Equal(names(got), tc.want) {
			t.Errorf("%+v: %q, want %q", tc.q, names(got), tc.want)
		}
	}
}
