package localcomps

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newWorkerEnv starts a server with a worker of n slots and a job
// timeout (0: the default).
func newWorkerEnv(t *testing.T, n int, timeout time.Duration) *env {
	t.Helper()
	return newEnv(t, func(o *Options) { o.Workers, o.JobTimeout = n, timeout })
}

// setWorkerTiming shortens the worker's timings for one test; the server
// must be opened afterwards (Close runs before the values come back).
func setWorkerTiming(t *testing.T, grace, every time.Duration) {
	oldGrace, oldEvery := killGrace, ingestEvery
	killGrace, ingestEvery = grace, every
	t.Cleanup(func() { killGrace, ingestEvery = oldGrace, oldEvery })
}

// dockerOrder is a DockerWorker work order running command.
func dockerOrder(image, command string) string {
	b, _ := json.Marshal(map[string]any{"WorkItem_Type": "DockerWorker",
		"Execution": map[string]any{"ImageName": image, "Command": command}})
	return string(b)
}

// inputFile is an input file of a submitted work item.
type inputFile struct {
	name, ftype string
	data        []byte
}

// submit saves a work item with the work order (none when order is "")
// and inputs, optionally with an asset collection, and commissions it.
func (e *env) submit(name, order, acID string, inputs ...inputFile) string {
	e.t.Helper()
	id := e.create(name, order, acID, inputs...)
	e.json("PUT", "/api/WorkItems/"+id+"/State/CommissionRequested", nil, http.StatusOK, nil)
	return id
}

// create saves a work item as submit does, without commissioning it.
func (e *env) create(name, order, acID string, inputs ...inputFile) string {
	e.t.Helper()
	if order != "" {
		inputs = append([]inputFile{{"WorkOrder.json", "WorkOrder", []byte(order)}}, inputs...)
	}
	var files []map[string]any
	var parts []part
	for _, f := range inputs {
		files = append(files, map[string]any{"FileType": f.ftype, "FileName": f.name, "MD5Checksum": md5uuid(f.data)})
		parts = append(parts, part{md5uuid(f.data), f.name, f.data})
	}
	w := workItemJSON(name, files...)
	if acID != "" {
		w["AssetCollectionId"] = acID
	}
	resp, data := e.save("WorkItems", []any{w}, parts...)
	var ids wireIds
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &ids) != nil || len(ids.Ids) != 1 {
		e.t.Fatalf("save %s: %d %s", name, resp.StatusCode, data)
	}
	return ids.Ids[0]
}

// item reads a work item.
func (e *env) item(id string) map[string]any {
	e.t.Helper()
	var got workItemsAnswer
	e.json("GET", "/api/WorkItems/"+id, nil, http.StatusOK, &got)
	return got.WorkItems[0]
}

// waitState polls the item until it is in one of the states, failing
// after within; it returns the item.
func (e *env) waitState(id string, within time.Duration, states ...string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		w := e.item(id)
		for _, s := range states {
			if w["State"] == s {
				return w
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("work item %s: state %v (error %q) after %s, want %v", id, w["State"], w["ErrorMessage"], within, states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outputs lists an item's output files by path.
func (e *env) outputs(id string) map[string]wireResource {
	e.t.Helper()
	var list struct{ Resources []wireResource }
	e.json("GET", "/asset/WorkItems/"+id+"/Output?flatten=1", nil, http.StatusOK, &list)
	out := map[string]wireResource{}
	for _, r := range list.Resources {
		p := r.FriendlyName
		if r.PathFromRoot != "." {
			p = r.PathFromRoot + "/" + p
		}
		out[p] = r
	}
	return out
}

// output downloads one output file through its listed Url.
func (e *env) output(id, path string) string {
	e.t.Helper()
	r, ok := e.outputs(id)[path]
	if !ok {
		e.t.Fatalf("work item %s has no output %s (has %v)", id, path, keys(e.outputs(id)))
	}
	u, err := url.Parse(r.Url)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, data := e.req("GET", u.Path, nil, nil)
	if resp.StatusCode != http.StatusOK || int64(len(data)) != r.Length {
		e.t.Fatalf("download %s: %d, %d bytes of %d", path, resp.StatusCode, len(data), r.Length)
	}
	return string(data)
}

// keys lists a map's keys.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// waitFile waits for a file the command writes and returns its content.
func waitFile(t *testing.T, path string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		data, err := os.ReadFile(path)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			return strings.TrimSpace(string(data))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not written within %s", path, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pidAlive reports whether the process runs (a zombie does not count).
func pidAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	state, _, ok := parseProcStat(string(data))
	return !ok || state != "Z"
}

// waitGone waits for the process to end.
func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for pidAlive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive after %s", pid, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
