package localcomps

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestWorkerRecoversAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s1, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	order := func(cmd string) []SeedFile {
		return []SeedFile{{Path: "WorkOrder.json", FileType: "WorkOrder", Data: []byte(dockerOrder("", cmd))}}
	}
	items := []SeedWorkItem{
		{Name: "claimed, not started", State: "Commissioned", Files: order("echo again")},
		{Name: "claimed, running", State: "Running", Files: order("sleep 60")},
		{Name: "claimed, cancel requested", State: "CancelRequested", Files: order("sleep 60")},
		{Name: "seeded running", State: "Running", Files: order("sleep 60")},
		{Name: "queued", State: "CommissionRequested", Files: order("echo queued")},
		{Name: "claimed, finished", State: "Succeeded", Files: order("true")},
	}
	ids, err := s1.Seed(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 5} {
		if _, err := s1.db.Exec(`INSERT INTO worker_claims(entity_id, instance, claimed) VALUES (?, 'old', 1)`, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(s1.workDir(ids[1]), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s1.workDir(ids[1]), "partial.txt"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	e := newEnv(t, func(o *Options) { o.Dir, o.Workers = dir, 1 })
	w := e.waitState(ids[0], 10*time.Second, "Succeeded", "Failed")
	if w["State"] != "Succeeded" || e.output(ids[0], "StdOut.txt") != "again\n" {
		t.Fatalf("re-run of a claimed item: %v %q", w["State"], w["ErrorMessage"])
	}
	if w := e.item(ids[1]); w["State"] != "Failed" || w["ErrorMessage"] != msgInterrupted {
		t.Fatalf("interrupted item: %v %q", w["State"], w["ErrorMessage"])
	}
	if got := e.output(ids[1], "partial.txt"); got != "half" {
		t.Fatalf("interrupted item's output %q", got)
	}
	if s := e.item(ids[2])["State"]; s != "Canceled" {
		t.Fatalf("cancel-requested item: %v", s)
	}
	if s := e.item(ids[3])["State"]; s != "Running" {
		t.Fatalf("seeded running item: %v", s)
	}
	if w := e.waitState(ids[4], 10*time.Second, "Succeeded", "Failed"); w["State"] != "Succeeded" {
		t.Fatalf("queued item: %v %q", w["State"], w["ErrorMessage"])
	}
	if s := e.item(ids[5])["State"]; s != "Succeeded" {
		t.Fatalf("finished item: %v", s)
	}
	var n int
	if err := e.s.db.QueryRow(`SELECT COUNT(*) FROM worker_claims`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d claims left (%v)", n, err)
	}
}

func TestWorkerCloseStopsJobs(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.Dir, o.Workers = dir, 1 })
	running := e.submit("long", dockerOrder("", "echo $$ > sh.pid; sleep 60"), "")
	queued := e.submit("queued", dockerOrder("", "echo done"), "")
	pid, _ := strconv.Atoi(waitFile(t, filepath.Join(e.s.workDir(running), "sh.pid"), 10*time.Second))
	e.waitState(running, 5*time.Second, "Running")

	start := time.Now()
	e.ts.Close()
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Close took %s", d)
	}
	waitGone(t, pid, 2*time.Second)

	e2 := newEnv(t, func(o *Options) { o.Dir, o.Workers = dir, 1 })
	if w := e2.item(running); w["State"] != "Failed" || w["ErrorMessage"] != msgInterrupted {
		t.Fatalf("item running at Close: %v %q", w["State"], w["ErrorMessage"])
	}
	if _, ok := e2.outputs(running)["sh.pid"]; !ok {
		t.Fatal("outputs of the interrupted item not ingested")
	}
	if w := e2.waitState(queued, 10*time.Second, "Succeeded", "Failed"); w["State"] != "Succeeded" {
		t.Fatalf("queued item after restart: %v %q", w["State"], w["ErrorMessage"])
	}
	e2.json("PUT", "/api/WorkItems/"+running+"/State/CancelRequested", nil, http.StatusBadRequest, nil)
}
