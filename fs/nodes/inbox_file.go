package nodes

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/fs/inbox"
)

// InboxFile is a spooled file not yet submitted: inbox/NAME.json, or a file
// of a folder entry inbox/NAME/FILE. Its bytes live in the spool; closing a
// written NAME.json fsyncs it and submits it, waiting for the work item.
type InboxFile struct {
	gofs.Inode
	nodeDefaults // refuses setxattr; chmod, chown and utimes are below
	m            *Mount
	dir          *InboxDir
	e            *inbox.Entry
	file         string // "" for NAME.json; the file's name in a folder entry
}

// newFile makes the node of entry e's spooled file: NAME.json when file is
// "", else the file of that name in the folder entry.
func (d *InboxDir) newFile(e *inbox.Entry, file string) *InboxFile {
	return &InboxFile{nodeDefaults: nodeDefaults{d.m}, m: d.m, dir: d, e: e, file: file}
}

var _ = (gofs.NodeGetattrer)((*InboxFile)(nil))
var _ = (gofs.NodeOpener)((*InboxFile)(nil))
var _ = (gofs.NodeSetattrer)((*InboxFile)(nil))

// path is the spooled file.
func (f *InboxFile) path() string { return f.e.DataPath(f.file) }

// Getattr reports the spooled file: 0644 while it may be written, 0444 once
// it is being submitted. An open file is described from its descriptor,
// so fstat works after rm, with no link left.
func (f *InboxFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var st os.FileInfo
	var err error
	if h, ok := fh.(*inboxHandle); ok {
		st, err = h.f.Stat()
	} else {
		st, err = os.Stat(f.path())
	}
	if err != nil {
		return inboxErrno(notFound(err))
	}
	mode := uint32(modeWritableFile)
	if f.e.Editable() != nil || f.m.cfg.ReadOnly {
		mode = modeFile
	}
	f.m.fillAttr(&out.Attr, mode, uint64(st.Size()), st.ModTime())
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Nlink == 0 {
		out.Nlink = 0
	}
	out.SetTimeout(inboxTTL)
	return 0
}

// notFound turns a missing spool file into the inbox's not-found error.
func notFound(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return inbox.ErrNotFound
	}
	return err
}

// Open opens the spooled file; for writing only while the entry may change.
func (f *InboxFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	h, errno := f.open(int(flags), flags&syscall.O_TRUNC != 0)
	if errno != 0 {
		return nil, 0, errno
	}
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// open makes a handle; dirty says the content is new (created or truncated).
func (f *InboxFile) open(flags int, dirty bool) (*inboxHandle, syscall.Errno) {
	writing := flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) != 0
	osFlags := os.O_RDONLY
	if writing {
		if f.m.cfg.ReadOnly {
			return nil, syscall.EROFS
		}
		if err := f.e.Editable(); err != nil {
			return nil, inboxErrno(err)
		}
		osFlags = os.O_RDWR
		if flags&syscall.O_TRUNC != 0 {
			osFlags |= os.O_TRUNC
		}
	}
	file, err := os.OpenFile(f.path(), osFlags, 0o600)
	if err != nil {
		f.m.logError("open spooled file", err, "path", f.path())
		return nil, inboxErrno(notFound(err))
	}
	return &inboxHandle{node: f, f: file, writing: writing, dirty: dirty}, 0
}

// Setattr truncates (the only change a spooled file takes; mode, owner and
// times are accepted and ignored, so cp -p works).
func (f *InboxFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if size, ok := in.GetSize(); ok {
		if f.m.cfg.ReadOnly {
			return syscall.EROFS
		}
		if err := f.e.Editable(); err != nil {
			return inboxErrno(err)
		}
		if err := os.Truncate(f.path(), int64(size)); err != nil {
			f.m.logError("truncate spooled file", err, "path", f.path())
			return inboxErrno(notFound(err))
		}
		if h, ok := fh.(*inboxHandle); ok {
			h.mu.Lock()
			h.dirty = true
			h.mu.Unlock()
		}
	}
	return setattrReply(ctx, f, fh, out)
}

