package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/compsfs/compsfs/client"
)

// callTimeout bounds one step of a submission against the server (a save of
// up to 38 MiB, a chunked upload, a lookup). It is not the user's wait
// (Options.Wait): the submitter goes on in the background after that.
const callTimeout = 10 * time.Minute

// process works on one batch: entries whose earlier save may have
// succeeded are looked up by their tag, the rest are prepared (large files
// uploaded, relation targets checked) and saved together; created items are
// then related and commissioned in the background.
func (s *Submitter) process(batch []*Entry) {
	var check, save, finish []*Entry
	for _, e := range batch {
		var j *job
		e.mu.Lock()
		removed := e.removed
		if !removed && e.man.State == StatePending {
			j = s.take(e)
		}
		e.mu.Unlock()
		if removed {
			s.endJob(e) // removed while it waited for a retry
		}
		switch {
		case j == nil:
		case j.id != "":
			finish = append(finish, e)
		case j.unknown:
			check = append(check, e)
		default:
			save = append(save, e)
		}
	}
	ids := make([]string, len(check))
	errs := make([]error, len(check))
	parallel(len(check), 8, func(i int) { ids[i], errs[i] = s.lookup(check[i]) })
	for i, e := range check {
		switch {
		case errs[i] != nil:
			s.retry(e, fmt.Errorf("look up submission: %w", errs[i]))
		case ids[i] != "":
			s.log.Info("inbox submission found on the server; adopting it", "name", e.Name(), "id", ids[i])
			s.adopted.Add(1)
			s.created(e, ids[i])
			finish = append(finish, e)
		default:
			s.jobOf(e).unknown = false
			save = append(save, e)
		}
	}
	finish = append(finish, s.save(s.prepare(save))...)
	for _, e := range finish {
		s.sem <- struct{}{}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.sem }()
			s.finish(e)
		}()
	}
}

// parallel runs f(0..n-1) on at most width goroutines and waits.
func parallel(n, width int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// lookup finds the work item carrying the entry's submission tag, if any.
// GET /api/WorkItems?tagfilters=compsfs.submission=<uuid>.
func (s *Submitter) lookup(e *Entry) (string, error) {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	defer cancel()
	q := client.Query{Fields: []string{"Id"}, TagFilters: []string{TagSubmission + "=" + e.man.Submission},
		OrderBy: "DateCreated", Count: 10}
	items, err := s.c.QueryWorkItems(ctx, q)
	if err != nil {
		return "", err
	}
	if len(items) > 1 {
		s.log.Warn("several work items carry one submission tag; adopting the first", "name", e.Name(), "submission", e.man.Submission, "n", len(items))
	}
	if len(items) == 0 {
		return "", nil
	}
	return client.CanonicalID(items[0].ID)
}

// prepare uploads each entry's large files (chunked, resuming, skipped when
// the server holds them) and checks that its relation targets exist, so that
// one entry's trouble never holds back or fails the others' save. It returns
// the entries ready to save.
func (s *Submitter) prepare(list []*Entry) []*Entry {
	errs := make([]error, len(list))
	parallel(len(list), 4, func(i int) { errs[i] = s.prepareOne(s.jobOf(list[i])) })
	var ready []*Entry
	for i, e := range list {
		switch {
		case errs[i] == nil:
			ready = append(ready, e)
		case refused(errs[i]):
			s.fail(e, errs[i])
		default:
			s.retry(e, errs[i])
		}
	}
	return ready
}

// prepareOne does prepare's work for one entry.
func (s *Submitter) prepareOne(j *job) error {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	defer cancel()
	var total, before int64
	for _, f := range j.item.Files {
		if f.Size > client.LargeFileSize {
			total += f.Size
		}
	}
	j.uploadTotal.Store(total)
	for _, f := range j.item.Files {
		if f.Size > client.LargeFileSize {
			progress := client.WithProgress(ctx, func(done, _ int64) { j.uploaded.Store(before + done) })
			if err := s.c.UploadLarge(progress, f); err != nil {
				return err
			}
			before += f.Size
			j.uploaded.Store(before)
		}
	}
	for _, r := range j.depends {
		if err := s.exists(ctx, r); err != nil {
			if errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("%w: depends_on %s/%s does not exist", ErrRefused, r.kind, r.id)
			}
			return err
		}
	}
	return nil
}

// exists checks that a relation target is on the server.
func (s *Submitter) exists(ctx context.Context, r relation) error {
	q := client.Query{Fields: []string{"Id"}}
	var err error
	switch r.kind {
	case client.KindWorkItem:
		_, err = s.c.GetWorkItem(ctx, r.id, q)
	case client.KindSimulation:
		_, err = s.c.GetSimulation(ctx, r.id, q)
	case client.KindExperiment:
		_, err = s.c.GetExperiment(ctx, r.id, q)
	case client.KindSuite:
		_, err = s.c.GetSuite(ctx, r.id, q)
	case client.KindAssetCollection:
		_, err = s.c.GetAssetCollection(ctx, r.id, q)
	}
	return err
}

// save creates the entries' work items in shared requests and returns the
// entries created. A refusal (4xx) of several items is split in halves until
// the refused ones are alone; any other failure leaves the outcome unknown,
// so those entries are looked up by tag before their next try.
func (s *Submitter) save(list []*Entry) []*Entry {
	if len(list) == 0 {
		return nil
	}
	items := make([]client.NewWorkItem, len(list))
	for i, e := range list {
		items[i] = s.jobOf(e).item
	}
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	ids, err := s.c.SaveWorkItems(ctx, items)
	cancel()
	s.saves.Add(1)
	var created []*Entry
	for i, id := range ids {
		if i >= len(list) {
			break
		}
		cid, cerr := client.CanonicalID(id)
		if cerr != nil {
			s.jobOf(list[i]).unknown = true
			s.retry(list[i], fmt.Errorf("server answered a bad id: %w", cerr))
			continue
		}
		s.created(list[i], cid)
		created = append(created, list[i])
	}
	rest := list[min(len(ids), len(list)):]
	switch {
	case len(rest) == 0:
	case err != nil && refused(err) && len(rest) == 1:
		s.fail(rest[0], err)
	case err != nil && refused(err):
		half := len(rest) / 2
		created = append(created, s.save(rest[:half])...)
		created = append(created, s.save(rest[half:])...)
	default:
		if err == nil {
			err = errors.New("the server answered fewer ids than items")
		}
		for _, e := range rest {
			s.jobOf(e).unknown = true
			s.retry(e, err)
		}
	}
	return created
}

// created records the id of an entry's new work item. A work order's
// writer is told at once (its close returns; the symlink appears) while the
// submitter commissions it; a folder's waits until everything is done.
func (s *Submitter) created(e *Entry, id string) {
	s.observe(func(o Observer) { o.WorkItemCreated(id) })
	s.jobOf(e).id = id
	e.mu.Lock()
	e.man.WorkItemID = id
	var names []string
	file := e.man.Kind == KindFile
	if file {
		names = append(names, e.Name())
	}
	if e.man.LastError != "" { // what it said (not on the server yet) is over
		e.man.LastError = ""
		names = append(names, e.ErrorName())
	}
	e.mu.Unlock()
	if file {
		s.wakeWaiters(e)
	}
	s.changed(e, names...)
}

// refused reports a definitive refusal: nothing was created and sending the
// same again would fail the same way.
func refused(err error) bool {
	return errors.Is(err, ErrRefused) || errors.Is(err, client.ErrBadRequest) ||
		errors.Is(err, client.ErrForbidden) || errors.Is(err, client.ErrNotFound)
}
