package localcomps

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWorkerRunsCommand(t *testing.T) {
	e := newWorkerEnv(t, 1, 0)
	id := e.submit("echo", dockerOrder("", `echo "hello from $COMPS_WORKITEM_ID"; echo oops >&2; mkdir -p out/deep && echo 42 > out/deep/answer.txt; ln -s /etc/hostname link; mkfifo pipe`), "")
	w := e.waitState(id, 10*time.Second, "Succeeded", "Failed")
	if msg, _ := w["ErrorMessage"].(string); w["State"] != "Succeeded" || msg != "" {
		t.Fatalf("state %v, error %q", w["State"], w["ErrorMessage"])
	}
	if w["HostName"] == "" || w["WorkerInstanceId"] == "" || w["WorkerInstanceId"] == nil {
		t.Fatalf("HostName %v, WorkerInstanceId %v", w["HostName"], w["WorkerInstanceId"])
	}
	if got := e.output(id, "StdOut.txt"); got != "hello from "+id+"\n" {
		t.Fatalf("StdOut.txt %q", got)
	}
	if got := e.output(id, "StdErr.txt"); got != "oops\n" {
		t.Fatalf("StdErr.txt %q", got)
	}
	if got := e.output(id, "out/deep/answer.txt"); got != "42\n" {
		t.Fatalf("answer %q", got)
	}
	outs := e.outputs(id)
	if _, ok := outs["WorkOrder.json"]; !ok || len(outs) != 4 {
		t.Fatalf("outputs %v", keys(outs))
	}
	var size int64
	for _, r := range outs {
		size += r.Length
	}
	if got, _ := w["WorkingDirectorySize"].(float64); int64(got) != size || size == 0 {
		t.Fatalf("WorkingDirectorySize %v, outputs total %d", w["WorkingDirectorySize"], size)
	}
}

