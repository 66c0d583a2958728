package nodes

import (
	"context"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// maxWritten bounds what one write handle holds: names, descriptions, tag
// values and commands are small, and a runaway writer must not fill memory.
// Growing a file past it (write, ftruncate, truncate) is EFBIG.
const maxWritten = 1 << 20

// writeHandle is a file open for writing: the content being written, and
// how many changes it has had (gen) against how many were saved.
type writeHandle struct {
	pid uint32 // the process that opened it
	// saveMu makes saves of the handle one at a time (Flush, Fsync,
	// Release, and the removal of its file), so that a repeated Flush sees
	// the first one's result and a removal waits for a save under way.
	saveMu sync.Mutex

	mu        sync.Mutex
	data      []byte
	mtime     time.Time // when the content last changed
	gen       uint64    // changes so far
	saved     uint64    // gen at the last successful save
	truncated bool      // the last change was a truncation: nothing written since
	deferred  bool      // a flush left the content to a later flush or the release
	removed   bool      // the file was removed: nothing is saved any more
	flushed   bool      // its process closed a descriptor of it (a flush came)
}

// newWriteHandle makes the handle of process pid, holding data (not a change).
func newWriteHandle(pid uint32, data []byte, now time.Time) *writeHandle {
	return &writeHandle{pid: pid, data: data, mtime: now}
}

// unsaved returns a copy of the content, its generation, and whether it
// has changed since the last save.
func (h *writeHandle) unsaved() ([]byte, uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.data), h.gen, h.gen != h.saved
}

// content returns a copy of the content and when it last changed.
func (h *writeHandle) content() ([]byte, time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.data), h.mtime
}

// dirty reports whether the content changed since the last save.
func (h *writeHandle) dirty() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gen != h.saved
}

// onlyTruncated reports whether the content changed since the last save by
// a truncation alone, with nothing written after it.
func (h *writeHandle) onlyTruncated() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gen != h.saved && h.truncated
}

// markSaved records that generation gen is on the server.
func (h *writeHandle) markSaved(gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.saved = max(h.saved, gen)
	h.deferred = false
}

// setDeferred records whether a flush left the content to a later save.
func (h *writeHandle) setDeferred(d bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deferred = d
}

// wasDeferred reports whether the last flush left the content to a later save.
func (h *writeHandle) wasDeferred() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.deferred
}

// noteFlushed records that a flush came: a descriptor of the handle was
// closed, so the open that made it is over.
func (h *writeHandle) noteFlushed() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushed = true
}

// opening reports whether no flush came yet: the handle may still be in
// the open that made it (open(O_TRUNC) truncates before the open returns).
func (h *writeHandle) opening() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.flushed
}

// setRemoved records whether the file was removed, after which nothing of
// the handle is saved.
func (h *writeHandle) setRemoved(r bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removed = r
}

// isRemoved reports whether the file was removed while the handle was open.
func (h *writeHandle) isRemoved() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.removed
}

// write puts data at off, filling any gap with zeros; past maxWritten it
// is EFBIG and writes nothing.
func (h *writeHandle) write(data []byte, off int64, now time.Time) (uint32, syscall.Errno) {
	if off < 0 {
		return 0, syscall.EINVAL
	}
	end := off + int64(len(data))
	if end > maxWritten {
		return 0, syscall.EFBIG
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if end > int64(len(h.data)) {
		h.data = append(h.data, make([]byte, end-int64(len(h.data)))...)
	}
	copy(h.data[off:], data)
	h.gen++
	h.mtime, h.truncated = now, false
	return uint32(len(data)), 0
}

// truncate cuts the content to size (or extends it with zeros; past
// maxWritten it is EFBIG and changes nothing). It counts as a change even
// when the size stays, since `: > file` means "empty".
func (h *writeHandle) truncate(size uint64, now time.Time) syscall.Errno {
	if size > maxWritten {
		return syscall.EFBIG
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if size <= uint64(len(h.data)) {
		h.data = h.data[:size]
	} else {
		h.data = append(h.data, make([]byte, size-uint64(len(h.data)))...)
	}
	h.gen++
	h.mtime, h.truncated = now, true
	return 0
}

// sliceAt is the part of data a read of len(dest) bytes at off returns.
func sliceAt(data, dest []byte, off int64) []byte {
	if off < 0 || off >= int64(len(data)) {
		return nil
	}
	return data[off:min(off+int64(len(dest)), int64(len(data)))]
}

// callerPid is the process making a FUSE request, 0 when unknown.
func callerPid(ctx context.Context) uint32 {
	if c, ok := fuse.FromContext(ctx); ok {
		return c.Pid
	}
	return 0
}
