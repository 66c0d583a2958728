package client_test

// Wire tests: each client operation is run against the real localcomps with
// the recorder in front, and the request the server received is compared
// with docs/protocol.md, so that client and server cannot drift into a
// private dialect. Section numbers refer to that document.

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
	"github.com/google/uuid"
)

// checkHeaders asserts the headers of §1.3 on every recorded request:
// Accept: application/json; no User-Agent; X-COMPS-Token on everything
// but the login; Content-Type application/json (even on GET and DELETE)
// except multipart saves and upload chunks.
func checkHeaders(t *testing.T, reqs []recordedRequest) {
	t.Helper()
	for _, r := range reqs {
		what := r.Method + " " + r.Path
		if got := r.Header.Values("Accept"); len(got) != 1 || got[0] != "application/json" {
			t.Errorf("%s: Accept = %q, want exactly application/json", what, got)
		}
		if ua, ok := r.Header["User-Agent"]; ok {
			t.Errorf("%s: User-Agent %q sent; the official client sends none", what, ua)
		}
		login := r.Method == http.MethodPost && r.Path == "/api/tokens"
		if tok := r.Header.Get("X-COMPS-Token"); login && tok != "" {
			t.Errorf("%s: login carries an X-COMPS-Token", what)
		} else if !login && tok == "" {
			t.Errorf("%s: no X-COMPS-Token", what)
		}
		ct := r.Header.Get("Content-Type")
		switch {
		case r.Method == http.MethodPost && (r.Path == "/api/WorkItems" || r.Path == "/api/AssetCollections"):
			if !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
				t.Errorf("%s: Content-Type %q, want multipart/form-data with a boundary", what, ct)
			}
		case r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/api/upload/"):
			if ct != "application/octet-stream" {
				t.Errorf("%s: Content-Type %q, want application/octet-stream", what, ct)
			}
		default:
			if ct != "application/json" {
				t.Errorf("%s: Content-Type %q, want application/json", what, ct)
			}
		}
	}
}

// checkQuery asserts that a request's query has exactly these parameters,
// each once, with these values.
func checkQuery(t *testing.T, r recordedRequest, want map[string]string) {
	t.Helper()
	for k, vs := range r.Query {
		w, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s %s: unexpected query parameter %s=%q", r.Method, r.Path, k, vs)
		case len(vs) != 1 || vs[0] != w:
			t.Errorf("%s %s: %s = %q, want %q", r.Method, r.Path, k, vs, w)
		}
	}
	for k, w := range want {
		if !r.Query.Has(k) {
			t.Errorf("%s %s: query parameter %s missing (want %q); raw query %q", r.Method, r.Path, k, w, r.RawQuery)
		}
	}
}

