package fs_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// TestRunningStateChangesWithinAttrTTL: a running work item's state file
// follows the server within --attr-ttl.
func TestRunningStateChangesWithinAttrTTL(t *testing.T) {
	const attrTTL = 300 * time.Millisecond
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "busy", State: "Running"})
	}, func(o *fs.Options) { o.AttrTTL = attrTTL })
	if got := e.read("workitems", id, "state"); got != "Running\n" {
		t.Fatalf("state %q", got)
	}
	if err := e.srv.SetWorkItemState(context.Background(), id, "Succeeded", ""); err != nil {
		t.Fatal(err)
	}
	// The metadata cache and the kernel's attribute cache each keep the old
	// value at most attrTTL.
	time.Sleep(2*attrTTL + 100*time.Millisecond)
	if got := e.read("workitems", id, "state"); got != "Succeeded\n" {
		t.Fatalf("state %q %v after the server changed it, want Succeeded", got, 2*attrTTL)
	}
}

// TestAStateOfAnotherLengthIsReadWhole: a state file is read whole when the
// item's state grew longer while the kernel still held the old size
// (stat'ed after the listing, read once the listing's entry expired and
// before the kernel's did): a running item canceling, another succeeding;
// and when it changed to one of the same length, the kernel's pages of the
// old one are not read.
func TestAStateOfAnotherLengthIsReadWhole(t *testing.T) {
	const attrTTL = time.Second
	var canceling, succeeding string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		canceling = seedOne(t, s, localcomps.SeedWorkItem{Name: "to cancel", State: "Running"})
		succeeding = seedOne(t, s, localcomps.SeedWorkItem{Name: "to succeed", State: "Running"})
	}, func(o *fs.Options) { o.AttrTTL = attrTTL })
	next := map[string]string{canceling: "Canceling", succeeding: "Succeeded"}
	listed := time.Now()
	if _, err := os.ReadDir(e.path("workitems")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(attrTTL / 2)
	for id, state := range next {
		if _, err := os.Stat(e.path("workitems", id, "state")); err != nil { // held until attrTTL from now
			t.Fatal(err)
		}
		if err := e.srv.SetWorkItemState(context.Background(), id, state, ""); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Until(listed.Add(attrTTL + 100*time.Millisecond)))
	for id, state := range next {
		if got, err := os.ReadFile(e.path("workitems", id, "state")); err != nil || string(got) != state+"\n" {
			t.Errorf("state %q (%v), want %s", got, err, state)
		}
	}
	// Then the canceling item ends, with a state of the same length: the
	// kernel's pages of the old one are not what it reads.
	read := time.Now()
	time.Sleep(attrTTL / 2)
	if _, err := os.Stat(e.path("workitems", canceling, "state")); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetWorkItemState(context.Background(), canceling, "Succeeded", ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(read.Add(attrTTL + 100*time.Millisecond)))
	if got, err := os.ReadFile(e.path("workitems", canceling, "state")); err != nil || string(got) != "Succeeded\n" {
		t.Errorf("state %q (%v) after Canceling, want Succeeded", got, err)
	}
}

// TestSlowServerGivesEIOWithinTimeout: a server slower than --timeout makes
// calls fail with EIO, never hang, and the mount recovers with the server.
func TestSlowServerGivesEIOWithinTimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "slow", State: "Succeeded"})
	}, func(o *fs.Options) { o.Timeout = timeout })
	e.srv.SetFaults(localcomps.Faults{Latency: 5 * time.Second})
	start := time.Now()
	_, err := os.Stat(e.path("workitems", id))
	took := time.Since(start)
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("stat with a slow server: %v, want EIO", err)
	}
	if took > 4*time.Second {
		t.Fatalf("stat took %v with --timeout %v", took, timeout)
	}
	e.srv.SetFaults(localcomps.Faults{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err = os.Stat(e.path("workitems", id, "state")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mount did not recover: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDeadServerGivesEIO: with the server gone, an uncached id is EIO.
func TestDeadServerGivesEIO(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "gone", State: "Succeeded"})
	}, func(o *fs.Options) { o.Timeout = time.Second })
	e.stopServer()
	_, err := os.Stat(e.path("workitems", id))
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("stat with the server down: %v, want EIO", err)
	}
}
