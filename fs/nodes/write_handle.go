package nodes

import (
	"context"
	"slices"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// maxWritten bounds what one write handle holds: names, descriptions, tag
// values and commands are small, and a runaway writer must not fill memory.
const maxWritten = 1 << 20

// writeHandle is a file open for writing: the content being written, and
// how many changes it has had (gen) against how many were saved.
type writeHandle struct {
	pid    uint32     // the process that opened it
	saveMu sync.Mutex // one save at a time, so a repeated Flush sees the first one's result

	mu    sync.Mutex
	data  []byte
	gen   uint64 // changes so far
	saved uint64 // gen at the last successful save
}

// unsaved returns a copy of the content, its generation, and whether it
// has changed since the last save.
func (h *writeHandle) unsaved() ([]byte, uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.data), h.gen, h.gen != h.saved
}

// dirty reports whether the content changed since the last save.
func (h *writeHandle) dirty() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gen != h.saved
}

// markSaved records that generation gen is on the server.
func (h *writeHandle) markSaved(gen uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.saved = max(h.saved, gen)
}

// write puts data at off, filling any gap with zeros.
func (h *writeHandle) write(data []byte, off int64) (uint32, syscall.Errno) {
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
	return uint32(len(data)), 0
}

// truncate cuts the content to size (or extends it with zeros); it counts
// as a change even when the size stays, since `: > file` means "empty".
func (h *writeHandle) truncate(size uint64) {
	size = min(size, maxWritten)
	h.mu.Lock()
	defer h.mu.Unlock()
	if size <= uint64(len(h.data)) {
		h.data = h.data[:size]
	} else {
		h.data = append(h.data, make([]byte, size-uint64(len(h.data)))...)
	}
	h.gen++
}

// removeWriter returns hs without h.
func removeWriter(hs []*writeHandle, h *writeHandle) []*writeHandle {
	return slices.DeleteFunc(hs, func(x *writeHandle) bool { return x == h })
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
