package nodes

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"unicode/utf8"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// WritableFile is a one-value file that can be written: a work item's name
// and description, and tag values (docs/writing.md). Opened for writing, it
// buffers the content in the handle (starting from the current content,
// empty once truncated) and saves the whole content, one trailing newline
// dropped, at close (Flush): the server's refusal comes back as an errno,
// and the catalog and the kernel forget the old value. While a handle holds
// unsaved changes, every read and stat of this mount shows them, as a local
// file shows what is being written. Opened for reading, it is a TextFile.
// Its open handles are kept in the mount's openFiles under ino.
type WritableFile struct {
	TextFile
	ino uint64
	// saved renders the value the server has.
	saved func(ctx context.Context) (text, error)
	// save stores value on the server and makes the catalog forget what
	// it changed.
	save func(ctx context.Context, value string) error
}

var _ = (gofs.NodeGetattrer)((*WritableFile)(nil))
var _ = (gofs.NodeOpener)((*WritableFile)(nil))
var _ = (gofs.NodeReader)((*WritableFile)(nil))
var _ = (gofs.NodeWriter)((*WritableFile)(nil))
var _ = (gofs.NodeFlusher)((*WritableFile)(nil))
var _ = (gofs.NodeFsyncer)((*WritableFile)(nil))
var _ = (gofs.NodeSetattrer)((*WritableFile)(nil))
var _ = (gofs.NodeReleaser)((*WritableFile)(nil))

// newWritableFile makes the writable file with inode number ino that shows
// the saved value with render and saves with save.
func newWritableFile(m *Mount, ino uint64, render func(ctx context.Context) (text, error),
	save func(ctx context.Context, value string) error) *WritableFile {
	f := &WritableFile{ino: ino, saved: render, save: save}
	f.TextFile = TextFile{nodeDefaults: nodeDefaults{m}, m: m, render: f.current}
	return f
}

// current is what the file shows: the content of the newest write handle
// with unsaved changes, else the saved value.
func (f *WritableFile) current(ctx context.Context) (text, error) {
	if h := f.m.open.newestWriter(f.ino, 0, (*writeHandle).dirty); h != nil {
		data, mtime := h.content()
		return text{data: data, mtime: mtime}, nil
	}
	return f.saved(ctx)
}

// Getattr reports 0644 and what a read would give: the content of the
// write handle fh when it has unsaved changes or its file was removed, the
// snapshot of a read handle, else the current content. A file removed
// while open has no link left.
func (f *WritableFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	mode := f.m.writableMode(modeWritableFile)
	if h, ok := fh.(*writeHandle); ok && (h.dirty() || h.isRemoved()) {
		data, mtime := h.content()
		f.m.fillAttr(&out.Attr, mode, uint64(len(data)), mtime)
		out.SetTimeout(f.m.kernelTTL(false))
		f.m.kernelSizes.forget(f.ino) // the unsaved size, not the content's
	} else if errno := f.attr(ctx, fh, mode, out); errno != 0 {
		return errno
	}
	if f.m.open.isUnlinked(f.ino) {
		out.Nlink = 0
	}
	return 0
}

