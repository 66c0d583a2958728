package nodes

import (
	"context"
	"strings"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// WritableFile is a one-value file that can be written: a work item's name
// and description, and tag values (docs/writing.md). Opened for writing, it buffers
// the content in the handle (starting from the current value, empty once
// truncated); Flush, at every close, saves the whole content with one
// trailing newline dropped, reports the server's refusal as an errno, and
// makes the catalog and the kernel forget the old value. Opened for reading,
// it is a TextFile.
type WritableFile struct {
	TextFile
	// save stores value on the server and makes the catalog forget what
	// it changed.
	save func(ctx context.Context, value string) error

	mu      sync.Mutex
	writers []*writeHandle // open write handles, the newest last
}

var _ = (gofs.NodeGetattrer)((*WritableFile)(nil))
var _ = (gofs.NodeOpener)((*WritableFile)(nil))
var _ = (gofs.NodeReader)((*WritableFile)(nil))
var _ = (gofs.NodeWriter)((*WritableFile)(nil))
var _ = (gofs.NodeFlusher)((*WritableFile)(nil))
var _ = (gofs.NodeFsyncer)((*WritableFile)(nil))
var _ = (gofs.NodeSetattrer)((*WritableFile)(nil))
var _ = (gofs.NodeReleaser)((*WritableFile)(nil))

// newWritableFile makes a writable file that shows render and saves with save.
func newWritableFile(m *Mount, render func(ctx context.Context) (text, error),
	save func(ctx context.Context, value string) error) *WritableFile {
	return &WritableFile{TextFile: TextFile{nodeDefaults: nodeDefaults{m}, m: m, render: render}, save: save}
}

// Getattr reports 0644 and the size of what is being written while a
// writer has changed the content, else the saved value's.
func (f *WritableFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	h, _ := fh.(*writeHandle)
	if h == nil && fh == nil {
		h = f.newestWriter(0, true)
	}
	if h == nil {
		return f.attr(ctx, fh, f.m.writableMode(modeWritableFile), out)
	}
	data, _, _ := h.unsaved()
	f.m.fillAttr(&out.Attr, f.m.writableMode(modeWritableFile), uint64(len(data)), f.m.cfg.Now())
	out.SetTimeout(f.m.kernelTTL(false))
	return 0
}

// Open for reading snapshots the value; for writing it makes a write
// handle holding the current value (refused with EROFS on a --read-only
// mount). Write handles are direct I/O: every write reaches the handle.
func (f *WritableFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) == 0 {
		return f.TextFile.Open(ctx, flags)
	}
	if f.m.cfg.ReadOnly {
		return nil, 0, syscall.EROFS
	}
	h := &writeHandle{pid: callerPid(ctx)}
	if flags&syscall.O_TRUNC != 0 {
		h.truncate(0)
	} else {
		rctx, cancel := f.m.callCtx(ctx)
		defer cancel()
		t, err := f.render(rctx)
		if err != nil {
			f.m.logError("open for writing", err, "path", f.Path(nil))
			return nil, 0, toErrno(err)
		}
		h.data = t.data
	}
	f.addWriter(h)
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// Read serves a write handle's buffer, or the snapshot of a read handle.
func (f *WritableFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if h, ok := fh.(*writeHandle); ok {
		data, _, _ := h.unsaved()
		return fuse.ReadResultData(sliceAt(data, dest, off)), 0
	}
	return f.TextFile.Read(ctx, fh, dest, off)
}

// Write puts data into the handle's buffer at off.
func (f *WritableFile) Write(ctx context.Context, fh gofs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	h, ok := fh.(*writeHandle)
	if !ok {
		return 0, syscall.EBADF
	}
	return h.write(data, off)
}

// Flush saves what was written since the last save, if anything. It runs
// at every close (again after dup), so it is safe to repeat.
func (f *WritableFile) Flush(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	h, ok := fh.(*writeHandle)
	if !ok {
		return 0
	}
	h.saveMu.Lock()
	defer h.saveMu.Unlock()
	data, gen, dirty := h.unsaved()
	if !dirty {
		return 0
	}
	if errno := f.store(ctx, data); errno != 0 {
		return errno
	}
	h.markSaved(gen)
	return 0
}

// Fsync saves at once, like Flush (editors fsync before they close).
func (f *WritableFile) Fsync(ctx context.Context, fh gofs.FileHandle, flags uint32) syscall.Errno {
	return f.Flush(ctx, fh)
}

// Release forgets a write handle; what it held was saved by Flush.
func (f *WritableFile) Release(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	if h, ok := fh.(*writeHandle); ok {
		f.mu.Lock()
		f.writers = removeWriter(f.writers, h)
		f.mu.Unlock()
	}
	return 0
}

// Setattr truncates: the open file's buffer (open(O_TRUNC) arrives as an
// open and then a truncate without a handle, matched to the newest write
// handle of the same process), or, with no file open for writing, the
// saved value at once (truncate(1)). Times and modes are accepted and
// ignored, so touch works.
func (f *WritableFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if f.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	if size, ok := in.GetSize(); ok {
		h, _ := fh.(*writeHandle)
		if h == nil {
			h = f.newestWriter(callerPid(ctx), false)
		}
		if h != nil {
			h.truncate(size)
			fh = h
		} else if errno := f.truncateSaved(ctx, size); errno != 0 {
			return errno
		}
	}
	return setattrReply(ctx, f, fh, out)
}

// truncateSaved cuts (or extends with zeros) the saved value and saves it.
func (f *WritableFile) truncateSaved(ctx context.Context, size uint64) syscall.Errno {
	if size > maxWritten {
		return syscall.EFBIG
	}
	rctx, cancel := f.m.callCtx(ctx)
	t, err := f.render(rctx)
	cancel()
	if err != nil {
		f.m.logError("truncate", err, "path", f.Path(nil))
		return toErrno(err)
	}
	data := make([]byte, size)
	copy(data, t.data)
	return f.store(ctx, data)
}

// store saves data as the file's value (one trailing newline dropped) and
// makes the kernel forget the entity folder's cached files.
func (f *WritableFile) store(ctx context.Context, data []byte) syscall.Errno {
	wctx, cancel := f.m.writeCtx(ctx)
	defer cancel()
	if err := f.save(wctx, strings.TrimSuffix(string(data), "\n")); err != nil {
		f.m.logError("save", err, "path", f.Path(nil))
		return toErrno(err)
	}
	f.m.forgetEntity(f.EmbeddedInode())
	return 0
}

// addWriter registers an open write handle.
func (f *WritableFile) addWriter(h *writeHandle) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writers = append(f.writers, h)
}

// newestWriter is the newest open write handle of process pid (any
// process for 0), only among those with unsaved changes when dirty; nil
// if there is none.
func (f *WritableFile) newestWriter(pid uint32, dirty bool) *writeHandle {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.writers) - 1; i >= 0; i-- {
		h := f.writers[i]
		if (pid == 0 || h.pid == pid) && (!dirty || h.dirty()) {
			return h
		}
	}
	return nil
}
