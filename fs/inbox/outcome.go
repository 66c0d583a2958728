package inbox

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/compsfs/compsfs/client"
)

// finish relates and commissions a created work item, then marks the entry
// done. After a failed step the next try checks what the server already has.
func (s *Submitter) finish(e *Entry) {
	j := s.jobOf(e)
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	defer cancel()
	if !j.related && len(j.depends) > 0 {
		if err := s.relate(ctx, j); err != nil {
			j.checkRel = true
			s.retry(e, fmt.Errorf("work item %s created; relate: %w", j.id, err))
			return
		}
	}
	j.related = true
	if j.commission && !j.commissioned {
		if err := s.commission(ctx, j); err != nil {
			j.checkState = true
			s.retry(e, fmt.Errorf("work item %s created; commission: %w", j.id, err))
			return
		}
	}
	j.commissioned = true
	s.done(e)
}

// relate adds the DependsOn relations the work item does not have yet.
func (s *Submitter) relate(ctx context.Context, j *job) error {
	have := map[string]bool{}
	if j.checkRel {
		rel, err := s.c.Related(ctx, j.id, "", client.RelationDependsOn)
		if err != nil {
			return err
		}
		for _, r := range rel {
			if id, err := client.CanonicalID(r.ID); err == nil {
				have[id] = true
			}
		}
	}
	for _, r := range j.depends {
		if have[r.id] {
			continue
		}
		err := s.c.AddRelation(ctx, j.id, client.RelationDependsOn, r.kind, r.id)
		s.observe(func(o Observer) { o.RelationAdded(j.id, client.RelationDependsOn, r.kind, r.id) })
		if err != nil {
			return err
		}
	}
	return nil
}

// commission asks for the work item to run, unless an earlier try may have
// done so already and the item has left Created.
func (s *Submitter) commission(ctx context.Context, j *job) error {
	if j.checkState {
		wi, err := s.c.GetWorkItem(ctx, j.id, client.Query{Fields: []string{"Id", "State"}})
		if err != nil {
			return err
		}
		if wi.State != client.StateCreated {
			return nil
		}
	}
	err := s.c.Commission(ctx, j.id)
	s.observe(func(o Observer) { o.StateChanged(j.id) })
	return err
}

// retry records a failed try and schedules the next one after a backoff
// that doubles from 100 ms up to Options.MaxBackoff.
func (s *Submitter) retry(e *Entry, err error) {
	s.putBack(e)
	e.mu.Lock()
	if e.removed { // rm'd while its commission was on its way: given up
		e.mu.Unlock()
		s.endJob(e)
		s.log.Warn("inbox entry removed before its work item was commissioned", "name", e.Name(), "id", e.man.WorkItemID, "err", err)
		return
	}
	e.man.Attempts++
	e.man.LastError = "not on the server yet (" + oneLine(err) + "); compsfs keeps trying in the background"
	n := e.man.Attempts
	perr := e.record()
	e.mu.Unlock()
	if perr != nil {
		s.log.Warn("inbox manifest not saved", "name", e.Name(), "err", perr)
	}
	s.log.Warn("inbox submission failed; will retry", "name", e.Name(), "attempt", n, "err", err)
	s.changed(e, e.ErrorName())
	d := 100 * time.Millisecond << min(n-1, 10)
	d = min(d, s.o.MaxBackoff)
	time.AfterFunc(d, func() {
		if s.ctx.Err() == nil {
			s.enqueue(e)
		}
	})
}

// fail ends an entry's submission as refused: nothing was created.
func (s *Submitter) fail(e *Entry, err error) {
	e.mu.Lock()
	e.man.State = StateFailed
	e.man.LastError = "refused: " + oneLine(err)
	perr := e.record()
	e.mu.Unlock()
	s.endJob(e)
	if perr != nil {
		s.log.Warn("inbox manifest not saved", "name", e.Name(), "err", perr)
	}
	s.log.Info("inbox submission refused", "name", e.Name(), "err", err)
	s.changed(e, e.ErrorName())
}

// done ends an entry's submission as created: the manifest records the id
// and the spooled data, now on the server, is deleted.
func (s *Submitter) done(e *Entry) {
	id := s.jobOf(e).id
	e.mu.Lock()
	var names []string
	if e.man.Kind == KindFolder {
		names = append(names, e.Name())
	}
	if e.man.LastError != "" {
		names = append(names, e.ErrorName())
	}
	e.man.State, e.man.WorkItemID, e.man.LastError = StateDone, id, ""
	var perr error
	if !e.removed { // a removed entry's folder is gone
		perr = e.persist() // durable before the spooled data goes
	}
	if perr == nil && !e.removed {
		if err := os.RemoveAll(e.dataDir()); err != nil {
			s.log.Warn("spooled data of a done entry not deleted", "name", e.Name(), "err", err)
		}
	}
	e.mu.Unlock()
	s.endJob(e)
	if perr != nil {
		s.log.Warn("inbox manifest not saved", "name", e.Name(), "err", perr)
	}
	s.log.Info("inbox submission done", "name", e.Name(), "id", id)
	s.changed(e, names...)
}