func TestWorkerInputsAssetsAndImage(t *testing.T) {
	e := newWorkerEnv(t, 1, 0)
	ac, err := e.s.SeedEntity(context.Background(), kindAssetCollection, SeedEntity{Assets: []SeedFile{
		{Path: "a.txt", Data: []byte("asset a\n")}, {Path: "lib/sub/b.txt", Data: []byte("asset b\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	image := "docker-production.packages.idmod.org/idmtools/comps_ssmt_worker:1.6.7"
	id := e.submit("cat", dockerOrder(image, "cat input.txt Assets/a.txt Assets/lib/sub/b.txt"), ac,
		inputFile{"input.txt", "input", []byte("input\n")})
	if w := e.waitState(id, 10*time.Second, "Succeeded", "Failed"); w["State"] != "Succeeded" {
		t.Fatalf("state %v, error %q, stderr %q", w["State"], w["ErrorMessage"], e.output(id, "StdErr.txt"))
	}
	want := "compsfs local worker: image " + image + " is not used; running the command directly\ninput\nasset a\nasset b\n"
	if got := e.output(id, "StdOut.txt"); got != want {
		t.Fatalf("StdOut.txt %q, want %q", got, want)
	}
	if got := e.output(id, "Assets/lib/sub/b.txt"); got != "asset b\n" {
		t.Fatalf("asset output %q", got)
	}
}

func TestWorkerFailures(t *testing.T) {
	e := newWorkerEnv(t, 4, 0)
	cases := []struct {
		name, order string
		inputs      []inputFile
		want        string // error message, or its prefix when it ends with "..."
	}{
		{"exit 3", dockerOrder("", "echo bad thing >&2; exit 3"), nil, "exit status 3"},
		{"no command", `{"WorkItem_Type": "DockerWorker", "Execution": {"ImageName": "x"}}`, nil, msgNoCommand},
		{"blank command", dockerOrder("", "  \n "), nil, msgNoCommand},
		{"no execution", `{"WorkItem_Type": "InputDataWorker", "Project": "IDM-Zambia"}`, nil, msgNoCommand},
		{"not json", `{"WorkItem_Type": `, nil, "invalid work order: ..."},
		{"array", `[1, 2]`, nil, "invalid work order: not a JSON object"},
		{"null", `null`, nil, "invalid work order: not a JSON object"},
		{"execution string", `{"Execution": "echo hi"}`, nil, "invalid work order: ..."},
		{"command number", `{"Execution": {"Command": 7}}`, nil, "invalid work order: ..."},
		{"trailing data", `{"Execution": {"Command": "true"}} {}`, nil, "invalid work order: data after the JSON object"},
		{"nul in command", `{"Execution": {"Command": "echo \u0000"}}`, nil, "start the command: ..."},
		{"huge order", `{"Execution": {"Command": "true"}, "Pad": "` + strings.Repeat("x", maxWorkOrderBytes) + `"}`, nil,
			"invalid work order: WorkOrder.json has ..."},
		{"no work order", "", []inputFile{{"data.csv", "input", []byte("a,b\n")}}, errNoWorkOrder.Error()},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = e.submit(c.name, c.order, "", c.inputs...)
	}
	for i, c := range cases {
		w := e.waitState(ids[i], 10*time.Second, "Succeeded", "Failed")
		msg, _ := w["ErrorMessage"].(string)
		ok := msg == c.want
		if p, cut := strings.CutSuffix(c.want, "..."); cut {
			ok = strings.HasPrefix(msg, p) && len(msg) > len(p)
		}
		if w["State"] != "Failed" || !ok {
			t.Errorf("%s: state %v, error %q, want Failed with %q", c.name, w["State"], msg, c.want)
		}
	}
	if got := e.output(ids[0], "StdErr.txt"); got != "bad thing\n" {
		t.Errorf("StdErr.txt of exit 3: %q", got)
	}
	if _, ok := e.outputs(ids[len(ids)-1])["data.csv"]; !ok {
		t.Errorf("inputs of an item without work order are not among its outputs")
	}
}

func TestWorkerTimeout(t *testing.T) {
	e := newWorkerEnv(t, 1, 400*time.Millisecond)
	start := time.Now()
	id := e.submit("slow", dockerOrder("", "echo $$ > sh.pid; sleep 30"), "")
	w := e.waitState(id, 10*time.Second, "Succeeded", "Failed")
	if w["State"] != "Failed" || w["ErrorMessage"] != "timed out after 400ms" {
		t.Fatalf("state %v, error %q", w["State"], w["ErrorMessage"])
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timed out item took %s", d)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(e.output(id, "sh.pid")))
	if err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid, 2*time.Second)
}

func TestWorkerCancel(t *testing.T) {
	for _, c := range []struct {
		name, command string
	}{
		{"plain", `echo $$ > sh.pid; sleep 60 & echo $! > child.pid; echo early; wait`},
		// TERM is ignored by the shell and its child: SIGKILL after the grace
		{"ignores TERM", `trap '' TERM; echo $$ > sh.pid; sleep 60 & echo $! > child.pid; echo early; wait`},
	} {
		t.Run(c.name, func(t *testing.T) {
			setWorkerTiming(t, 300*time.Millisecond, 50*time.Millisecond)
			e := newWorkerEnv(t, 1, 0)
			id := e.submit("cancel me", dockerOrder("", c.command), "")
			dir := e.s.workDir(id)
			shPid, _ := strconv.Atoi(waitFile(t, filepath.Join(dir, "sh.pid"), 10*time.Second))
			childPid, _ := strconv.Atoi(waitFile(t, filepath.Join(dir, "child.pid"), 10*time.Second))
			// the running item shows its StdOut.txt early
			deadline := time.Now().Add(5 * time.Second)
			for e.outputs(id)["StdOut.txt"].Length == 0 {
				if time.Now().After(deadline) {
					t.Fatal("StdOut.txt not ingested while running")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if s := e.item(id)["State"]; s != "Running" {
				t.Fatalf("state %v before cancel", s)
			}
			start := time.Now()
			e.json("PUT", "/api/WorkItems/"+id+"/State/CancelRequested", nil, http.StatusOK, nil)
			e.waitState(id, 5*time.Second, "Canceled")
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("cancel took %s", d)
			}
			waitGone(t, shPid, 2*time.Second)
			waitGone(t, childPid, 2*time.Second)
			if got := e.output(id, "StdOut.txt"); got != "early\n" {
				t.Fatalf("StdOut.txt %q", got)
			}
			e.json("PUT", "/api/WorkItems/"+id+"/State/CancelRequested", nil, http.StatusBadRequest, nil)
		})
	}
}

func TestWorkerSlotsAndQueue(t *testing.T) {
	e := newWorkerEnv(t, 2, 0)
	var ids []string
	for i := range 4 {
		ids = append(ids, e.submit("sleeper "+strconv.Itoa(i), dockerOrder("", "sleep 60"), ""))
	}
	// the two oldest run at once; the others wait
	e.waitState(ids[0], 10*time.Second, "Running")
	e.waitState(ids[1], 10*time.Second, "Running")
	time.Sleep(200 * time.Millisecond)
	for _, id := range ids[2:] {
		if s := e.item(id)["State"]; s != "CommissionRequested" {
			t.Fatalf("queued item %s: %v", id, s)
		}
	}
	if s := e.item(ids[0])["State"]; s != "Running" {
		t.Fatalf("first item %v", s)
	}
	// a queued item is canceled at once
	e.json("PUT", "/api/WorkItems/"+ids[3]+"/State/CancelRequested", nil, http.StatusOK, nil)
	if s := e.item(ids[3])["State"]; s != "Canceled" {
		t.Fatalf("canceled queued item: %v", s)
	}
	// a slot frees: the next one starts
	e.json("PUT", "/api/WorkItems/"+ids[0]+"/State/CancelRequested", nil, http.StatusOK, nil)
	e.waitState(ids[0], 5*time.Second, "Canceled")
	e.waitState(ids[2], 5*time.Second, "Running")
	if s := e.item(ids[1])["State"]; s != "Running" {
		t.Fatalf("second item %v", s)
	}
}

func TestWorkerOff(t *testing.T) {
	e := newEnv(t, nil)
	id := e.submit("never runs", dockerOrder("", "true"), "")
	time.Sleep(300 * time.Millisecond)
	if s := e.item(id)["State"]; s != "CommissionRequested" {
		t.Fatalf("state %v with the worker off", s)
	}
}
