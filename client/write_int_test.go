package client_test

// Integration tests of the writing side: saves in batches, chunked
// uploads, deduplicated file bytes, updates, tags and state changes,
// against a real localcomps.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
	"github.com/google/uuid"
)

func TestSave250WorkItems(t *testing.T) {
	t.Parallel() // heavy: overlaps its disk waits with the other tests
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()

	items := make([]client.NewWorkItem, 250)
	for i := range items {
		order := fmt.Appendf(nil, `{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "echo %d"}}`, i)
		items[i] = client.NewWorkItem{Name: fmt.Sprintf("batch-%03d", i), Worker: testWorker, EnvironmentName: testEnv,
			Tags:  client.Tags{"batch": "b250", "i": i},
			Files: []client.FileUpload{client.FileFromBytes("WorkOrder.json", "WorkOrder", order)}}
	}
	ts.rec.reset()
	ids, err := c.SaveWorkItems(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 250 {
		t.Fatalf("%d ids for 250 items", len(ids))
	}
	saves := ts.rec.matching(http.MethodPost, "/api/WorkItems")
	if len(saves) != 3 {
		t.Fatalf("%d POST /api/WorkItems for 250 items, want 3 (100 a request):\n%s", len(saves), ts.rec.summary())
	}
	if n := len(ts.rec.all()); n != 3 {
		t.Errorf("%d requests in all, want the 3 saves:\n%s", n, ts.rec.summary())
	}
	for i, want := range []int{100, 100, 50} {
		var objs []json.RawMessage
		if err := json.Unmarshal(saves[i].Parts[0].Body, &objs); err != nil || len(objs) != want {
			t.Errorf("save %d: %d objects (%v), want %d", i, len(objs), err, want)
		}
		if parts := len(saves[i].Parts) - 1; parts != want {
			t.Errorf("save %d: %d file parts, want %d", i, parts, want)
		}
	}

	// The ids are distinct, in the order of the items, and the items exist
	// with their own files.
	got, err := c.QueryWorkItems(ctx, client.Query{TagFilters: []string{"batch=b250"}, Fields: []string{"Id", "Name", "State"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 {
		t.Fatalf("query finds %d saved items", len(got))
	}
	name := map[string]string{}
	for _, it := range got {
		name[it.ID] = it.Name
		if it.State != client.StateCreated {
			t.Errorf("%s: state %s after save", it.Name, it.State)
		}
	}
	for i, id := range ids {
		if want := fmt.Sprintf("batch-%03d", i); name[id] != want {
			t.Fatalf("id %d (%s) is %q, want %q", i, id, name[id], want)
		}
	}
	wi, err := c.GetWorkItem(ctx, ids[173], client.Query{Children: []string{"Files", "Tags"}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := download(t, c, wi.Files[0].URI, 0, -1)
	if err != nil || !bytes.Contains(data, []byte(`"echo 173"`)) || wi.Tags["i"] != 173.0 {
		t.Errorf("item 173: file %q (%v), tags %v", data, err, wi.Tags)
	}
}

func TestSavePartlyRefused(t *testing.T) {
	// A batch the server refuses ends the save; the ids of the batches
	// already saved come back with the error.
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	items := make([]client.NewWorkItem, 150)
	for i := range items {
		items[i] = client.NewWorkItem{Name: fmt.Sprintf("part-%03d", i), Worker: testWorker, EnvironmentName: testEnv}
	}
	items[120].EnvironmentName = "Nowhere"
	ts.rec.reset()
	ids, err := c.SaveWorkItems(t.Context(), items)
	if !errors.Is(err, client.ErrBadRequest) {
		t.Fatalf("save with a bad item in the second batch: %v, want ErrBadRequest", err)
	}
	if len(ids) != 100 {
		t.Fatalf("%d ids returned with the error, want the first batch's 100", len(ids))
	}
	if n := ts.rec.count(http.MethodPost, "/api/WorkItems"); n != 2 {
		t.Errorf("%d saves, want 2", n)
	}
	for _, i := range []int{0, 99} {
		if wi, err := c.GetWorkItem(t.Context(), ids[i], client.Query{}); err != nil || wi.Name != fmt.Sprintf("part-%03d", i) {
			t.Errorf("saved item %d: %+v, %v", i, wi, err)
		}
	}
	if got, err := c.QueryWorkItems(t.Context(), client.Query{Fields: []string{"Id"}}); err != nil || len(got) != 100 {
		t.Errorf("%d items exist after the refused batch (the server must refuse it whole), %v", len(got), err)
	}
}

func TestSaveSplitsBySize(t *testing.T) {
	t.Parallel() // heavy: overlaps its disk waits with the other tests
	// Files up to 10 MiB travel inside the save: four items with a 9 MiB
	// file each (36 MiB) fit in one request, a fifth would pass the 38 MiB
	// limit and goes in a second one.
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	var items []client.NewWorkItem
	for i := range 5 {
		items = append(items, client.NewWorkItem{Name: fmt.Sprintf("size-%d", i), Worker: testWorker, EnvironmentName: testEnv,
			Files: []client.FileUpload{client.FileFromBytes("part.bin", "input", pseudoRandom(9<<20, byte(i+10)))}})
	}
	ts.rec.reset()
	ids, err := c.SaveWorkItems(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 5 {
		t.Fatalf("%d ids", len(ids))
	}
	saves := ts.rec.matching(http.MethodPost, "/api/WorkItems")
	if len(saves) != 2 || len(saves[0].Parts) != 5 || len(saves[1].Parts) != 2 {
		t.Errorf("%d saves; want 2: four items with their files, then one", len(saves))
	}
	for _, s := range saves {
		if len(s.Body) > 38<<20 {
			t.Errorf("a save request of %d bytes, above the 38 MiB limit", len(s.Body))
		}
	}
}

func TestLargeFileUpload(t *testing.T) {
	t.Parallel() // heavy: overlaps its disk waits with the other tests
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	const size = 25 << 20

	// 1. client.UploadLarge, then a save that lists the file by md5 only.
	big := pseudoRandom(size, 1)
	f := client.FileFromBytes("big.bin", "input", big)
	ts.srv.ResetStats()
	if err := c.UploadLarge(ctx, f); err != nil {
		t.Fatal(err)
	}
	if got := ts.srv.Stats().BytesReceived; got != size {
		t.Errorf("the upload sent %d file bytes, want %d", got, size)
	}
	if st, err := c.CheckFile(ctx, f.MD5); err != nil || !st.Complete {
		t.Fatalf("after the upload the server says %+v, %v", st, err)
	}
	ts.rec.reset()
	ts.srv.ResetStats()
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "uploaded first", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{f}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.srv.Stats().BytesReceived; got != 0 {
		t.Errorf("saving an uploaded file sent %d file bytes again", got)
	}
	if save := ts.rec.only(t, http.MethodPost, "/api/WorkItems"); len(save.Parts) != 1 {
		t.Errorf("the save carries %d parts, want only the entity part", len(save.Parts))
	}
	checkDownload(t, c, ids[0], "big.bin", big)

	// 2. Through SaveWorkItems alone, with a fresh client: chunks, then the
	// save, and every byte arrives exactly once.
	big2 := pseudoRandom(size, 2)
	f2 := client.FileFromBytes("big2.bin", "input", big2)
	order := []byte(`{"WorkItem_Type": "DockerWorker"}`)
	small := client.FileFromBytes("WorkOrder.json", "WorkOrder", order)
	c2 := ts.login(t, nil)
	ts.rec.reset()
	ts.srv.ResetStats()
	ids, err = c2.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "uploaded by the save", Worker: testWorker,
		EnvironmentName: testEnv, Files: []client.FileUpload{small, f2}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ts.srv.Stats().BytesReceived, int64(size+small.Size); got != want {
		t.Errorf("save with a 25 MiB file: server received %d file bytes, want %d", got, want)
	}
	chunks := ts.rec.matching(http.MethodPost, "/api/upload/*")
	if len(chunks) < 2 {
		t.Errorf("%d chunks for 25 MiB", len(chunks))
	}
	save := ts.rec.only(t, http.MethodPost, "/api/WorkItems")
	if len(save.Parts) != 2 || save.Parts[1].FileName != "WorkOrder.json" {
		t.Errorf("the save must carry the small file only: %d parts", len(save.Parts))
	}
	reqs := ts.rec.all()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodPost || last.Path != "/api/WorkItems" {
		t.Errorf("the chunks must all go before the save:\n%s", ts.rec.summary())
	}
	checkDownload(t, c2, ids[0], "big2.bin", big2)
	checkDownload(t, c2, ids[0], "WorkOrder.json", order)

	// 3. The same bytes saved again send no file data: by the same client,
	// which remembers what it sent (small files included), and by a fresh
	// one, which asks about files above 64 KiB.
	for i, again := range []struct {
		c     *client.Client
		files []client.FileUpload
	}{{c2, []client.FileUpload{small, f2}}, {ts.login(t, nil), []client.FileUpload{f2}}} {
		cl := again.c
		ts.rec.reset()
		ts.srv.ResetStats()
		ids, err := cl.SaveWorkItems(ctx, []client.NewWorkItem{{Name: fmt.Sprintf("again %d", i), Worker: testWorker,
			EnvironmentName: testEnv, Files: again.files}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ts.srv.Stats().BytesReceived; got != 0 {
			t.Errorf("second save %d of the same files: %d file bytes sent, want 0", i, got)
		}
		if n := ts.rec.count(http.MethodPost, "/api/upload/*"); n != 0 {
			t.Errorf("second save %d: %d chunks sent", i, n)
		}
		checkDownload(t, cl, ids[0], "big2.bin", big2)
	}
}

// checkDownload downloads the named own file of a work item (by its Files
// Uri) and compares it with want, byte for byte.
func checkDownload(t *testing.T, c *client.Client, id, name string, want []byte) {
	t.Helper()
	wi, err := c.GetWorkItem(t.Context(), id, client.Query{Children: []string{"Files"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range wi.Files {
		if f.FileName != name {
			continue
		}
		if f.Length != int64(len(want)) || f.MD5Checksum != md5UUID(want) {
			t.Errorf("%s: Length %d MD5 %s, want %d %s", name, f.Length, f.MD5Checksum, len(want), md5UUID(want))
		}
		got, err := download(t, c, f.URI, 0, -1)
		if err != nil {
			t.Fatalf("download %s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("download %s: %d bytes, not byte-identical to the %d sent", name, len(got), len(want))
		}
		return
	}
	t.Errorf("work item %s has no file %s: %+v", id, name, wi.Files)
}

func TestUpdateWorkItem(t *testing.T) {
	_, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "old name", Description: "old description",
		Worker: testWorker, EnvironmentName: testEnv}})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	before, err := c.GetWorkItem(ctx, id, client.Query{})
	if err != nil {
		t.Fatal(err)
	}

	name, desc := "new name", "new description"
	if err := c.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Name: &name, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	wi, err := c.GetWorkItem(ctx, id, client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if wi.Name != name || wi.Description != desc {
		t.Errorf("after update: %q / %q", wi.Name, wi.Description)
	}
	if !wi.LastModified.After(before.LastModified.Time) || !wi.DateCreated.Equal(before.DateCreated.Time) {
		t.Errorf("LastModified %v (was %v), DateCreated %v (was %v)", wi.LastModified, before.LastModified, wi.DateCreated, before.DateCreated)
	}
	if wi.State != before.State || wi.Worker != before.Worker || wi.Owner != before.Owner || wi.EnvironmentName != before.EnvironmentName {
		t.Errorf("an update changed more than name and description: %+v", wi)
	}

	// Only the description, cleared to "": the name stays.
	empty := ""
	if err := c.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Description: &empty}); err != nil {
		t.Fatal(err)
	}
	if wi, err = c.GetWorkItem(ctx, id, client.Query{Fields: []string{"Name", "Description"}}); err != nil {
		t.Fatal(err)
	}
	if wi.Name != name || wi.Description != "" {
		t.Errorf("after clearing the description: %q / %q", wi.Name, wi.Description)
	}

	// Refusals: an unknown id, an empty name.
	if err := c.UpdateWorkItem(ctx, uuid.NewString(), client.WorkItemUpdate{Name: &name}); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("update of an unknown item: %v, want ErrNotFound", err)
	}
	if err := c.UpdateWorkItem(ctx, id, client.WorkItemUpdate{Name: &empty}); !errors.Is(err, client.ErrBadRequest) {
		t.Errorf("update to an empty name: %v, want ErrBadRequest", err)
	}
}

func TestTags(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "tagged", Worker: testWorker, EnvironmentName: testEnv,
		Tags: client.Tags{"a": "1", "b": "2", "keep": true}}})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	tags := func() client.Tags {
		t.Helper()
		wi, err := c.GetWorkItem(ctx, id, client.Query{Fields: []string{"Id"}, Children: []string{"Tags"}})
		if err != nil {
			t.Fatal(err)
		}
		return wi.Tags
	}
	expect := func(step string, want client.Tags) {
		t.Helper()
		if got := tags(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: tags %v, want %v", step, got, want)
		}
	}
	expect("create", client.Tags{"a": "1", "b": "2", "keep": true})

	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"b": "20", "c": 3, "flag": nil}, client.TagsMerge); err != nil {
		t.Fatal(err)
	}
	expect("merge", client.Tags{"a": "1", "b": "20", "c": 3.0, "flag": nil, "keep": true})

	if err := c.DeleteTags(ctx, client.KindWorkItem, id, "a", "flag", "absent"); err != nil {
		t.Fatal(err)
	}
	expect("delete", client.Tags{"b": "20", "c": 3.0, "keep": true})

	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"only": "x", "n": -1.5}, client.TagsReplace); err != nil {
		t.Fatal(err)
	}
	expect("replace", client.Tags{"n": -1.5, "only": "x"})

	// Delete ignores the values it is given.
	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"n": "whatever"}, client.TagsDelete); err != nil {
		t.Fatal(err)
	}
	expect("delete with a value", client.Tags{"only": "x"})

	// Tag filters see the changes.
	found, err := c.QueryWorkItems(ctx, client.Query{TagFilters: []string{"only=x"}, Fields: []string{"Id"}})
	if err != nil || len(found) != 1 || found[0].ID != id {
		t.Errorf("tagfilters=only=x: %+v, %v", found, err)
	}

	if err := c.SetTags(ctx, client.KindWorkItem, id, nil, client.TagsReplace); err != nil {
		t.Fatal(err)
	}
	expect("replace with nothing", client.Tags{})

	// Other kinds take tags the same way.
	w := seedWorld(t, srv)
	if err := c.SetTags(ctx, client.KindExperiment, w.experiment, client.Tags{"added": "yes"}, client.TagsMerge); err != nil {
		t.Fatal(err)
	}
	e, err := c.GetExperiment(ctx, w.experiment, client.Query{Children: []string{"Tags"}})
	if err != nil || e.Tags["added"] != "yes" || e.Tags["Replicate"] != 3.0 {
		t.Errorf("experiment tags after merge: %v, %v", e, err)
	}
	if err := c.SetTags(ctx, client.KindWorkItem, uuid.NewString(), client.Tags{"a": "b"}, client.TagsMerge); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("tags of an unknown item: %v, want ErrNotFound", err)
	}
	if err := c.SetTags(ctx, client.KindWorkItem, id, client.Tags{"a": "b"}, "Sideways"); !errors.Is(err, client.ErrBadRequest) {
		t.Errorf("unknown operation mode: %v, want ErrBadRequest", err)
	}
}

