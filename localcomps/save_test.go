package localcomps

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSaveUntrackedThenWithBytes(t *testing.T) {
	e := newEnv(t, nil)
	order := []byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"ImageName": "ubuntu", "Command": "echo hi"}}`)
	input := []byte("print('hello')\n")
	files := []map[string]any{
		{"FileType": "WorkOrder", "Description": "", "FileName": "WorkOrder.json", "MD5Checksum": md5uuid(order)},
		{"FileType": "input", "Description": "", "FileName": "run.py", "MD5Checksum": md5uuid(input)},
	}
	item := workItemJSON("Hello - SSMT", files...)

	// by md5 only: both untracked, nothing created
	resp, data := e.save("WorkItems", []any{item})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("untracked save: %d %s", resp.StatusCode, data)
	}
	we := e.errBody(data)
	if len(we.UntrackedIds) != 2 || we.UntrackedIds[0] != md5uuid(order) || we.UntrackedIds[1] != md5uuid(input) {
		t.Fatalf("UntrackedIds %v", we.UntrackedIds)
	}
	if n := e.countWorkItems(); n != 0 {
		t.Fatalf("%d work items after refused save", n)
	}

	// with one part only: the other is still untracked, and the sent part is not kept
	resp, data = e.save("WorkItems", []any{item}, part{md5uuid(order), "WorkOrder.json", order})
	if we := e.errBody(data); resp.StatusCode != http.StatusBadRequest || len(we.UntrackedIds) != 1 || we.UntrackedIds[0] != md5uuid(input) {
		t.Fatalf("half save: %d %s", resp.StatusCode, data)
	}
	if e.s.blobs.has(strings.ReplaceAll(md5uuid(order), "-", "")) {
		t.Fatal("a refused save stored a blob")
	}

	// with bytes: created, two objects, ids in order
	second := workItemJSON("Second")
	delete(second, "Owner")
	second["Worker"] = map[string]any{"Name": "DockerWorker", "Version": "1.0.0.0_RELEASE"}
	var ids wireIds
	resp, data = e.save("WorkItems", []any{item, second}, part{md5uuid(order), "WorkOrder.json", order}, part{md5uuid(input), "run.py", input})
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &ids) != nil || len(ids.Ids) != 2 {
		t.Fatalf("save with bytes: %d %s", resp.StatusCode, data)
	}
	if e.s.Stats().BytesReceived != int64(len(order)+len(input)+len(order)) {
		t.Fatalf("BytesReceived %d", e.s.Stats().BytesReceived)
	}

	var got workItemsAnswer
	e.json("GET", "/api/WorkItems/"+ids.Ids[0]+"?children=Files,Tags", nil, http.StatusOK, &got)
	w := got.WorkItems[0]
	if w["State"] != "Created" || w["Owner"] != "jdoe" || w["EnvironmentName"] != "Bayesian" || w["Name"] != "Hello - SSMT" {
		t.Fatalf("saved item %v", w)
	}
	fl := w["Files"].([]any)
	if len(fl) != 2 {
		t.Fatalf("files %v", fl)
	}
	f1 := fl[1].(map[string]any)
	if f1["FileName"] != "run.py" || f1["FileType"] != "input" || f1["MD5Checksum"] != md5uuid(input) || f1["Length"] != float64(len(input)) {
		t.Fatalf("file %v", f1)
	}
	uri := f1["Uri"].(string)
	if !strings.HasPrefix(uri, e.ts.URL+"/asset/") {
		t.Fatalf("Uri %q", uri)
	}
	u, _ := url.Parse(uri)
	resp, data = e.req("GET", u.Path, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(data, input) {
		t.Fatalf("download %s: %d %q", u.Path, resp.StatusCode, data)
	}
	got = workItemsAnswer{}
	e.json("GET", "/api/WorkItems/"+ids.Ids[1], nil, http.StatusOK, &got)
	if got.WorkItems[0]["Owner"] != "localuser" {
		t.Fatalf("owner from token: %v", got.WorkItems[0]["Owner"])
	}

	// update: name, description and a new file referenced by md5 (already stored)
	upd := map[string]any{"Id": ids.Ids[1], "Name": "Second renamed", "Description": "now described",
		"Files": []map[string]any{{"FileType": "input", "FileName": "copy.py", "MD5Checksum": md5uuid(input)}}}
	var uids wireIds
	resp, data = e.save("WorkItems", []any{upd})
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &uids) != nil || uids.Ids[0] != ids.Ids[1] {
		t.Fatalf("update: %d %s", resp.StatusCode, data)
	}
	got = workItemsAnswer{}
	e.json("GET", "/api/WorkItems/"+ids.Ids[1]+"?children=Files", nil, http.StatusOK, &got)
	w = got.WorkItems[0]
	if w["Name"] != "Second renamed" || w["Description"] != "now described" || len(w["Files"].([]any)) != 1 || w["LastModified"] == w["DateCreated"] {
		t.Fatalf("updated %v", w)
	}
	if n := e.countWorkItems(); n != 2 {
		t.Fatalf("%d work items", n)
	}
}

func TestSaveBadInputChangesNothing(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxRequestBytes = 64 << 10 })
	data := []byte("some bytes")
	good := workItemJSON("ok", map[string]any{"FileType": "input", "FileName": "a.txt", "MD5Checksum": md5uuid(data)})
	with := func(k string, v any) map[string]any {
		m := workItemJSON("x")
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := map[string]struct {
		entities any
		parts    []part
		status   int
	}{
		"malformed JSON":      {"[{\"Name\": ", nil, 400},
		"not an array":        {map[string]any{"Name": "x"}, nil, 400},
		"missing name":        {[]any{with("Name", nil)}, nil, 400},
		"empty name":          {[]any{with("Name", " ")}, nil, 400},
		"missing worker":      {[]any{with("Worker", nil)}, nil, 400},
		"worker no version":   {[]any{with("Worker", map[string]any{"name": "DockerWorker"})}, nil, 400},
		"missing environment": {[]any{with("EnvironmentName", nil)}, nil, 400},
		"unknown environment": {[]any{with("EnvironmentName", "Calculon")}, nil, 400},
		"bad priority":        {[]any{with("Priority", "Urgent")}, nil, 400},
		"bad asset coll id":   {[]any{with("AssetCollectionId", "nope")}, nil, 400},
		"unknown asset coll":  {[]any{with("AssetCollectionId", "00000000-0000-0000-0000-000000000001")}, nil, 400},
		"bad tag value":       {[]any{with("Tags", map[string]any{"a": []int{1}})}, nil, 400},
		"bad md5 in Files":    {[]any{with("Files", []map[string]any{{"FileName": "a", "MD5Checksum": "zz"}})}, nil, 400},
		"bad file name":       {[]any{with("Files", []map[string]any{{"FileName": "../a", "MD5Checksum": md5uuid(data)}})}, nil, 400},
		"md5 mismatch":        {[]any{good}, []part{{md5uuid([]byte("other")), "a.txt", data}}, 400},
		"bad part name":       {[]any{good}, []part{{"not-an-md5", "a.txt", data}}, 400},
		"good then bad":       {[]any{good, with("Worker", nil)}, []part{{md5uuid(data), "a.txt", data}}, 400},
		"update unknown id":   {[]any{map[string]any{"Id": "00000000-0000-0000-0000-000000000001", "Name": "x"}}, nil, 404},
		"update bad id":       {[]any{map[string]any{"Id": "xyz", "Name": "x"}}, nil, 400},
		"oversized":           {[]any{good}, []part{{md5uuid(data), "a.txt", data}, {md5uuid(make([]byte, 100<<10)), "big", make([]byte, 100<<10)}}, 413},
	}
	for name, c := range cases {
		resp, body := e.save("WorkItems", c.entities, c.parts...)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, c.status, body)
			continue
		}
		e.errBody(body)
		if n := e.countWorkItems(); n != 0 {
			t.Fatalf("%s: %d work items created", name, n)
		}
	}
	// not multipart at all, and no entity part
	resp, body := e.req("POST", "/api/WorkItems", strings.NewReader(`[]`), nil)
	if resp.StatusCode != 400 {
		t.Fatalf("JSON body: %d", resp.StatusCode)
	}
	e.errBody(body)
	resp, body = e.save("Other", []any{good})
	if resp.StatusCode != 404 {
		t.Fatalf("wrong kind path: %d", resp.StatusCode)
	}
	b, ct := multipartBody(t, "NotWorkItems", []any{good})
	resp, body = e.req("POST", "/api/WorkItems", b, map[string]string{"Content-Type": ct})
	if resp.StatusCode != 400 {
		t.Fatalf("no entity part: %d", resp.StatusCode)
	}
	e.errBody(body)
	// a body announced larger than the limit is refused at once
	resp, body = e.req("POST", "/api/Suites", bytes.NewReader(make([]byte, 65<<10)), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized JSON: %d", resp.StatusCode)
	}
	e.errBody(body)
	if n := e.countWorkItems(); n != 0 {
		t.Fatalf("%d work items created", n)
	}
	// and the good one still works afterwards
	resp, body = e.save("WorkItems", []any{good}, part{md5uuid(data), "a.txt", data})
	if resp.StatusCode != 200 || e.countWorkItems() != 1 {
		t.Fatalf("good save: %d %s", resp.StatusCode, body)
	}
}

func TestSaveAssetCollectionsSuitesExperiments(t *testing.T) {
	e := newEnv(t, nil)
	a, b := []byte("asset a"), []byte("asset b\n")
	ac := map[string]any{"Tags": map[string]any{"type": "singularity"}, "Assets": []map[string]any{
		{"FileName": "a.txt", "RelativePath": "", "MD5Checksum": md5uuid(a)},
		{"FileName": "b.txt", "RelativePath": `lib\sub`, "MD5Checksum": md5uuid(b), "Tags": map[string]any{"k": "v"}}}}
	resp, data := e.save("AssetCollections", []any{ac})
	if we := e.errBody(data); resp.StatusCode != 400 || len(we.UntrackedIds) != 2 {
		t.Fatalf("untracked: %d %s", resp.StatusCode, data)
	}
	// files first with an empty array (client batching), then the collection by md5
	resp, data = e.save("AssetCollections", []any{}, part{md5uuid(a), "a.txt", a}, part{md5uuid(b), "b.txt", b})
	if resp.StatusCode != 200 || string(bytes.TrimSpace(data)) != `{"Ids":[]}` {
		t.Fatalf("files only: %d %s", resp.StatusCode, data)
	}
	var ids wireIds
	resp, data = e.save("AssetCollections", []any{ac})
	if resp.StatusCode != 200 || json.Unmarshal(data, &ids) != nil || len(ids.Ids) != 1 {
		t.Fatalf("collection: %d %s", resp.StatusCode, data)
	}
	var got struct{ AssetCollections []wireEntity }
	e.json("GET", "/api/AssetCollections/"+ids.Ids[0]+"?children=Assets,Tags", nil, 200, &got)
	assets := *got.AssetCollections[0].Assets
	if len(assets) != 2 || assets[1].RelativePath != `lib\sub` || (*assets[1].Tags)["k"] != "v" {
		t.Fatalf("assets %+v", assets)
	}
	u, _ := url.Parse(assets[1].Uri)
	resp, data = e.req("GET", u.Path, nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(data, b) {
		t.Fatalf("asset download %s: %d", u.Path, resp.StatusCode)
	}
	var acs struct{ AssetCollections []wireEntity }
	e.json("GET", "/api/AssetCollections?tagfilters=type%3Dsingularity&orderby=DateCreated+desc&count=100000", nil, 200, &acs)
	if len(acs.AssetCollections) != 1 {
		t.Fatal("asset collection tagfilter")
	}
	// a work item can use it
	w := workItemJSON("uses ac")
	w["AssetCollectionId"] = ids.Ids[0]
	if resp, data := e.save("WorkItems", []any{w}); resp.StatusCode != 200 {
		t.Fatalf("work item with asset collection: %s", data)
	}

	var sid, eid wireIds
	e.json("POST", "/api/Suites", map[string]any{"Suites": []any{map[string]any{"Name": "S", "Tags": map[string]any{"x": 1}}}}, 200, &sid)
	e.json("POST", "/api/Experiments", map[string]any{"Experiments": []any{map[string]any{"Name": "E", "SuiteId": sid.Ids[0]}}}, 200, &eid)
	e.json("POST", "/api/Experiments", map[string]any{"Experiments": []any{map[string]any{"Name": "E", "SuiteId": "00000000-0000-0000-0000-000000000001"}}}, 400, nil)
	e.json("POST", "/api/Suites", map[string]any{"Suites": []any{map[string]any{"Description": "no name"}}}, 400, nil)
	e.json("POST", "/api/Suites", map[string]any{"Nope": []any{}}, 400, nil)
	var exps struct{ Experiments []wireEntity }
	e.json("GET", "/api/Experiments?filters=SuiteId="+sid.Ids[0], nil, 200, &exps)
	if len(exps.Experiments) != 1 || exps.Experiments[0].SuiteId != sid.Ids[0] || exps.Experiments[0].Owner != "localuser" {
		t.Fatalf("experiments %+v", exps)
	}
	// deleting the suite takes the experiment with it
	e.json("DELETE", "/api/Suites/"+sid.Ids[0]+"?expirenow=True", nil, 200, nil)
	e.json("GET", "/api/Experiments/"+eid.Ids[0], nil, 404, nil)
	e.json("DELETE", "/api/Suites/"+sid.Ids[0], nil, 404, nil)
}
