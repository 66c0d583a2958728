package fs

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// batchChildEnv makes the test binary, started again by
// TestRunAsBatchCoversEveryThreadAndKeepsItsNice, run batchChild instead:
// scheduling policies are per process, the test's own must not change.
const batchChildEnv = "COMPSFS_TEST_BATCH_CHILD"

func TestRunAsBatchCoversEveryThreadAndKeepsItsNice(t *testing.T) {
	if os.Getenv(batchChildEnv) != "" {
		batchChild()
		return
	}
	nice, err := exec.LookPath("nice")
	if err != nil {
		t.Skip("no nice(1) to start the child with:", err)
	}
	cmd := exec.Command(nice, "-n", "7", os.Args[0], "-test.run=^TestRunAsBatchCoversEveryThreadAndKeepsItsNice$")
	cmd.Env = append(os.Environ(), batchChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var threads []string
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "thread "); ok {
			threads = append(threads, strings.TrimSpace(rest))
		}
	}
	// The runtime's threads at start-up, plus the four started after.
	if len(threads) < 5 {
		t.Fatalf("child reported %d threads, want at least 5:\n%s", len(threads), out)
	}
	want := fmt.Sprintf("policy %d nice 7", unix.SCHED_BATCH)
	for _, th := range threads {
		if !strings.HasSuffix(th, want) {
			t.Errorf("thread %s, want %s", th, want)
		}
	}
}

// batchChild calls RunAsBatch, starts four threads more, and prints the
// policy and nice value of every thread of the process.
func batchChild() {
	if err := RunAsBatch(); err != nil {
		fmt.Println("RunAsBatch:", err)
		os.Exit(1)
	}
	var started, done sync.WaitGroup
	hold := make(chan struct{})
	for range 4 {
		started.Add(1)
		done.Go(func() {
			runtime.LockOSThread() // its own thread, which the runtime must start
			started.Done()
			<-hold
		})
	}
	started.Wait()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		fmt.Println("list threads:", err)
		os.Exit(1)
	}
	for _, e := range entries {
		tid, _ := strconv.Atoi(e.Name())
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			fmt.Printf("thread %d: %v\n", tid, err)
			continue
		}
		fmt.Printf("thread %d policy %d nice %d\n", tid, attr.Policy, attr.Nice)
	}
	close(hold)
	done.Wait()
	os.Exit(0)
}
