package localcomps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
)

// job is one claimed work item on its way to a final state.
type job struct {
	w  *worker
	id string

	firstIngest int64 // Unix ns of the first ingest while running; 0 before

	cancelOnce sync.Once
	canceled   chan struct{} // closed when a cancel is requested
}

// newJob makes the job of a claimed item.
func newJob(w *worker, id string) *job {
	return &job{w: w, id: id, canceled: make(chan struct{})}
}

// requestCancel asks the job to stop; it ends in Canceled.
func (j *job) requestCancel() { j.cancelOnce.Do(func() { close(j.canceled) }) }

// cancelRequested reports whether a cancel was requested.
func (j *job) cancelRequested() bool {
	select {
	case <-j.canceled:
		return true
	default:
		return false
	}
}

// outcome is how a job ended: its final state and error message.
type outcome struct {
	state, msg string
}

// requeue is the end of a job stopped with the worker before its command
// started: the item goes back to CommissionRequested.
const requeue = "CommissionRequested"

// Error messages of jobs that did not complete on their own.
const (
	msgInterrupted = "interrupted: the local COMPS server stopped while the work item was running"
	msgNoCommand   = "no Execution.Command in the work order"
)

// run takes the job from Commissioned to its final state; it never panics.
func (j *job) run() {
	log := j.w.log.With("id", j.id)
	res := outcome{state: "Failed"}
	defer func() {
		if p := recover(); p != nil {
			log.Error("work item crashed the worker", "panic", p, "stack", string(debug.Stack()))
			res = outcome{state: "Failed", msg: fmt.Sprintf("internal error of the local worker: %v", p)}
		}
		j.finish(res)
	}()
	res = j.execute()
}

// execute prepares the working directory, reads the work order and runs
// the command.
func (j *job) execute() outcome {
	ctx := j.w.ctx
	dir := j.w.s.workDir(j.id)
	order, err := j.w.s.prepareWorkDir(ctx, j.id, dir)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{state: requeue}
		}
		return outcome{"Failed", err.Error()}
	}
	if j.cancelRequested() {
		return outcome{"Canceled", ""}
	}
	if strings.TrimSpace(order.Execution.Command) == "" {
		return outcome{"Failed", msgNoCommand}
	}
	if err := j.setRunning(ctx); err != nil {
		if ctx.Err() != nil {
			return outcome{state: requeue}
		}
		return outcome{"Failed", err.Error()}
	}
	if j.cancelRequested() {
		return outcome{"Canceled", ""}
	}
	return j.runCommand(dir, order)
}