// inboxHandle is an open spooled file.
type inboxHandle struct {
	node    *InboxFile
	f       *os.File
	writing bool

	mu        sync.Mutex
	dirty     bool // written since the last flush
	submitted bool // a flush of this handle submitted the entry
}

var _ = (gofs.FileReader)((*inboxHandle)(nil))
var _ = (gofs.FileWriter)((*inboxHandle)(nil))
var _ = (gofs.FileFlusher)((*inboxHandle)(nil))
var _ = (gofs.FileFsyncer)((*inboxHandle)(nil))
var _ = (gofs.FileReleaser)((*inboxHandle)(nil))

// Read reads the spooled bytes.
func (h *inboxHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, err := h.f.ReadAt(dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, toErrno(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

// Write writes into the spool, while the entry may change.
func (h *inboxHandle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if !h.writing {
		return 0, syscall.EBADF
	}
	if err := h.node.e.Editable(); err != nil {
		return 0, inboxErrno(err)
	}
	n, err := h.f.WriteAt(data, off)
	h.mu.Lock()
	h.dirty = true
	h.mu.Unlock()
	if err != nil {
		h.node.m.logError("write spooled file", err, "path", h.node.path())
		return uint32(n), toErrno(err)
	}
	return uint32(n), 0
}

// Flush runs at every close (again after dup): written data is fsync'd
// first; a written NAME.json is then submitted and the close waits for the
// work item (docs/writing.md). A flush with nothing new repeats the entry's current
// outcome, so it is safe to run twice. Never ENOSYS.
func (h *inboxHandle) Flush(ctx context.Context) syscall.Errno {
	if !h.writing {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.node.e
	if !h.dirty {
		if h.submitted {
			return submitOutcome(e)
		}
		return 0
	}
	if err := h.f.Sync(); err != nil { // the folders are fsync'd by Submit
		h.node.m.logError("fsync spooled file", err, "path", h.node.path())
		return toErrno(err)
	}
	h.dirty = false
	if h.node.file != "" { // a folder's file: submitted by .submit
		return 0
	}
	h.submitted = true
	return h.node.dir.submit(ctx, e, true)
}

// Fsync makes the spooled bytes durable.
func (h *inboxHandle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if err := h.f.Sync(); err != nil {
		return toErrno(err)
	}
	return 0
}

// Release closes the spooled file.
func (h *inboxHandle) Release(ctx context.Context) syscall.Errno {
	h.f.Close()
	return 0
}

// submitOutcome is the errno of an entry's submission as it stands: 0 once
// the work item exists, EINVAL when refused, EIO while it waits for the server.
func submitOutcome(e *inbox.Entry) syscall.Errno {
	if e.Link() != "" {
		return 0
	}
	switch e.Manifest().State {
	case inbox.StateDone:
		return 0
	case inbox.StateFailed:
		return syscall.EINVAL
	case inbox.StatePending:
		return syscall.EIO
	}
	return 0
}

// submit submits an entry, waits for the outcome (bounded by --timeout,
// interrupts ignored) and returns its errno. On success the kernel must not
// answer the next lookup of the name from its cache (it would still see a
// file or folder, not the symlink): from a close, the entry is invalidated
// before returning; otherwise the call returns no sooner than the entry's
// short kernel timeout allows.
func (d *InboxDir) submit(ctx context.Context, e *inbox.Entry, fromFlush bool) syscall.Errno {
	err := d.m.cfg.Inbox.Submit(e)
	if err != nil {
		d.m.logError("submit inbox/"+e.Name(), err)
		return inboxErrno(err)
	}
	if !fromFlush || !d.forget(e.Name()) {
		d.awaitKernelForget(e)
	}
	return 0
}

// forget tells the kernel to drop its entry for name and waits, briefly,
// until it has (notifyBriefly): safe in FLUSH, during which the kernel holds
// no lock that the notification needs (it takes the folder's lock, held
// during CREATE, MKDIR, UNLINK, LOOKUP).
func (d *InboxDir) forget(name string) bool {
	return notifyBriefly(func() { d.NotifyEntry(name) })
}
