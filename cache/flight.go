package cache

import "context"

// flight is shared work that readers wait for: the download of a range of
// one chunk, or the check of a file. err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error

	// A download writes [from, to) of its file into pc; pos is how far it
	// got. waiters counts the readers that need its bytes: when none is
	// left, the download is not retried (see Wanted).
	pc        *piece
	from, to  int64
	pos       int64
	waiters   int
	readAhead bool // holds one of Content.raSlots
	// declined is set once Wanted said no reader waited: a failure may
	// not have been retried, and a reader that came since starts again.
	declined bool
}

func newFlight() *flight { return &flight{done: make(chan struct{})} }

// finished reports whether the flight is over.
func (f *flight) finished() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// wait returns the flight's error once it is done, or ctx.Err() if ctx ends
// first; the work goes on either way.
func (f *flight) wait(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wantedKey is the context value of a download's context: whether a reader
// still waits for it.
type wantedKey struct{}

// Wanted reports whether a reader still waits for the download whose
// context is ctx (the context a Source is called with). A Source may stop
// retrying a download no reader waits for any more; the attempt running
// should go on, to fill the cache. Contexts not made by the cache are
// always wanted.
func Wanted(ctx context.Context) bool {
	if wanted, ok := ctx.Value(wantedKey{}).(func() bool); ok {
		return wanted()
	}
	return true
}
