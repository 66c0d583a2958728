package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/compsfs/compsfs/client"
)

// Options configure a Submitter.
type Options struct {
	// Environment is the default environment of new work items (--environment).
	Environment string
	// Wait is how long Submit waits for the server: the mount's --timeout
	// (fs.DefaultSettings), which Open requires to be positive.
	Wait time.Duration
	// Window is how long the submitter waits after a first submission for
	// others to share its save request; default 100 ms. Only submissions
	// that come together wait (see collect): a lone one is saved at once.
	Window time.Duration
	// MaxBackoff bounds the wait between background retries; default 5 s.
	MaxBackoff time.Duration
	// Logger receives a line per submission outcome and per failed try.
	Logger *slog.Logger
}

// Submitter turns pending entries into work items, in shared save requests,
// exactly once. It is safe for concurrent use.
type Submitter struct {
	spool *Spool
	c     *client.Client
	o     Options
	log   *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	jobsMu sync.Mutex // guards jobs, and each job's busy and waiters (jobs.go)
	jobs   map[*Entry]*job

	mu        sync.Mutex // guards the fields below, up to sem
	queue     []*Entry
	inSubmit  int       // Submit calls under way (preparing, queued or waiting)
	peak      int       // most Submit calls under way at once lately
	peakAt    time.Time // when peak was last reached
	preparing int       // Submit calls making their entry durable, about to queue it
	wake      chan struct{}
	sem       chan struct{} // bounds the post-save calls in flight

	saves    atomic.Int64 // SaveWorkItems calls
	adopted  atomic.Int64 // submissions found on the server by their tag after a lost answer
	onChange atomic.Pointer[func(*Entry, []string)]
	observer atomic.Pointer[Observer]
}

