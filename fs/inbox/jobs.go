package inbox

import (
	"slices"
	"strings"
	"sync/atomic"
)

// The submitter's jobs: what it knows of each pending entry beyond the
// manifest. The submitter owns them, in a map under its own mutex; an Entry
// holds only what the spool persists.
//
// Locks: an entry's mu guards its manifest and removed flag; the
// submitter's jobsMu guards the jobs map and each job's busy and waiters.
// jobsMu is taken last (never held while taking an entry's mu). A job's
// other fields belong to the goroutine that set busy: the batch working on
// the entry, until it clears busy (retry) or ends the job (done, fail).

// job is a pending entry as the submitter sees it.
type job struct {
	order
	// waiters is closed when the writer waiting on the submission may
	// return: the work item exists (a work order's, at once; a folder's,
	// once related and commissioned), it was refused, or the entry was
	// removed. nil once closed. Guarded by jobsMu.
	waiters chan struct{}
	// busy: a batch is working on the job. Guarded by jobsMu.
	busy bool

	// uploaded of uploadTotal bytes of the job's large files are on the
	// server (chunked uploads), for the progress .stats shows.
	uploaded, uploadTotal atomic.Int64

	// Owned by the goroutine that set busy.
	unknown      bool // an earlier save may have created the item: look the tag up first
	id           string
	related      bool
	checkRel     bool // an earlier relation call failed: list before adding
	commissioned bool
	checkState   bool // an earlier commission failed: read the state first
}

// addJob records the job of an entry made pending and returns the channel
// its writers wait on.
func (s *Submitter) addJob(e *Entry, j *job) chan struct{} {
	j.waiters = make(chan struct{})
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	s.jobs[e] = j
	return j.waiters
}

// waitersOf is the channel a pending entry's writers wait on; nil when
// there is none (already woken, or no job).
func (s *Submitter) waitersOf(e *Entry) chan struct{} {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	if j := s.jobs[e]; j != nil {
		return j.waiters
	}
	return nil
}

// hasJob reports whether the submitter works on e.
func (s *Submitter) hasJob(e *Entry) bool {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	return s.jobs[e] != nil
}

// take marks e's job busy and returns it; nil when e has no job or a batch
// already works on it.
func (s *Submitter) take(e *Entry) *job {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	j := s.jobs[e]
	if j == nil || j.busy {
		return nil
	}
	j.busy = true
	return j
}

// jobOf is e's job, for the goroutine that took it.
func (s *Submitter) jobOf(e *Entry) *job {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	return s.jobs[e]
}

// putBack clears busy, so that the next batch may take the job again.
func (s *Submitter) putBack(e *Entry) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	if j := s.jobs[e]; j != nil {
		j.busy = false
	}
}

// wakeWaiters lets the writers waiting on e's submission return.
func (s *Submitter) wakeWaiters(e *Entry) {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	if j := s.jobs[e]; j != nil && j.waiters != nil {
		close(j.waiters)
		j.waiters = nil
	}
}

// endJob forgets e's job, waking its writers.
func (s *Submitter) endJob(e *Entry) {
	s.wakeWaiters(e)
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	delete(s.jobs, e)
}

// busy reports whether a batch works on e's job right now.
func (s *Submitter) busy(e *Entry) bool {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	j := s.jobs[e]
	return j != nil && j.busy
}

// Upload is how far the large files of one inbox entry being submitted
// have gone up.
type Upload struct {
	Name  string `json:"name"`  // the entry's name in inbox/
	Done  int64  `json:"done"`  // bytes of its large files on the server
	Total int64  `json:"total"` // bytes of its large files
}

// Uploads lists the entries whose large files are going up now, by name.
func (s *Submitter) Uploads() []Upload {
	s.jobsMu.Lock()
	defer s.jobsMu.Unlock()
	var out []Upload
	for e, j := range s.jobs {
		if total, done := j.uploadTotal.Load(), j.uploaded.Load(); total > 0 && done < total {
			out = append(out, Upload{Name: e.Name(), Done: done, Total: total})
		}
	}
	slices.SortFunc(out, func(a, b Upload) int { return strings.Compare(a.Name, b.Name) })
	return out
}
