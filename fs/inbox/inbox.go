package inbox

import (
	"fmt"

	"github.com/compsfs/compsfs/client"
)

// Inbox is a spool with its submitter: what inbox/ of a mount is made of.
type Inbox struct {
	*Spool
	sub *Submitter
}

// Open opens the spool in dir for submitting to c; Start sets the
// submitter going.
func Open(dir string, c *client.Client, o Options) (*Inbox, error) {
	if o.Wait <= 0 {
		return nil, fmt.Errorf("inbox: Options.Wait is %s, must be positive", o.Wait)
	}
	sp, err := OpenSpool(dir, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return &Inbox{Spool: sp, sub: NewSubmitter(sp, c, o)}, nil
}

// Start starts submitting: pending entries left by an earlier run resume at
// once (looked up by their tag first).
func (in *Inbox) Start() { in.sub.Start() }

// Submit submits an entry and waits for its work item; see Submitter.Submit.
func (in *Inbox) Submit(e *Entry) error { return in.sub.Submit(e) }

// OnChange sets the function told about names in inbox/ that change by
// themselves; see Submitter.OnChange.
func (in *Inbox) OnChange(f func(e *Entry, names []string)) { in.sub.OnChange(f) }

// Stats are the inbox counters of .stats: entries by state, save calls,
// and submissions found by their tag after a lost answer.
func (in *Inbox) Stats() map[string]int64 {
	out := in.Counts()
	out["save_calls"] = in.sub.SaveCalls()
	out["adopted"] = in.sub.Adopted()
	return out
}

// Uploads lists the entries whose large files are going up now.
func (in *Inbox) Uploads() []Upload { return in.sub.Uploads() }

// Close stops submitting and releases the spool; pending entries stay in
// it for next time.
func (in *Inbox) Close() {
	in.sub.Close()
	in.Spool.Close()
}
