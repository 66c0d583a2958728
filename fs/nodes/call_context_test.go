package nodes

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A call context that nothing waits on makes no derived context; one that
// is waited on ends with its parent (an interrupt), its deadline, or the
// call, and contexts derived from it end with it.
func TestCallContextEndsWithItsParentDeadlineOrCall(t *testing.T) {
	unused := newCallContext(context.Background(), time.Minute)
	if unused.Value("k") != nil {
		t.Error("a value out of nowhere")
	}
	unused.release()
	if unused.derived != nil {
		t.Error("a call context nothing waited on made a derived context")
	}
	select {
	case <-unused.Done():
	default:
		t.Error("Done of a released call context is not closed")
	}

	parent, interrupt := context.WithCancel(context.WithValue(context.Background(), "k", "v"))
	c := newCallContext(parent, time.Minute)
	child, cancelChild := context.WithCancel(c)
	defer cancelChild()
	if c.Value("k") != "v" || child.Value("k") != "v" {
		t.Error("the parent's values are lost")
	}
	interrupt()
	<-child.Done()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Errorf("after an interrupt: %v", c.Err())
	}
	c.release()

	short := newCallContext(context.Background(), 20*time.Millisecond)
	defer short.release()
	if d, ok := short.Deadline(); !ok || time.Until(d) > 20*time.Millisecond {
		t.Errorf("deadline %v %v", d, ok)
	}
	<-short.Done()
	if !errors.Is(short.Err(), context.DeadlineExceeded) {
		t.Errorf("after the timeout: %v", short.Err())
	}

	call := newCallContext(context.Background(), time.Minute)
	derived, cancelDerived := context.WithTimeout(call, time.Hour)
	defer cancelDerived()
	call.release()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Error("a context derived from the call outlived it")
	}
}
