package cache

import "context"

// flightID names one shared piece of work: the download of chunk idx of a
// file, or its verification (idx -1).
type flightID struct {
	name string
	idx  int64
}

const verifyIdx = -1

// flight is work that several readers wait for; data, err and completed are
// set before done is closed.
type flight struct {
	done chan struct{}
	data []byte // the chunk's bytes, a buffer of the memory budget
	err  error
	// verify is the check of the file when this download brought its last
	// missing chunk: its readers wait for the verdict.
	verify    *flight
	readAhead bool // holds one of Content.raSlots
	// refs counts who may still read data: the download itself and every
	// reader that joined it (guarded by Content.mu). The last one out gives
	// data back to the memory budget.
	refs int
}

func newFlight() *flight { return &flight{done: make(chan struct{}), refs: 1} }

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

// unref drops one reference to a download's bytes. Call with c.mu held.
func (c *Content) unref(f *flight) {
	f.refs--
	if f.refs == 0 && f.data != nil {
		c.mem.put(f.data)
		f.data = nil
	}
}
