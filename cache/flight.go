package cache

import "context"

// flightID names one shared piece of work: the download of chunk idx of a
// file, or its verification (idx -1).
type flightID struct {
	name string
	idx  int64
}

const verifyIdx = -1

// flight is work that several readers wait for; data and err are set before
// done is closed.
type flight struct {
	done chan struct{}
	data []byte
	err  error
}

func newFlight() *flight { return &flight{done: make(chan struct{})} }

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

// startFlight returns the flight running for id, or runs work as a new one,
// counting it in *busy (work decrements it, with c.mu held, when it ends).
// Close waits for it. Call with c.mu held.
func (c *Content) startFlight(id flightID, busy *int, work func(f *flight)) *flight {
	if f := c.flights[id]; f != nil {
		return f
	}
	f := newFlight()
	c.flights[id] = f
	*busy++
	c.wg.Go(func() { work(f) })
	return f
}