// Open for reading snapshots the current content; for writing it makes a
// write handle holding it (refused with EROFS on a --read-only mount).
// Write handles are direct I/O: every write reaches the handle.
func (f *WritableFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) == 0 {
		fh, fuseFlags, errno := f.TextFile.Open(ctx, flags)
		if errno == 0 {
			f.m.open.opened(f.ino, nil)
		}
		return fh, fuseFlags, errno
	}
	if f.m.cfg.ReadOnly {
		return nil, 0, syscall.EROFS
	}
	var h *writeHandle
	if flags&syscall.O_TRUNC != 0 {
		h = newWriteHandle(callerPid(ctx), nil, f.m.cfg.Now())
		h.truncate(0, f.m.cfg.Now())
	} else {
		rctx, cancel := f.m.callCtx(ctx)
		defer cancel()
		t, err := f.current(rctx)
		if err != nil {
			f.m.logError("open for writing", err, "path", f.Path(nil))
			return nil, 0, toErrno(err)
		}
		h = newWriteHandle(callerPid(ctx), t.data, t.mtime)
	}
	f.m.open.opened(f.ino, h)
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// Read serves a write handle's buffer, or the snapshot of a read handle.
func (f *WritableFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if h, ok := fh.(*writeHandle); ok {
		data, _ := h.content()
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
	f.m.kernelSizes.forget(f.ino) // the kernel sizes the file by the write
	return h.write(data, off, f.m.cfg.Now())
}

// Flush saves what was written since the last save, if anything. It runs
// at every close (again after dup), so it is safe to repeat. A handle
// changed by a truncation alone, while its process still holds the file on
// another descriptor, is the shell's `echo x > file` closing its first
// descriptor before writing: that save is left to the next flush, or to
// the release, so that the emptied content is never sent before what is
// written next, and the content is saved once.
func (f *WritableFile) Flush(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	h, ok := fh.(*writeHandle)
	if !ok {
		return 0
	}
	h.noteFlushed()
	return f.saveHandle(ctx, h, true)
}

// Fsync saves at once, like Flush (editors fsync before they close).
func (f *WritableFile) Fsync(ctx context.Context, fh gofs.FileHandle, flags uint32) syscall.Errno {
	h, ok := fh.(*writeHandle)
	if !ok {
		return 0
	}
	return f.saveHandle(ctx, h, false)
}

// saveHandle saves h's unsaved content, unless its file was removed;
// mayDefer lets a truncation alone wait (Flush).
func (f *WritableFile) saveHandle(ctx context.Context, h *writeHandle, mayDefer bool) syscall.Errno {
	h.saveMu.Lock()
	defer h.saveMu.Unlock()
	data, gen, dirty := h.unsaved()
	if !dirty || h.isRemoved() {
		return 0
	}
	if mayDefer && h.onlyTruncated() && heldBy(callerPid(ctx), f.ino) {
		h.setDeferred(true)
		return 0
	}
	h.setDeferred(false)
	errno := f.store(ctx, data)
	// A failed save is over too: the close reported it, nothing retries
	// it, and the file shows the saved value again, not what was refused.
	h.markSaved(gen)
	return errno
}

// Release saves what a flush left for later (an error is logged: nobody
// waits for a release) and forgets the handle.
func (f *WritableFile) Release(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	h, _ := fh.(*writeHandle)
	if h != nil && h.wasDeferred() {
		f.saveHandle(ctx, h, false)
	}
	f.m.open.closed(f.ino, h)
	return 0
}

// Setattr truncates: the open file's buffer (open(O_TRUNC) arrives as an
// open and then a truncate without a handle, matched to the newest write
// handle of the same process not yet flushed), or, with no such handle,
// the content at once (truncate(1)). Growing past maxWritten is EFBIG. Modes,
// owners and times are accepted and ignored, so touch works.
func (f *WritableFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if f.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	if size, ok := in.GetSize(); ok {
		f.m.kernelSizes.forget(f.ino) // the kernel sizes the file by the truncate
		h, _ := fh.(*writeHandle)
		if h == nil {
			// Never a handle already flushed: its close is over, and
			// its release may just not have come yet (the kernel sends
			// it in the background), so truncate(1) right after a close
			// would truncate that handle instead of the file.
			h = f.m.open.newestWriter(f.ino, callerPid(ctx), (*writeHandle).opening)
		}
		var errno syscall.Errno
		if h != nil {
			errno, fh = h.truncate(size, f.m.cfg.Now()), h
		} else {
			errno = f.truncateSaved(ctx, size)
		}
		if errno != 0 {
			return errno
		}
	}
	return setattrReply(ctx, f, fh, out)
}

// truncateSaved cuts (or extends with zeros) the current content and saves it.
func (f *WritableFile) truncateSaved(ctx context.Context, size uint64) syscall.Errno {
	if size > maxWritten {
		return syscall.EFBIG
	}
	rctx, cancel := f.m.callCtx(ctx)
	t, err := f.current(rctx)
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
// makes the kernel forget the entity folder's cached files: this file's
// attributes before the reply (they change with the save: a stat right
// after close must not show the ones kept since open or create), the rest
// after it. It runs from FLUSH, FSYNC, RELEASE and SETATTR, during which
// the kernel holds no lock an invalidation of the file needs. The server
// keeps text: bytes that are not UTF-8 are EINVAL, never changed.
func (f *WritableFile) store(ctx context.Context, data []byte) syscall.Errno {
	if !utf8.Valid(data) {
		f.m.logError("save", fmt.Errorf("the content is not UTF-8 text: %w", syscall.EINVAL), "path", f.Path(nil))
		return syscall.EINVAL
	}
	wctx, cancel := f.m.writeCtx(ctx)
	defer cancel()
	if err := f.save(wctx, strings.TrimSuffix(string(data), "\n")); err != nil {
		f.m.logError("save", err, "path", f.Path(nil))
		return toErrno(err)
	}
	notifyBriefly(func() { forgetInode(f.EmbeddedInode()) })
	f.m.forgetEntity(f.EmbeddedInode())
	return 0
}