func TestCommissionAndCancel(t *testing.T) {
	srv, _, c := newTestServer(t, localcomps.Options{})
	ctx := t.Context()
	id := saveOne(t, c, "to run")
	state := func() client.WorkItemState {
		t.Helper()
		wi, err := c.GetWorkItem(ctx, id, client.Query{Fields: []string{"Id", "State"}})
		if err != nil {
			t.Fatal(err)
		}
		return wi.State
	}
	if s := state(); s != client.StateCreated {
		t.Fatalf("new item in state %s", s)
	}
	if err := c.Cancel(ctx, id); !errors.Is(err, client.ErrBadRequest) {
		t.Errorf("cancel of a Created item: %v, want ErrBadRequest", err)
	}
	if err := c.Commission(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s := state(); s != client.StateCommissionRequested {
		t.Errorf("after Commission: %s, want CommissionRequested", s)
	}
	if err := c.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	// No worker of this server holds the item, so the cancel completes at
	// once (localcomps' documented choice); a server with a busy worker
	// would show CancelRequested first.
	if s := state(); s != client.StateCanceled && s != client.StateCancelRequested {
		t.Errorf("after Cancel: %s, want CancelRequested or Canceled", s)
	}
	var apiErr *client.Error
	if err := c.Commission(ctx, id); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Message == "" {
		t.Errorf("commission of a canceled item: %v, want a 400 with the server's message", err)
	}

	// A failed item stays failed; the state set by a worker is read back.
	if err := srv.SetWorkItemState(ctx, id, "Failed", "exit status 3"); err != nil {
		t.Fatal(err)
	}
	wi, err := c.GetWorkItem(ctx, id, client.Query{Fields: []string{"State", "ErrorMessage"}})
	if err != nil || wi.State != client.StateFailed || wi.ErrorMessage != "exit status 3" || !wi.State.Final() {
		t.Errorf("failed item: %+v, %v", wi, err)
	}
	if err := c.Commission(ctx, uuid.NewString()); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("commission of an unknown item: %v, want ErrNotFound", err)
	}
}

