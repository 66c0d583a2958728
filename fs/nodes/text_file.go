package nodes

import (
	"context"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// text is a rendered small file: its bytes, its mtime, and how it may be
// cached. final content never changes (kernel keeps the pages); volatile
// content changes even when nothing on the server does (ages in summary).
type text struct {
	data     []byte
	mtime    time.Time
	final    bool
	volatile bool
}

// TextFile is a small read-only file rendered from metadata: the metadata
// files, summary, metadata.json, plugins. Its size is exact at every stat;
// an open file reads the snapshot taken at open. WritableFile and CtlFile
// build on it for the files that can be written.
type TextFile struct {
	gofs.Inode
	nodeDefaults // refuses chmod, chown, utimes, truncate and setxattr
	m            *Mount
	render       func(ctx context.Context) (text, error)
	// lookupIno is the inode number a lookup gave it, for the answer's
	// attributes (before go-fuse puts it in the tree).
	lookupIno uint64
}

var _ = (gofs.NodeGetattrer)((*TextFile)(nil))
var _ = (gofs.NodeOpener)((*TextFile)(nil))
var _ = (gofs.NodeReader)((*TextFile)(nil))
var _ = (gofs.NodeSetattrer)((*TextFile)(nil))

// newTextFile makes a text file node with a render function.
func newTextFile(m *Mount, render func(ctx context.Context) (text, error)) *TextFile {
	return &TextFile{nodeDefaults: nodeDefaults{m}, m: m, render: render}
}

// lookedUpAs tells the node its inode number before it is in the tree.
func (f *TextFile) lookedUpAs(ino uint64) { f.lookupIno = ino }

// kernelIno is the node's inode number, 0 when not known.
func (f *TextFile) kernelIno() uint64 {
	if ino := f.StableAttr().Ino; ino != 0 {
		return ino
	}
	return f.lookupIno
}

// toldKernel records the size the kernel is told for t with timeout ttl
// (kernel_sizes.go): content that can change is remembered until ttl is
// over; final content drops what was remembered. Volatile content is
// always read directly.
func (f *TextFile) toldKernel(t text, ttl time.Duration) {
	ino := f.kernelIno()
	switch {
	case ino == 0 || t.volatile:
	case t.final:
		f.m.kernelSizes.forget(ino)
	default:
		now := f.m.cfg.Now()
		f.m.kernelSizes.told(ino, int64(len(t.data)), now, now.Add(ttl))
	}
}

// textHandle is an open text file: the snapshot it reads.
type textHandle struct{ t text }

// Getattr reports the current content's size and time.
func (f *TextFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	return f.attr(ctx, fh, modeFile, out)
}

// attr fills out with mode and the size and time of the open file's
// snapshot, or of the content rendered now when fh is not a text handle.
func (f *TextFile) attr(ctx context.Context, fh gofs.FileHandle, mode uint32, out *fuse.AttrOut) syscall.Errno {
	var t text
	if h, ok := fh.(*textHandle); ok {
		t = h.t
	} else {
		ctx, cancel := f.m.callCtx(ctx)
		defer cancel()
		var err error
		if t, err = f.render(ctx); err != nil {
			f.m.logError("stat", err, "path", f.Path(nil))
			return toErrno(err)
		}
	}
	f.m.fillAttr(&out.Attr, mode, uint64(len(t.data)), t.mtime)
	ttl := f.m.kernelTTL(t.final && !t.volatile)
	out.SetTimeout(ttl)
	f.toldKernel(t, ttl)
	return 0
}

// Open renders the content once for this open file. Final content lets the
// kernel keep its pages; content that can change is read through the page
// cache afresh at each open (one read for cat, which stops at the size),
// and volatile content directly. The kernel reads no further than the size
// it holds, so when that may differ from the snapshot's (the item changed
// since the kernel was told) it is made to ask again first; should that
// fail, the file is read directly.
func (f *TextFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) != 0 {
		return nil, 0, f.m.refuseWrite()
	}
	ctx, cancel := f.m.callCtx(ctx)
	defer cancel()
	t, err := f.render(ctx)
	if err != nil {
		f.m.logError("open", err, "path", f.Path(nil))
		return nil, 0, toErrno(err)
	}
	h := &textHandle{t}
	if t.volatile {
		return h, fuse.FOPEN_DIRECT_IO | readOnlyOpen, 0
	}
	ino := f.kernelIno()
	held, known := f.m.kernelSizes.holds(ino, f.m.cfg.Now())
	// known: the kernel was told a size while the content could change,
	// and may hold it still. Final content told so is new: the pages kept
	// of what it was before go (no keep-cache for this open), and so does
	// the size if it is another. Other content: only a size known to be
	// the snapshot's is sure to be what the kernel holds.
	size := int64(len(t.data))
	if (known && held != size) || (!known && !t.final) {
		if errno := f.NotifyContent(-1, 0); errno != 0 {
			return h, fuse.FOPEN_DIRECT_IO | readOnlyOpen, 0
		}
		f.m.kernelSizes.forget(ino)
	}
	if t.final && !known {
		return h, fuse.FOPEN_KEEP_CACHE | readOnlyOpen, 0
	}
	return h, readOnlyOpen, 0 // the kernel drops the pages it kept
}

// Read serves the snapshot taken at open.
func (f *TextFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h, ok := fh.(*textHandle)
	if !ok {
		return nil, syscall.EBADF
	}
	if off >= int64(len(h.t.data)) || off < 0 {
		return fuse.ReadResultData(nil), 0
	}
	end := min(off+int64(len(dest)), int64(len(h.t.data)))
	return fuse.ReadResultData(h.t.data[off:end]), 0
}

// readOnlyOpen is in the answer to every open of a file for reading only:
// such a file has nothing to save at close, so the kernel sends no FLUSH
// (FOPEN_NOFLUSH), one request fewer per file for `cat */state`.
const readOnlyOpen = fuse.FOPEN_NOFLUSH

// refuseWrite is the errno for a write to something read-only: EROFS on a
// --read-only mount, EACCES otherwise (docs/writing.md).
func (m *Mount) refuseWrite() syscall.Errno {
	if m.cfg.ReadOnly {
		return syscall.EROFS
	}
	return syscall.EACCES
}

// writableMode is the mode of something written through the mount: mode
// itself (0644, 0755), or without its write bits on a --read-only mount,
// where nothing is writable (docs/tree.md).
func (m *Mount) writableMode(mode uint32) uint32 {
	if m.cfg.ReadOnly {
		return mode &^ 0o222
	}
	return mode
}
