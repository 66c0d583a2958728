package nodes

import (
	"testing"
	"time"
)

func TestOpenFilesKeepsHandlesWhileOpen(t *testing.T) {
	var o openFiles
	now := time.Unix(1, 0)
	a, b := newWriteHandle(1, nil, now), newWriteHandle(2, nil, now)
	o.opened(7, nil) // a reader
	o.opened(7, a)
	o.opened(7, b)
	a.truncate(0, now)
	if h := o.newestWriter(7, 0, nil); h != b {
		t.Errorf("newest writer = %p, want b %p", h, b)
	}
	if h := o.newestWriter(7, 0, (*writeHandle).dirty); h != a {
		t.Errorf("newest dirty writer = %p, want a %p", h, a)
	}
	if h := o.newestWriter(7, 2, (*writeHandle).dirty); h != nil {
		t.Errorf("newest dirty writer of process 2 = %p, want none", h)
	}
	if h := o.newestWriter(7, 1, (*writeHandle).opening); h != a {
		t.Errorf("newest writer of process 1 still opening = %p, want a %p", h, a)
	}
	a.noteFlushed()
	if h := o.newestWriter(7, 1, (*writeHandle).opening); h != nil {
		t.Errorf("a flushed writer is taken for one still opening")
	}
	a.setRemoved(true)
	if h := o.newestWriter(7, 0, (*writeHandle).dirty); h != nil {
		t.Errorf("a removed writer is still found")
	}
	if live := o.liveWriters(7); len(live) != 1 || live[0] != b {
		t.Errorf("live writers = %v", live)
	}
	o.setUnlinked(7, true)
	o.closed(7, a)
	o.closed(7, b)
	if !o.isUnlinked(7) {
		t.Error("forgot the removal while a reader is open")
	}
	o.closed(7, nil)
	if o.isUnlinked(7) || len(o.files) != 0 {
		t.Errorf("an entry outlives its last handle: %v", o.files)
	}
}