func TestTypedErrors(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()

	unknown := uuid.NewString()
	_, err := c.GetWorkItem(ctx, unknown, client.Query{})
	if !errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrBadRequest) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.CorrelationID == "" ||
		!bytes.Contains([]byte(err.Error()), []byte(unknown)) {
		t.Errorf("unknown id: %#v", apiErr)
	}

	// Bad input: the server's message is in the error text.
	_, err = c.QueryWorkItems(ctx, client.Query{Filters: []string{"Bogus=1"}})
	if !errors.Is(err, client.ErrBadRequest) {
		t.Fatalf("unknown filter field: %v, want ErrBadRequest", err)
	}
	if !errors.As(err, &apiErr) || apiErr.Message == "" || !bytes.Contains([]byte(err.Error()), []byte(apiErr.Message)) ||
		!bytes.Contains([]byte(apiErr.Message), []byte("Bogus")) {
		t.Errorf("unknown filter field: error %q does not carry the server's message %q", err, apiErr.Message)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("400 Bad Request - ")) || !bytes.Contains([]byte(err.Error()), []byte("(CorrelationId = ")) {
		t.Errorf("error text %q is not in pyCOMPS' form", err)
	}

	_, err = c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "x", Worker: testWorker, EnvironmentName: "Nowhere"}})
	if !errors.Is(err, client.ErrBadRequest) || !bytes.Contains([]byte(err.Error()), []byte("Nowhere")) {
		t.Errorf("unknown environment: %v, want ErrBadRequest naming it", err)
	}
	_, err = c.QueryWorkItems(ctx, client.Query{OrderBy: "NoSuchField desc"})
	if !errors.Is(err, client.ErrBadRequest) || !bytes.Contains([]byte(err.Error()), []byte("NoSuchField")) {
		t.Errorf("bad orderby: %v", err)
	}

	// Client-side refusals make no request.
	ts.rec.reset()
	if _, err := c.GetWorkItem(ctx, "not-a-uuid", client.Query{}); err == nil || errors.As(err, &apiErr) {
		t.Errorf("malformed id: %v, want a client-side error", err)
	}
	if _, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "no worker", EnvironmentName: testEnv}}); err == nil {
		t.Error("a work item without a worker was accepted")
	}
	if n := len(ts.rec.all()); n != 0 {
		t.Errorf("client-side refusals sent %d requests", n)
	}

	// A wrong password is ErrUnauthorized, never a token.
	c2 := ts.newClient(t, func(o *client.Options) { o.Username, o.Password = "", "" })
	if err := c2.Login(ctx, testUser, "wrong"); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("bad password: %v, want ErrUnauthorized", err)
	}
	if _, err := c2.QueryWorkItems(ctx, client.Query{}); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("a client with no token and no credentials: %v, want ErrUnauthorized", err)
	}
}

