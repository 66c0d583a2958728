package localcomps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Worker timing; variables so that tests can shorten them.
var (
	// workerPoll is the safety poll: how often the worker looks for
	// commissioned items without being woken.
	workerPoll = 5 * time.Second
	// killGrace is how long a process group has between SIGTERM and
	// SIGKILL.
	killGrace = 5 * time.Second
	// ingestEvery is how often a running item's working directory is
	// ingested into its output files.
	ingestEvery = 10 * time.Second
)

// worker runs commissioned work items, at most max at a time (docs/localcomps.md).
type worker struct {
	s        *Server
	log      *slog.Logger
	max      int
	timeout  time.Duration
	host     string
	instance string
	grace    time.Duration // killGrace when the worker was made
	poll     time.Duration // workerPoll when the worker was made
	every    time.Duration // ingestEvery when the worker was made

	ctx  context.Context // canceled by stop
	quit context.CancelFunc
	wake chan struct{} // poked on commission and when a job ends
	wg   sync.WaitGroup

	mu   sync.Mutex
	jobs map[string]*job // held items by id
}

// newWorker makes the worker of s; start launches it.
func newWorker(s *Server, max int, timeout time.Duration) *worker {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	ctx, quit := context.WithCancel(context.Background())
	return &worker{s: s, log: s.log.With("component", "worker"), max: max, timeout: timeout, host: host,
		instance: uuid.NewString(), grace: killGrace, poll: workerPoll, every: ingestEvery, ctx: ctx, quit: quit, wake: make(chan struct{}, 1), jobs: map[string]*job{}}
}

// start launches the dispatch loop.
func (w *worker) start() {
	w.wg.Add(1)
	go w.loop()
}

// stop makes every job kill its process group, waits for the jobs to
// record their end, and stops the dispatch loop.
func (w *worker) stop() {
	w.quit()
	w.wg.Wait()
}

// poke wakes the dispatch loop without blocking.
func (w *worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// loop claims work until stopped: on every poke, on every job's end and at
// every safety poll.
func (w *worker) loop() {
	defer w.wg.Done()
	tick := time.NewTicker(w.poll)
	defer tick.Stop()
	for {
		w.fill()
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// fill claims commissioned items while fewer than max jobs run.
func (w *worker) fill() {
	for w.ctx.Err() == nil && w.running() < w.max {
		j, err := w.claim(w.ctx)
		if err != nil {
			if w.ctx.Err() == nil {
				w.log.Error("claim a commissioned work item", "err", err)
			}
			return
		}
		if j == nil {
			return
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer w.poke()
			j.run()
		}()
	}
}

// running is the number of held items.
func (w *worker) running() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.jobs)
}

// claim moves the oldest CommissionRequested work item to Commissioned,
// records the claim for restart recovery and returns its job; nil when
// there is none. The job is registered before the transaction commits, so
// a cancel (whose transaction comes strictly before or after) either finds
// the item unclaimed or finds it held.
func (w *worker) claim(ctx context.Context) (*job, error) {
	var j *job
	err := w.s.inTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM entities WHERE kind = ? AND deleted = 0 AND state = 'CommissionRequested'
			ORDER BY created ASC, rowid ASC LIMIT 1`, kindWorkItem).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find a commissioned work item: %w", err)
		}
		if err := w.setState(ctx, tx, id, "Commissioned", ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO worker_claims(entity_id, instance, claimed) VALUES (?, ?, ?)`,
			id, w.instance, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record the claim of %s: %w", id, err)
		}
		j = newJob(w, id)
		w.mu.Lock()
		w.jobs[id] = j
		w.mu.Unlock()
		return nil
	})
	if err != nil {
		if j != nil {
			w.release(j.id)
		}
		return nil, err
	}
	if j != nil {
		w.log.Info("work item claimed", "id", j.id)
	}
	return j, nil
}

// setState sets an item's state, error message, host name and worker
// instance, and bumps LastModified.
func (w *worker) setState(ctx context.Context, tx *sql.Tx, id, state, errorMessage string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE entities SET state = ?, error_message = ?, host_name = ?, worker_instance_id = ?
		WHERE id = ?`, state, errorMessage, w.host, w.instance, id); err != nil {
		return fmt.Errorf("set state of %s to %s: %w", id, state, err)
	}
	return touch(ctx, tx, id)
}

// release forgets a held item.
func (w *worker) release(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.jobs, id)
}

// requestCancel tells the job holding id to stop; false when no job holds
// it.
func (w *worker) requestCancel(id string) bool {
	w.mu.Lock()
	j := w.jobs[id]
	w.mu.Unlock()
	if j == nil {
		return false
	}
	j.requestCancel()
	return true
}

// heldByWorker reports whether the local worker holds the work item (it
// has claimed it and not yet recorded its end), and if so asks it to stop:
// the caller is moving the item to CancelRequested, and the worker then
// ends it in Canceled. Items not held are canceled at once by the caller.
func (s *Server) heldByWorker(id string) bool {
	if s.worker == nil {
		return false
	}
	return s.worker.requestCancel(id)
}

// pokeWorker wakes the worker (if any) after items may have been
// commissioned.
func (s *Server) pokeWorker() {
	if s.worker != nil {
		s.worker.poke()
	}
}
