package nodes

import (
	"context"
	"sync"
	"time"
)

// callContext is the context of one filesystem call: the kernel's request
// (which an interrupt cancels) bounded by --timeout. A context derived from
// go-fuse's request context costs a goroutine that watches it (it is no
// context of the standard library), more than a call answered from the
// caches costs in all (a lookup of each state file in cat workitems/*/state).
// So the derived context is made only once something waits on it or
// derives from it; a call that never does spends nothing on it.
type callContext struct {
	parent   context.Context
	deadline time.Time

	mu       sync.Mutex
	derived  context.Context // nil until needed
	cancel   context.CancelFunc
	released bool
}

// newCallContext bounds parent by timeout from now; release must be called
// once the call is over.
func newCallContext(parent context.Context, timeout time.Duration) *callContext {
	deadline := time.Now().Add(timeout)
	if d, ok := parent.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return &callContext{parent: parent, deadline: deadline}
}

// ctx returns the derived context, making it on first use; after release
// it is one already canceled.
func (c *callContext) ctx() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.derived == nil {
		c.derived, c.cancel = context.WithDeadline(c.parent, c.deadline)
		if c.released {
			c.cancel()
		}
	}
	return c.derived
}

// release ends the call: the derived context, if made, is canceled.
func (c *callContext) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.released = true
	if c.cancel != nil {
		c.cancel()
	}
}

// Deadline is --timeout from the call's start, or the parent's if sooner.
func (c *callContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done is closed when the call is interrupted, times out or is over.
func (c *callContext) Done() <-chan struct{} { return c.ctx().Done() }

// Err says why Done is closed.
func (c *callContext) Err() error { return c.ctx().Err() }

// Value is the parent's values (the caller's identity), and the derived
// context's once made, so that contexts derived from this one attach to it
// without a goroutine of their own.
func (c *callContext) Value(key any) any {
	c.mu.Lock()
	d := c.derived
	c.mu.Unlock()
	if d != nil {
		return d.Value(key)
	}
	return c.parent.Value(key)
}