// setRunning moves the item from Commissioned to Running (unless a cancel
// got there first).
func (j *job) setRunning(ctx context.Context) error {
	return j.w.s.inTx(ctx, func(tx *sql.Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM entities WHERE id = ?`, j.id).Scan(&cur); err != nil {
			return fmt.Errorf("read state of %s: %w", j.id, err)
		}
		if cur != "Commissioned" {
			return nil
		}
		return j.w.setState(ctx, tx, j.id, "Running", "")
	})
}

// runCommand runs the order's command with /bin/sh -c in dir, in its own
// process group, with StdOut.txt and StdErr.txt, until it exits, times out,
// is canceled or the worker stops.
func (j *job) runCommand(dir string, order workOrder) outcome {
	stdout, stderr, err := openStdFiles(dir, order.Execution.ImageName)
	if err != nil {
		return outcome{"Failed", err.Error()}
	}
	defer stdout.Close()
	defer stderr.Close()
	// umask 077 keeps what the command writes private like the rest of the
	// data folder; exec hands its process (and group) to the command's shell.
	cmd := exec.Command("/bin/sh", "-c", `umask 077 && exec /bin/sh -c "$1"`, "/bin/sh", order.Execution.Command)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(os.Environ(), "COMPS_WORKITEM_ID="+j.id)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return outcome{"Failed", fmt.Sprintf("start the command: %v", err)}
	}
	pgid := cmd.Process.Pid
	timer := time.NewTimer(j.w.timeout)
	defer timer.Stop()
	j.w.log.Info("work item running", "id", j.id, "pid", pgid)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopIngest := j.ingestWhileRunning()
	defer stopIngest()

	var res outcome
	select {
	case err := <-exited:
		killGroup(pgid, j.w.grace, nil) // stragglers left in the background
		return exitOutcome(err)
	case <-timer.C:
		res = outcome{"Failed", "timed out after " + j.w.timeout.String()}
	case <-j.canceled:
		res = outcome{"Canceled", ""}
	case <-j.w.ctx.Done():
		res = outcome{"Failed", msgInterrupted}
	}
	killGroup(pgid, j.w.grace, exited)
	return res
}

// ingestWhileRunning ingests the working directory now and then every
// ingestEvery, in the background, until the returned function is called;
// that function waits for an ingest under way.
func (j *job) ingestWhileRunning() func() {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(j.w.every)
		defer tick.Stop()
		for {
			j.ingest(false)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// exitOutcome turns the command's exit into the item's end.
func exitOutcome(err error) outcome {
	if err == nil {
		return outcome{"Succeeded", ""}
	}
	return outcome{"Failed", err.Error()}
}

// openStdFiles creates StdOut.txt (starting with a note when the order
// names an image) and StdErr.txt in dir.
func openStdFiles(dir, image string) (*os.File, *os.File, error) {
	stdout, err := os.OpenFile(filepath.Join(dir, "StdOut.txt"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, fileMode)
	if err != nil {
		return nil, nil, fmt.Errorf("create StdOut.txt: %w", err)
	}
	if image != "" {
		note := fmt.Sprintf("compsfs local worker: image %s is not used; running the command directly\n", oneLine(image))
		if _, err := stdout.WriteString(note); err != nil {
			stdout.Close()
			return nil, nil, fmt.Errorf("write StdOut.txt: %w", err)
		}
	}
	stderr, err := os.OpenFile(filepath.Join(dir, "StdErr.txt"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, fileMode)
	if err != nil {
		stdout.Close()
		return nil, nil, fmt.Errorf("create StdErr.txt: %w", err)
	}
	return stdout, stderr, nil
}

// oneLine quotes s when it holds control characters, so that a note stays
// on one line.
func oneLine(s string) string {
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}

// ingest records the working directory as the item's outputs; errors are
// logged (the item's own end does not depend on them). While running,
// big files wait and unchanged files are not read again; the final ingest
// reads again whatever may have changed since the first one.
func (j *job) ingest(final bool) {
	maxSize, trust := int64(maxRunningIngest), int64(math.MaxInt64)
	if final {
		maxSize, trust = 0, 0
		if j.firstIngest != 0 {
			trust = j.firstIngest - int64(time.Second)
		}
	} else if j.firstIngest == 0 {
		j.firstIngest = time.Now().UnixNano()
	}
	if err := j.w.s.ingestWorkDir(context.Background(), j.id, maxSize, trust); err != nil {
		j.w.log.Error("ingest outputs", "id", j.id, "err", err)
	}
}

// finish ingests the outputs, records the final state (or puts the item
// back in the queue), drops the claim and releases the item.
func (j *job) finish(res outcome) {
	defer j.w.release(j.id)
	if res.state == requeue && j.cancelRequested() {
		res = outcome{"Canceled", ""}
	}
	if _, err := os.Stat(j.w.s.workDir(j.id)); err == nil && res.state != requeue {
		j.ingest(true)
	}
	ctx := context.Background()
	err := j.w.s.inTx(ctx, func(tx *sql.Tx) error {
		if err := j.w.setState(ctx, tx, j.id, res.state, res.msg); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM worker_claims WHERE entity_id = ?`, j.id); err != nil {
			return fmt.Errorf("drop the claim of %s: %w", j.id, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		j.w.log.Error("record the end of a work item", "id", j.id, "state", res.state, "err", err)
		return
	}
	j.w.log.Info("work item ended", "id", j.id, "state", res.state, "error_message", res.msg)
}