func TestSaveAfterServerLostFiles(t *testing.T) {
	// The client remembers which files the server holds. When the server
	// behind the address no longer has them, it answers 400 UntrackedIds
	// (§3.3) and the client sends their bytes once more: small ones in the
	// save, large ones through the chunked upload.
	ts := startServer(t, localcomps.Options{})
	c := ts.login(t, nil)
	ctx := t.Context()
	small := client.FileFromBytes("small.txt", "input", []byte("small file\n"))
	bigData := pseudoRandom(11<<20, 4)
	big := client.FileFromBytes("big.bin", "input", bigData)
	if _, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "first", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{small, big}}}); err != nil {
		t.Fatal(err)
	}

	srv2 := openServer(t, localcomps.Options{}) // same address, empty store, unknown tokens
	ts.rec.setNext(srv2)
	ts.rec.reset()
	ids, err := c.SaveWorkItems(ctx, []client.NewWorkItem{{Name: "second", Worker: testWorker, EnvironmentName: testEnv,
		Files: []client.FileUpload{small, big}}})
	if err != nil {
		t.Fatalf("save to a server without the files: %v\n%s", err, ts.rec.summary())
	}
	saves := ts.rec.matching(http.MethodPost, "/api/WorkItems")
	var answered []int
	for _, s := range saves {
		answered = append(answered, s.Status)
	}
	if len(saves) < 2 || saves[0].Status != http.StatusUnauthorized && saves[0].Status != http.StatusBadRequest {
		t.Fatalf("saves answered %v", answered)
	}
	first := saves[len(saves)-2]
	var e struct{ UntrackedIds []string }
	if err := json.Unmarshal(first.Answer, &e); err != nil || first.Status != http.StatusBadRequest ||
		!slices.Equal(sorted(e.UntrackedIds...), sorted(md5UUID(bigData), md5UUID([]byte("small file\n")))) {
		t.Fatalf("the save by md5 only: %d %s, want 400 naming both files", first.Status, first.Answer)
	}
	last := saves[len(saves)-1]
	if last.Status != http.StatusOK || len(last.Parts) != 2 || last.Parts[1].FileName != "small.txt" {
		t.Errorf("the second try: %d with %d parts, want 200 with the small file's part", last.Status, len(last.Parts))
	}
	if n := len(ts.rec.matching(http.MethodPost, "/api/upload/*")); n == 0 {
		t.Error("the large file was not uploaded again")
	}
	checkDownload(t, c, ids[0], "big.bin", bigData)
	checkDownload(t, c, ids[0], "small.txt", []byte("small file\n"))
}
