package nodes

import (
	"syscall"
	"testing"
	"time"
)

func TestWriteHandleGrowsUpToTheLimitOnly(t *testing.T) {
	now := time.Unix(1, 0)
	h := newWriteHandle(1, []byte("value\n"), now)
	if h.dirty() {
		t.Fatal("a handle holding the current value is dirty")
	}
	if errno := h.truncate(maxWritten+1, now); errno != syscall.EFBIG {
		t.Errorf("truncate past the limit: %v, want EFBIG", errno)
	}
	if _, errno := h.write([]byte("xy"), maxWritten-1, now); errno != syscall.EFBIG {
		t.Errorf("a write ending past the limit: %v, want EFBIG", errno)
	}
	if data, _ := h.content(); string(data) != "value\n" || h.dirty() {
		t.Errorf("after the refusals: %q, dirty %v", data, h.dirty())
	}
	if errno := h.truncate(maxWritten, now); errno != 0 {
		t.Errorf("truncate to the limit: %v", errno)
	}
	if _, errno := h.write([]byte("x"), maxWritten-1, now); errno != 0 {
		t.Errorf("a write ending at the limit: %v", errno)
	}
}

func TestWriteHandleKnowsATruncationAlone(t *testing.T) {
	t1, t2 := time.Unix(1, 0), time.Unix(2, 0)
	h := newWriteHandle(1, []byte("old\n"), t1)
	h.truncate(0, t1)
	if !h.onlyTruncated() {
		t.Error("after a truncation: not only truncated")
	}
	h.write([]byte("x\n"), 0, t2)
	if h.onlyTruncated() || !h.dirty() {
		t.Errorf("after a write: only truncated %v, dirty %v", h.onlyTruncated(), h.dirty())
	}
	if data, mtime := h.content(); string(data) != "x\n" || !mtime.Equal(t2) {
		t.Errorf("content %q at %v", data, mtime)
	}
	_, gen, _ := h.unsaved()
	h.setDeferred(true)
	h.markSaved(gen)
	if h.dirty() || h.wasDeferred() {
		t.Errorf("after a save: dirty %v, deferred %v", h.dirty(), h.wasDeferred())
	}
}