// jsonKeys returns the sorted keys of a JSON object.
func jsonKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sorted returns a sorted copy.
func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// md5UUID is the md5 of data in the UUID form of §2.3.
func md5UUID(data []byte) string {
	s := md5.Sum(data)
	h := hex.EncodeToString(s[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func TestWireLogin(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.newClient(t, nil)
	if err := c.Login(t.Context(), testUser, testPassword); err != nil {
		t.Fatal(err)
	}
	r := ts.rec.only(t, http.MethodPost, "/api/tokens")
	checkHeaders(t, ts.rec.all())
	checkQuery(t, r, map[string]string{})
	if got, want := jsonKeys(t, r.Body), sorted("Username", "Password", "ClientVersion"); !slices.Equal(got, want) {
		t.Fatalf("login body keys %q, want %q", got, want)
	}
	var body map[string]json.RawMessage
	_ = json.Unmarshal(r.Body, &body)
	if string(body["Username"]) != `"`+testUser+`"` {
		t.Errorf("Username = %s", body["Username"])
	}
	if want := `"` + base64.StdEncoding.EncodeToString([]byte(testPassword)) + `"`; string(body["Password"]) != want {
		t.Errorf("Password = %s, want base64 of the UTF-8 bytes %s", body["Password"], want)
	}
	if string(body["ClientVersion"]) != "12" {
		t.Errorf("ClientVersion = %s, want the integer 12", body["ClientVersion"])
	}

	// The token the login answered is the one sent from then on.
	ts.rec.reset()
	tok, err := c.CurrentToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryWorkItems(t.Context(), client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	r = ts.rec.only(t, http.MethodGet, "/api/WorkItems")
	if r.Header.Get("X-COMPS-Token") != tok.Raw() {
		t.Errorf("X-COMPS-Token is not the token the login answered")
	}
	if tok.Type != client.TokenAuth || tok.User != testUser {
		t.Errorf("login token: %v", tok)
	}
}

func TestWireGetWorkItem(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	id := saveOne(t, c, "wire get")
	ts.rec.reset()

	_, err := c.GetWorkItem(t.Context(), strings.ToUpper(id), client.Query{
		Fields: []string{"Id", "Name", "State"}, Children: []string{"Tags", "Files"}})
	if err != nil {
		t.Fatal(err)
	}
	r := ts.rec.only(t, http.MethodGet, "/api/WorkItems/*")
	if r.Path != "/api/WorkItems/"+id {
		t.Errorf("path %s, want the canonical lowercase id /api/WorkItems/%s", r.Path, id)
	}
	checkQuery(t, r, map[string]string{"fields": "Id,Name,State", "children": "Tags,Files", "count": "100000"})
	// Query parameters are form-encoded: ',' travels as %2C (§1.2).
	if !strings.Contains(r.RawQuery, "fields=Id%2CName%2CState") {
		t.Errorf("raw query %q: commas not form-encoded", r.RawQuery)
	}
	if len(r.Body) != 0 {
		t.Errorf("GET with a body: %q", r.Body)
	}
	checkHeaders(t, ts.rec.all())
}

func TestWireQueryWorkItems(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ts.rec.reset()

	q := client.Query{
		Fields:     []string{"Id", "State"},
		Filters:    []string{"State=Created", "Name~wire"},
		TagFilters: []string{"type=singularity", "Replicate=3"},
		OrderBy:    "DateCreated desc",
		Offset:     5,
		Count:      10,
	}
	if _, err := c.QueryWorkItems(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	r := ts.rec.only(t, http.MethodGet, "/api/WorkItems")
	checkQuery(t, r, map[string]string{"fields": "Id,State", "filters": "State=Created,Name~wire",
		"tagfilters": "type=singularity,Replicate=3", "orderby": "DateCreated desc", "offset": "5", "count": "10"})
	if !strings.Contains(r.RawQuery, "orderby=DateCreated+desc") {
		t.Errorf("raw query %q: the space of orderby must travel as '+'", r.RawQuery)
	}

	// offset 0 is omitted; count is always sent for work items, even when
	// the caller sets none (then it is the page size).
	ts.rec.reset()
	if _, err := c.QueryWorkItems(t.Context(), client.Query{Filters: []string{"Owner=" + testUser}}); err != nil {
		t.Fatal(err)
	}
	r = ts.rec.only(t, http.MethodGet, "/api/WorkItems")
	checkQuery(t, r, map[string]string{"filters": "Owner=" + testUser, "count": "1000"})

	// Extra parameters pass through unchanged (§3.2).
	ts.rec.reset()
	if _, err := c.QueryWorkItems(t.Context(), client.Query{Count: 3, Extra: url.Values{"format": {"json"}}}); err != nil {
		t.Fatal(err)
	}
	r = ts.rec.only(t, http.MethodGet, "/api/WorkItems")
	checkQuery(t, r, map[string]string{"count": "3", "format": "json"})
	checkHeaders(t, ts.rec.all())
}

func TestWireGetOtherKinds(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	w := seedWorld(t, ts.srv)
	ts.rec.reset()

	ctx := t.Context()
	if _, err := c.GetSuite(ctx, w.suite, client.Query{Children: []string{"Tags"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetExperiment(ctx, w.experiment, client.Query{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSimulation(ctx, w.simulation, client.Query{Fields: []string{"Id", "SimulationState"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAssetCollection(ctx, w.assetCollection, client.Query{Children: []string{"Assets", "Tags"}}); err != nil {
		t.Fatal(err)
	}
	// count only for the kinds pyCOMPS always sends it for (§3.2).
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/Suites/"+w.suite), map[string]string{"children": "Tags"})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/Experiments/"+w.experiment), map[string]string{})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/Simulations/"+w.simulation),
		map[string]string{"fields": "Id,SimulationState", "count": "100000"})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/AssetCollections/"+w.assetCollection),
		map[string]string{"children": "Assets,Tags", "count": "100000"})
	checkHeaders(t, ts.rec.all())
}

func TestWireSaveWorkItems(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	w := seedWorld(t, ts.srv)
	ts.rec.reset()

	order := []byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "true"}}`)
	shared := []byte("print('shared by both items')\n")
	files := []client.FileUpload{
		client.FileFromBytes("WorkOrder.json", "WorkOrder", order),
		client.FileFromBytes("dir/run.py", "input", shared), // directories dropped (§3.3)
		client.FileFromBytes("table.csv", "input", []byte("a,b\n1,2\n")),
		client.FileFromBytes("notes.txt", "input", []byte("notes")),
		client.FileFromBytes("conf.xml", "input", []byte("<a/>")),
		client.FileFromBytes("UPPER.JSON", "input", []byte(`{"case":"sensitive"}`)),
		client.FileFromBytes("blob.bin", "Demographics", []byte{0, 1, 2, 3, 255}),
	}
	files[2].Description = "a table"
	full := client.NewWorkItem{
		Name: "wire full", Description: "all optional fields", Worker: testWorker, EnvironmentName: testEnv,
		Priority: client.PriorityHighest, AssetCollectionID: w.assetCollection,
		Tags:  client.Tags{"SSMT": nil, "WorkItem_Type": "DockerWorker", "n": 3},
		Files: files,
	}
	minimal := client.NewWorkItem{Name: "wire minimal", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{client.FileFromBytes("run.py", "input", shared)}}
	bare := client.NewWorkItem{Name: "wire bare", Worker: testWorker, EnvironmentName: testEnv, Owner: "someone"}

	ids, err := c.SaveWorkItems(t.Context(), []client.NewWorkItem{full, minimal, bare})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 {
		t.Fatalf("%d ids", len(ids))
	}
	r := ts.rec.only(t, http.MethodPost, "/api/WorkItems")
	checkHeaders(t, ts.rec.all())
	checkQuery(t, r, map[string]string{})
	if r.PartsErr != nil {
		t.Fatalf("multipart body: %v", r.PartsErr)
	}
	if len(r.Parts) == 0 {
		t.Fatal("no parts")
	}
	ep := r.Parts[0]
	if ep.FormName != "not_a_file" || ep.FileName != "WorkItems" || ep.ContentType != "application/json" {
		t.Errorf("entity part: name %q file %q type %q, want not_a_file, WorkItems, application/json",
			ep.FormName, ep.FileName, ep.ContentType)
	}
	// A bare JSON array, objects joined by ", " (§3.3).
	if !bytes.HasPrefix(ep.Body, []byte("[{")) || !bytes.HasSuffix(ep.Body, []byte("}]")) ||
		bytes.Count(ep.Body, []byte("}, {\"Name\"")) != 2 {
		t.Errorf("entity part is not [obj, obj, obj]: %s", ep.Body)
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(ep.Body, &objs); err != nil || len(objs) != 3 {
		t.Fatalf("entity part: %v, %d objects: %s", err, len(objs), ep.Body)
	}

	wantKeys := [][]string{
		sorted("Name", "Worker", "EnvironmentName", "Owner", "Files", "Description", "Priority", "AssetCollectionId", "Tags"),
		sorted("Name", "Worker", "EnvironmentName", "Owner", "Files"),
		sorted("Name", "Worker", "EnvironmentName", "Owner", "Files"),
	}
	for i, o := range objs {
		if got := jsonKeys(t, o); !slices.Equal(got, wantKeys[i]) {
			t.Errorf("object %d keys %q, want %q", i, got, wantKeys[i])
		}
		var m map[string]json.RawMessage
		_ = json.Unmarshal(o, &m)
		for k, v := range m {
			if string(v) == "null" {
				t.Errorf("object %d: %s is null; null properties are omitted (§2.2)", i, k)
			}
		}
		if got := jsonKeys(t, m["Worker"]); !slices.Equal(got, sorted("Name", "Version")) {
			t.Errorf("object %d Worker keys %q", i, got)
		}
		var worker client.WorkerOrPluginKey
		_ = json.Unmarshal(m["Worker"], &worker)
		if worker != testWorker {
			t.Errorf("object %d Worker %+v", i, worker)
		}
	}
	var o0 struct {
		Name, Description, EnvironmentName, Owner, Priority, AssetCollectionId string
		Tags                                                                   map[string]json.RawMessage
		Files                                                                  []json.RawMessage
	}
	_ = json.Unmarshal(objs[0], &o0)
	if o0.Name != "wire full" || o0.Description != "all optional fields" || o0.EnvironmentName != testEnv ||
		o0.Owner != testUser || o0.Priority != "Highest" || o0.AssetCollectionId != w.assetCollection {
		t.Errorf("object 0: %+v", o0)
	}
	if string(o0.Tags["SSMT"]) != "null" || string(o0.Tags["WorkItem_Type"]) != `"DockerWorker"` || string(o0.Tags["n"]) != "3" {
		t.Errorf("object 0 tags %s", objs[0])
	}
	if len(o0.Files) != len(files) {
		t.Fatalf("object 0: %d files, want %d", len(o0.Files), len(files))
	}
	for i, f := range o0.Files {
		if got := jsonKeys(t, f); !slices.Equal(got, sorted("FileType", "Description", "FileName", "MD5Checksum")) {
			t.Errorf("file %d keys %q", i, got)
		}
		var ff client.WorkItemFile
		_ = json.Unmarshal(f, &ff)
		want := files[i]
		wantUUID, _ := client.MD5ToUUID(want.MD5)
		if ff.FileName != want.FileName || ff.FileType != want.FileType || ff.Description != want.Description || ff.MD5Checksum != wantUUID {
			t.Errorf("file %d = %+v, want %s %s %q %s", i, ff, want.FileName, want.FileType, want.Description, wantUUID)
		}
	}
	if o0.Files != nil && !strings.Contains(string(o0.Files[1]), `"FileName":"run.py"`) {
		t.Errorf("directories must be dropped from FileName: %s", o0.Files[1])
	}
	var o1, o2 struct {
		Owner string
		Files []json.RawMessage
	}
	_ = json.Unmarshal(objs[1], &o1)
	_ = json.Unmarshal(objs[2], &o2)
	if o1.Owner != testUser || o2.Owner != "someone" {
		t.Errorf("owners %q %q, want the token's user unless set", o1.Owner, o2.Owner)
	}
	if o2.Files == nil || len(o2.Files) != 0 || !bytes.Contains(objs[2], []byte(`"Files":[]`)) {
		t.Errorf("an item without files must send \"Files\": []: %s", objs[2])
	}

	// One part per distinct file, named by its md5, in the same request.
	wantType := map[string]string{"WorkOrder.json": "application/json", "run.py": "application/octet-stream",
		"table.csv": "text/plain", "notes.txt": "text/plain", "conf.xml": "application/xml",
		"UPPER.JSON": "application/octet-stream", "blob.bin": "application/octet-stream"}
	fileParts := r.Parts[1:]
	if len(fileParts) != len(files) {
		t.Fatalf("%d file parts, want %d (the shared file once)", len(fileParts), len(files))
	}
	for i, p := range fileParts {
		f := files[i]
		if p.FileName != f.FileName || p.ContentType != wantType[f.FileName] || p.FormName != md5UUID(p.Body) {
			t.Errorf("part %d: name %q file %q type %q; want name md5(%s) file %q type %q",
				i+1, p.FormName, p.FileName, p.ContentType, md5UUID(p.Body), f.FileName, wantType[f.FileName])
		}
		if u, _ := client.MD5ToUUID(f.MD5); p.FormName != u {
			t.Errorf("part %d: form name %s, want %s", i+1, p.FormName, u)
		}
	}
}

func TestWireSaveChecksMediumFiles(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ts.rec.reset()
	data := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB: checked before it is sent
	f := client.FileFromBytes("medium.dat", "input", data)
	if _, err := c.SaveWorkItems(t.Context(), []client.NewWorkItem{{Name: "medium", Worker: testWorker,
		EnvironmentName: testEnv, Files: []client.FileUpload{f}}}); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	check := ts.rec.only(t, http.MethodGet, "/api/upload/check/*")
	if check.Path != "/api/upload/check/"+md5UUID(data) {
		t.Errorf("check path %s", check.Path)
	}
	save := ts.rec.only(t, http.MethodPost, "/api/WorkItems")
	if len(save.Parts) != 2 || !bytes.Equal(save.Parts[1].Body, data) {
		t.Errorf("an absent medium file must go as a part: %d parts", len(save.Parts))
	}
}

func TestWireUpdateWorkItem(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	id := saveOne(t, c, "before")
	ts.rec.reset()

	name, empty := "after", ""
	if err := c.UpdateWorkItem(t.Context(), id, client.WorkItemUpdate{Name: &name, Description: &empty}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateWorkItem(t.Context(), id, client.WorkItemUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	saves := ts.rec.matching(http.MethodPost, "/api/WorkItems")
	if len(saves) != 2 {
		t.Fatalf("%d saves", len(saves))
	}
	checkHeaders(t, ts.rec.all())
	wantKeys := [][]string{sorted("Id", "Name", "Description"), sorted("Id", "Name")}
	for i, r := range saves {
		if len(r.Parts) != 1 || r.Parts[0].FormName != "not_a_file" || r.Parts[0].FileName != "WorkItems" {
			t.Fatalf("update %d: parts %+v", i, r.Parts)
		}
		var objs []json.RawMessage
		if err := json.Unmarshal(r.Parts[0].Body, &objs); err != nil || len(objs) != 1 {
			t.Fatalf("update %d: %v %s", i, err, r.Parts[0].Body)
		}
		if got := jsonKeys(t, objs[0]); !slices.Equal(got, wantKeys[i]) {
			t.Errorf("update %d keys %q, want %q", i, got, wantKeys[i])
		}
		if !bytes.Contains(objs[0], []byte(`"Id":"`+id+`"`)) {
			t.Errorf("update %d: %s", i, objs[0])
		}
	}
	if !bytes.Contains(saves[0].Parts[0].Body, []byte(`"Description":""`)) {
		t.Errorf("an empty description is sent as \"\": %s", saves[0].Parts[0].Body)
	}
}

func TestWireTags(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	id := saveOne(t, c, "tags")
	ts.rec.reset()
	ctx := t.Context()

	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"a": "1", "flag": nil, "n": 2.5, "b": true}, client.TagsMerge); err != nil {
		t.Fatal(err)
	}
	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"only": "this"}, client.TagsReplace); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTags(ctx, client.KindWorkItem, id, "only"); err != nil {
		t.Fatal(err)
	}
	reqs := ts.rec.matching(http.MethodPost, "/api/WorkItems/*/tags")
	if len(reqs) != 3 {
		t.Fatalf("%d tag requests:\n%s", len(reqs), ts.rec.summary())
	}
	checkHeaders(t, ts.rec.all())
	wantBody := []string{
		`{"OperationMode":"Merge","Tags":{"a":"1","b":true,"flag":null,"n":2.5}}`,
		`{"OperationMode":"Replace","Tags":{"only":"this"}}`,
		`{"OperationMode":"Delete","Tags":{"only":null}}`,
	}
	for i, r := range reqs {
		if r.Path != "/api/WorkItems/"+id+"/tags" {
			t.Errorf("tags path %s (lower-case tags, §5)", r.Path)
		}
		checkQuery(t, r, map[string]string{})
		if got := jsonKeys(t, r.Body); !slices.Equal(got, sorted("Tags", "OperationMode")) {
			t.Errorf("tags body keys %q", got)
		}
		var norm any
		_ = json.Unmarshal(r.Body, &norm)
		got, _ := json.Marshal(norm) // sorted keys
		if string(got) != wantBody[i] {
			t.Errorf("tags body %s, want %s", got, wantBody[i])
		}
	}
}

func TestWireStateChanges(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	id := saveOne(t, c, "state")
	ts.rec.reset()
	if err := c.Commission(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if err := c.Cancel(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	for _, state := range []string{"CommissionRequested", "CancelRequested"} {
		r := ts.rec.only(t, http.MethodPut, "/api/WorkItems/"+id+"/State/"+state)
		checkQuery(t, r, map[string]string{})
		if len(r.Body) != 0 {
			t.Errorf("state %s: body %q, want empty", state, r.Body)
		}
	}
}

func TestWireRelations(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	w := seedWorld(t, ts.srv)
	id := saveOne(t, c, "relations")
	ts.rec.reset()
	ctx := t.Context()

	if err := c.AddRelation(ctx, id, client.RelationDependsOn, client.KindExperiment, strings.ToUpper(w.experiment)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Related(ctx, id, client.KindExperiment, client.RelationDependsOn); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Related(ctx, id, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Parents(ctx, w.experiment, client.KindExperiment, client.RelationDependsOn); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Parents(ctx, w.experiment, client.KindExperiment, ""); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	add := ts.rec.only(t, http.MethodPost, "/api/WorkItems/"+id+"/Related/DependsOn/Experiment/"+w.experiment)
	checkQuery(t, add, map[string]string{})
	if len(add.Body) != 0 {
		t.Errorf("add relation: body %q, want none", add.Body)
	}
	rel := ts.rec.matching(http.MethodGet, "/api/WorkItems/"+id+"/Related")
	if len(rel) != 2 {
		t.Fatalf("%d Related requests", len(rel))
	}
	checkQuery(t, rel[0], map[string]string{"RelatedObject": "Experiment", "RelationType": "DependsOn"})
	checkQuery(t, rel[1], map[string]string{})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/WorkItems/RelatedEntityId/"+w.experiment+"/Type/Experiment/Relation/DependsOn"),
		map[string]string{})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/api/WorkItems/RelatedEntityId/"+w.experiment+"/Type/Experiment"),
		map[string]string{})
}

func TestWireDelete(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	a, b := saveOne(t, c, "delete a"), saveOne(t, c, "delete b")
	ts.rec.reset()
	if err := c.DeleteWorkItem(t.Context(), a, false); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWorkItem(t.Context(), b, true); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	checkQuery(t, ts.rec.only(t, http.MethodDelete, "/api/WorkItems/"+a), map[string]string{})
	checkQuery(t, ts.rec.only(t, http.MethodDelete, "/api/WorkItems/"+b), map[string]string{"expirenow": "True"})
	if _, err := c.GetWorkItem(t.Context(), a, client.Query{}); err == nil {
		t.Error("a deleted work item is still returned")
	}
}

func TestWireOutputsAndDownloads(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	w := seedWorld(t, ts.srv)
	ts.rec.reset()
	ctx := t.Context()

	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OutputFiles(ctx, client.KindSimulation, w.simulation); err != nil {
		t.Fatal(err)
	}
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/asset/WorkItems/"+w.workItem+"/Output"), map[string]string{"flatten": "1"})
	checkQuery(t, ts.rec.only(t, http.MethodGet, "/asset/Simulations/"+w.simulation+"/Output"), map[string]string{"flatten": "1"})
	if n := ts.rec.count(http.MethodGet, "/api/**"); n != 0 {
		t.Errorf("output listings must not go under /api: %d requests there", n)
	}
	out := findOutput(t, outs, "StdOut.txt")

	ts.rec.reset()
	for _, rg := range []struct {
		off, n int64
		want   string // Range header, "" for none
	}{{0, -1, ""}, {3, 5, "bytes=3-7"}, {4, -1, "bytes=4-"}, {0, 2, "bytes=0-1"}} {
		rc, err := c.Download(ctx, out.URL, rg.off, rg.n)
		if err != nil {
			t.Fatalf("download %d+%d: %v", rg.off, rg.n, err)
		}
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
		reqs := ts.rec.all()
		r := reqs[len(reqs)-1]
		if r.Method != http.MethodGet || r.Path != "/asset/WorkItems/"+w.workItem+"/Output/StdOut.txt" {
			t.Errorf("download went to %s %s", r.Method, r.Path)
		}
		if got := r.Header.Values("Range"); rg.want == "" && len(got) != 0 || rg.want != "" && (len(got) != 1 || got[0] != rg.want) {
			t.Errorf("download %d+%d: Range %q, want %q", rg.off, rg.n, got, rg.want)
		}
	}
	checkHeaders(t, ts.rec.all())
}

func TestWireChunkedUpload(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ts.rec.reset()

	data := pseudoRandom(11<<20+12345, 7)
	f := client.FileFromBytes("big.bin", "input", data)
	if err := c.UploadLarge(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	u := md5UUID(data)
	reqs := ts.rec.all()
	if len(reqs) < 2 || reqs[0].Method != http.MethodGet || reqs[0].Path != "/api/upload/check/"+u {
		t.Fatalf("the upload must start with GET /api/upload/check/%s:\n%s", u, ts.rec.summary())
	}
	var got []byte
	for i, r := range reqs[1:] {
		if r.Method != http.MethodPost || r.Path != "/api/upload/"+u {
			t.Fatalf("request %d: %s %s, want POST /api/upload/%s", i+1, r.Method, r.Path, u)
		}
		checkQuery(t, r, map[string]string{})
		want := "bytes " + strconv.Itoa(len(got)) + "-" + strconv.Itoa(len(got)+len(r.Body)-1) + "/" + strconv.Itoa(len(data))
		if cr := r.Header.Values("Content-Range"); len(cr) != 1 || cr[0] != want {
			t.Errorf("chunk %d: Content-Range %q, want %q", i, cr, want)
		}
		got = append(got, r.Body...)
	}
	if first := len(reqs[1].Body); first != 1<<20 {
		t.Errorf("first chunk %d bytes, want 1 MiB (§8.1)", first)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("the chunks do not add up to the file (%d of %d bytes)", len(got), len(data))
	}

	// Uploading the same file again only asks.
	ts.rec.reset()
	c2 := ts.login(t, nil)
	ts.rec.reset()
	if err := c2.UploadLarge(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	ts.rec.only(t, http.MethodGet, "/api/upload/check/"+u)
	if n := len(ts.rec.all()); n != 1 {
		t.Errorf("re-upload of a complete file: %d requests, want the check only:\n%s", n, ts.rec.summary())
	}
}

func TestWireRenewal(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	var now nowFunc
	c := ts.login(t, func(o *client.Options) { o.Now = now.get })
	old, err := c.CurrentToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now.set(old.Expiry.Add(-119 * 60e9)) // within the two hours before expiry
	ts.rec.reset()
	if _, err := c.QueryWorkItems(t.Context(), client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, ts.rec.all())
	r := ts.rec.only(t, http.MethodPut, "/api/tokens")
	if r.Header.Get("X-COMPS-Token") != old.Raw() {
		t.Error("renewal must carry the current token")
	}
	if got := jsonKeys(t, r.Body); !slices.Equal(got, []string{"ClientVersion"}) || !bytes.Contains(r.Body, []byte(`"ClientVersion":12`)) {
		t.Errorf("renewal body %s, want {\"ClientVersion\": 12}", r.Body)
	}
}

// wireDate is the server's date form (§2.4): seven fractional digits and Z.
var wireDate = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

// checkNoNulls fails on a null value anywhere in v, except inside Tags
// (null-valued tags are flags, §2.7).
func checkNoNulls(t *testing.T, what string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil:
		t.Errorf("%s: null in an answer (absent keys are how a server leaves values out)", what)
	case map[string]any:
		for k, e := range x {
			if k != "Tags" {
				checkNoNulls(t, what+"."+k, e)
			}
		}
	case []any:
		for i, e := range x {
			checkNoNulls(t, fmt.Sprintf("%s[%d]", what, i), e)
		}
	}
}

func TestWireAnswers(t *testing.T) {
	// The answers the client relies on, as the server sends them.
	ts := startServer(t, localcomps.Options{MaxPageSize: 2})
	c := ts.login(t, nil)
	ctx := t.Context()
	w := seedWorld(t, ts.srv)
	id := saveOne(t, c, "answers")
	saveOne(t, c, "answers 2")

	login := ts.rec.only(t, http.MethodPost, "/api/tokens")
	if login.Status != http.StatusOK {
		t.Errorf("login: status %d", login.Status)
	}
	if tok, err := client.ParseToken(login.AnswerHeader.Get("X-COMPS-Token")); err != nil || tok.Type != client.TokenAuth ||
		tok.User != testUser || len(strings.Split(tok.Raw(), ",")) < 14 {
		t.Errorf("login answer token: %v, %v", tok, err)
	}
	save := ts.rec.matching(http.MethodPost, "/api/WorkItems")[0]
	if got := jsonKeys(t, save.Answer); !slices.Equal(got, []string{"Ids"}) || !strings.Contains(string(save.Answer), `"`+id+`"`) {
		t.Errorf("save answer %s, want {\"Ids\": [lower-case ids]}", save.Answer)
	}

	ts.rec.reset()
	if _, err := c.GetWorkItem(ctx, w.workItem, client.Query{Children: []string{"Tags", "Files", "Plugins"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSimulation(ctx, w.simulation, client.Query{}); err != nil {
		t.Fatal(err)
	}
	for _, r := range ts.rec.all() {
		var m map[string][]map[string]any
		if err := json.Unmarshal(r.Answer, &m); err != nil || len(m) != 1 {
			t.Errorf("%s %s: answer is not {\"<Kind>s\": [...]}: %s", r.Method, r.Path, r.Answer)
			continue
		}
		for env, list := range m {
			for _, e := range list {
				checkNoNulls(t, env, e)
				for _, k := range []string{"DateCreated", "LastModified"} {
					if s, _ := e[k].(string); !wireDate.MatchString(s) {
						t.Errorf("%s %s: %s %q is not 7 fractional digits and Z (§2.4)", env, e["Id"], k, e[k])
					}
				}
				if wk, ok := e["Worker"].(map[string]any); ok && (len(wk) != 2 || wk["Name"] == nil || wk["Version"] == nil) {
					t.Errorf("Worker %v, want {Name, Version}", wk)
				}
			}
		}
	}

	// Paging: a partial answer carries Content-Range <first>-<last>/<total>.
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{}); err != nil {
		t.Fatal(err)
	}
	pages := ts.rec.matching(http.MethodGet, "/api/WorkItems")
	if len(pages) != 2 {
		t.Fatalf("3 items at 2 a page: %d requests", len(pages))
	}
	cr := regexp.MustCompile(`^(items )?(\d+)-(\d+)/(\d+)$`)
	if m := cr.FindStringSubmatch(pages[0].AnswerHeader.Get("Content-Range")); m == nil || m[2] != "0" || m[3] != "1" || m[4] != "3" {
		t.Errorf("first page Content-Range %q, want 0-1/3", pages[0].AnswerHeader.Get("Content-Range"))
	}

	// Errors: JSON with ResponseMessage and CorrelationId (§11).
	ts.rec.reset()
	_, _ = c.GetWorkItem(ctx, uuid.NewString(), client.Query{})
	_, _ = c.QueryWorkItems(ctx, client.Query{Filters: []string{"Nope=1"}})
	for _, r := range ts.rec.all() {
		var e struct{ ResponseMessage, CorrelationId string }
		if err := json.Unmarshal(r.Answer, &e); err != nil || e.ResponseMessage == "" {
			t.Errorf("%s %s: error answer %d %s has no ResponseMessage", r.Method, r.Path, r.Status, r.Answer)
		}
		if _, err := uuid.Parse(e.CorrelationId); err != nil {
			t.Errorf("%s %s: CorrelationId %q", r.Method, r.Path, e.CorrelationId)
		}
	}

	// Outputs: Resources with the fields of §7.1; ranges: 206 + Content-Range.
	ts.rec.reset()
	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Resources []map[string]any }
	_ = json.Unmarshal(ts.rec.all()[0].Answer, &res)
	for _, r := range res.Resources {
		for _, k := range []string{"Id", "FriendlyName", "PathFromRoot", "Length", "Url", "MimeType", "MD5"} {
			if _, ok := r[k]; !ok {
				t.Errorf("output %v: no %s", r["FriendlyName"], k)
			}
		}
	}
	ts.rec.reset()
	if _, err := download(t, c, findOutput(t, outs, "StdOut.txt").URL, 6, 4); err != nil {
		t.Fatal(err)
	}
	r := ts.rec.all()[0]
	if r.Status != http.StatusPartialContent || r.AnswerHeader.Get("Content-Range") != fmt.Sprintf("bytes 6-9/%d", len(w.stdout)) {
		t.Errorf("range answer %d %q, want 206 bytes 6-9/%d", r.Status, r.AnswerHeader.Get("Content-Range"), len(w.stdout))
	}

	// Upload check: 404 when absent, 200 when complete (§8.1).
	ts.rec.reset()
	absent := client.FileFromBytes("x", "input", []byte("not on the server"))
	if st, err := c.CheckFile(ctx, absent.MD5); err != nil || st.Complete || st.Size != 0 {
		t.Errorf("absent file: %+v, %v", st, err)
	}
	if st, err := c.CheckFile(ctx, md5UUID(w.stdout)); err != nil || !st.Complete {
		t.Errorf("stored file: %+v, %v", st, err)
	}
	if got := []int{ts.rec.all()[0].Status, ts.rec.all()[1].Status}; !slices.Equal(got, []int{404, 200}) {
		t.Errorf("upload check statuses %v, want 404 then 200", got)
	}
}
