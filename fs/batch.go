package fs

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// RunAsBatch puts every thread of this process that runs under the normal
// policy (SCHED_OTHER, SCHED_NORMAL to the kernel) under SCHED_BATCH,
// keeping its nice value; threads started later inherit it (the Go runtime
// starts threads from its own). A batch thread that wakes up does not
// preempt the thread running on its CPU: it waits for that thread's time
// slice to end (or for an idle CPU). The mount's threads wake each other
// up all the time (downloads, the kernel's requests, the md5 check) and,
// preempting one another, took CPU time from the md5 check, which sets the
// pace of a cold read. Other programs' normal threads still preempt the
// mount's. Threads under another policy (real-time, idle), set by the
// user, are left as they are. docs/caching.md ("CPU") says what it changes
// for users and how to undo it.
func RunAsBatch() error {
	// A thread started while the list is read may have been cloned from
	// one not yet changed: look again until a pass changes nothing.
	for range 3 {
		changed, err := batchPass()
		if err != nil || changed == 0 {
			return err
		}
	}
	return nil
}

// batchPass puts the normal threads of this process under SCHED_BATCH and
// says how many it changed.
func batchPass() (int, error) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, fmt.Errorf("list threads: %w", err)
	}
	changed := 0
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		attr, err := unix.SchedGetAttr(tid, 0)
		if errors.Is(err, unix.ESRCH) {
			continue // the thread has ended
		}
		if err != nil {
			return changed, fmt.Errorf("scheduling policy of thread %d: %w", tid, err)
		}
		if attr.Policy != unix.SCHED_NORMAL {
			continue
		}
		// A new attribute, not the one read: its runtime would set a
		// custom time slice.
		batch := unix.SchedAttr{Policy: unix.SCHED_BATCH, Nice: attr.Nice,
			Flags: attr.Flags & unix.SCHED_FLAG_RESET_ON_FORK}
		err = unix.SchedSetAttr(tid, &batch, 0)
		if errors.Is(err, unix.ESRCH) {
			continue
		}
		if err != nil {
			return changed, fmt.Errorf("put thread %d under SCHED_BATCH: %w", tid, err)
		}
		changed++
	}
	return changed, nil
}
