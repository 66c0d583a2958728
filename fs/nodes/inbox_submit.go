package nodes

import (
	"context"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/fs/inbox"
)

// SubmitFile is inbox/NAME/.submit: an empty file whose touch (a change of
// its times, or any write) submits the folder and waits for the work item
// and all its files to be on the server.
type SubmitFile struct {
	gofs.Inode
	nodeDefaults // refuses setxattr
	m            *Mount
	dir          *InboxDir
	e            *inbox.Entry
}

// submitFile makes the node of the folder entry's .submit.
func (d *InboxFolder) submitFile() *SubmitFile {
	return &SubmitFile{nodeDefaults: nodeDefaults{d.m}, m: d.m, dir: d.dir, e: d.e}
}

var _ = (gofs.NodeGetattrer)((*SubmitFile)(nil))
var _ = (gofs.NodeOpener)((*SubmitFile)(nil))
var _ = (gofs.NodeSetattrer)((*SubmitFile)(nil))

// Getattr reports an empty writable file.
func (s *SubmitFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	s.m.fillAttr(&out.Attr, modeWritableFile, 0, s.e.Manifest().Updated)
	out.SetTimeout(inboxTTL)
	return 0
}

// Open gives a handle whose writes submit at close.
func (s *SubmitFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) != 0 && s.m.cfg.ReadOnly {
		return nil, 0, syscall.EROFS
	}
	return &submitHandle{node: s}, fuse.FOPEN_DIRECT_IO, 0
}

// Setattr (touch) submits.
func (s *SubmitFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if s.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	if errno := s.dir.submit(ctx, s.e, false); errno != 0 {
		return errno
	}
	return setattrReply(ctx, s, fh, out)
}

// submitHandle is an open .submit: reads are empty, writes are taken and
// dropped, and a written handle submits at close.
type submitHandle struct {
	node *SubmitFile // nil for the handle of a .submit created (already submitted)

	mu      sync.Mutex
	written bool
}

var _ = (gofs.FileReader)((*submitHandle)(nil))
var _ = (gofs.FileWriter)((*submitHandle)(nil))
var _ = (gofs.FileFlusher)((*submitHandle)(nil))

// Read reads nothing: .submit is empty.
func (h *submitHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return fuse.ReadResultData(nil), 0
}

// Write accepts and drops the bytes.
func (h *submitHandle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	h.mu.Lock()
	h.written = true
	h.mu.Unlock()
	return uint32(len(data)), 0
}

// Flush submits after a write (echo > .submit); otherwise it is a no-op.
// Never ENOSYS.
func (h *submitHandle) Flush(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.written || h.node == nil {
		return 0
	}
	h.written = false
	return h.node.dir.submit(ctx, h.node.e, true)
}