// NewSubmitter makes a submitter for the spool's entries; Start sets it going.
func NewSubmitter(sp *Spool, c *client.Client, o Options) *Submitter {
	if o.Window <= 0 {
		o.Window = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Submitter{spool: sp, c: c, o: o, log: o.Logger, ctx: ctx, cancel: cancel, jobs: map[*Entry]*job{},
		wake: make(chan struct{}, 1), sem: make(chan struct{}, 16)}
	sp.submitter.Store(s) // Remove asks it whether an entry is busy
	return s
}

// Start resumes the spool's pending entries (each looked up by its tag
// before anything is sent again) and starts the submitting loop.
func (s *Submitter) Start() {
	for _, e := range s.spool.Entries() {
		e.mu.Lock()
		if e.man.State == StateDone {
			os.RemoveAll(e.dataDir()) // left by a crash right after the item was done
		}
		if e.man.State != StatePending || s.hasJob(e) {
			e.mu.Unlock()
			continue
		}
		o, err := build(e, e.man.Environment, e.man.Submission)
		if err != nil {
			// Validated when submitted; only a damaged spool gets here.
			e.man.State, e.man.LastError = StateFailed, "cannot resume: "+oneLine(err)
			_ = e.record()
			e.mu.Unlock()
			s.log.Warn("inbox entry cannot resume", "name", e.Name(), "err", err)
			continue
		}
		s.addJob(e, &job{order: o, unknown: true, id: e.man.WorkItemID, checkRel: true, checkState: true})
		e.mu.Unlock()
		s.log.Info("resuming inbox entry", "name", e.Name(), "submission", e.man.Submission)
		s.enqueue(e)
	}
	s.wg.Add(1)
	go s.loop()
}

// Close stops the submitter and waits for its calls to end. Pending
// entries stay pending in the spool and resume at the next Start.
func (s *Submitter) Close() {
	s.cancel()
	s.wg.Wait()
}

// build makes an entry's order from its spooled data.
func build(e *Entry, env, submission string) (order, error) {
	if e.man.Kind == KindFolder {
		return buildFolder(e, env, submission)
	}
	return buildFile(e, env, submission)
}

// Submit submits a draft or failed entry and waits, at most Options.Wait,
// until the work item exists (a folder's: with its relations, commissioned):
// nil when it does, ErrBadInput or ErrRefused (nothing
// created, the reason in the entry's error line), ErrPending when the server
// has not answered in time (the submitter keeps trying). A pending entry is
// waited for again; a done one is nil at once. The caller has fsync'd the
// files it wrote; Submit makes the entry's folders and manifest durable
// before anything is sent.
func (s *Submitter) Submit(e *Entry) error {
	if s.ctx.Err() != nil {
		return ErrClosed
	}
	s.countSubmit(+1)
	defer s.countSubmit(-1)
	e.mu.Lock()
	switch {
	case e.removed:
		e.mu.Unlock()
		return ErrNotFound
	case e.man.State == StateDone:
		e.mu.Unlock()
		return nil
	case e.man.State == StatePending:
		ch := s.waitersOf(e)
		e.mu.Unlock()
		return s.wait(e, ch)
	}
	s.setPreparing(+1)
	ch, err := s.start(e)
	s.setPreparing(-1)
	if err != nil {
		return err
	}
	return s.wait(e, ch)
}

// start builds a draft or failed entry's work item from the spool, makes the
// entry durable and pending, and queues it; it returns the channel closed
// when its writer may return. The caller holds e.mu, which start releases.
func (s *Submitter) start(e *Entry) (chan struct{}, error) {
	sub := uuid.NewString()
	o, err := build(e, s.o.Environment, sub)
	if err == nil {
		err = checkItem(o.item)
	}
	if err != nil {
		e.man.State, e.man.LastError, e.man.Submission = StateFailed, oneLine(err), ""
		perr := e.record()
		e.mu.Unlock()
		s.changed(e, e.ErrorName())
		s.log.Info("inbox entry refused", "name", e.Name(), "err", err)
		return nil, errors.Join(fmt.Errorf("%s: %w: %v", e.Name(), ErrBadInput, err), perr)
	}
	hadErr := e.man.LastError != ""
	e.man.State, e.man.Submission, e.man.LastError, e.man.Attempts = StatePending, sub, "", 0
	e.man.Environment, e.man.WorkItemID = o.item.EnvironmentName, ""
	if err := e.makeDurable(); err != nil {
		e.man.State = StateFailed
		e.mu.Unlock()
		return nil, fmt.Errorf("%s: spool: %w", e.Name(), err)
	}
	ch := s.addJob(e, &job{order: o})
	e.mu.Unlock()
	if hadErr {
		s.changed(e, e.ErrorName())
	}
	s.enqueue(e)
	return ch, nil
}

// wait waits until the writer of a submission may return (ch closed), at
// most Options.Wait. Interrupts
// of the caller are ignored on purpose (Go programs get them all the time);
// the wait is bounded.
func (s *Submitter) wait(e *Entry, ch chan struct{}) error {
	if ch != nil {
		t := time.NewTimer(s.o.Wait)
		defer t.Stop()
		select {
		case <-ch:
		case <-t.C:
		case <-s.ctx.Done():
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.removed:
		return ErrNotFound
	case e.linkLocked() != "":
		return nil
	case e.man.State == StateFailed:
		return fmt.Errorf("%s: %w: %s", e.man.Name, ErrRefused, e.man.LastError)
	}
	if e.man.LastError == "" {
		e.man.LastError = fmt.Sprintf("no answer from the server within %s; still trying in the background", s.o.Wait)
		go s.changed(e, e.ErrorName())
	}
	return fmt.Errorf("%s: %w: %s", e.man.Name, ErrPending, e.man.LastError)
}

// checkItem refuses what the client would refuse before sending, so that a
// bad item never fails a whole batch.
func checkItem(it client.NewWorkItem) error {
	switch {
	case it.Name == "" || it.Worker.Name == "" || it.Worker.Version == "":
		return errors.New("no name or worker")
	case it.EnvironmentName == "":
		return errors.New("no environment")
	}
	return nil
}

// oneLine makes an error fit a one-line .error file.
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

// OnChange sets the function called, from the submitter's goroutines and
// never while an inbox lock is held, with the names in inbox/ that changed
// by themselves (an entry that became a symlink, an .error that came, went
// or changed); the FUSE layer invalidates the kernel's entries there.
func (s *Submitter) OnChange(f func(e *Entry, names []string)) { s.onChange.Store(&f) }

// changed calls the OnChange function with the names that changed.
func (s *Submitter) changed(e *Entry, names ...string) {
	if f := s.onChange.Load(); f != nil && len(names) > 0 {
		(*f)(e, names)
	}
}

// SaveCalls is how many save calls (client.SaveWorkItems, each one or more
// requests of up to 100 items) the submitter has made.
func (s *Submitter) SaveCalls() int64 { return s.saves.Load() }

// Adopted is how many submissions whose save had an unknown outcome were
// found on the server by their tag (each one a duplicate avoided).
func (s *Submitter) Adopted() int64 { return s.adopted.Load() }
