package nodes

import (
	"context"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fillAttr sets what every node reports: type and permissions, size, times
// (all three set to mtime) and the mounting user as owner.
func (m *Mount) fillAttr(a *fuse.Attr, mode uint32, size uint64, mtime time.Time) {
	a.Mode = mode
	a.Size = size
	a.Blocks = (size + 511) / 512
	a.Blksize = 4096
	if mtime.IsZero() {
		mtime = m.Started
	}
	a.SetTimes(&mtime, &mtime, &mtime)
	a.Owner = fuse.Owner{Uid: m.cfg.UID, Gid: m.cfg.GID}
	if mode&syscall.S_IFDIR != 0 {
		a.Nlink = 2
	} else {
		a.Nlink = 1
	}
}

// Modes of docs/tree.md: files 0444 unless writable (0644), folders 0555 unless
// one can create in them (0755).
const (
	modeFile         = syscall.S_IFREG | 0o444
	modeWritableFile = syscall.S_IFREG | 0o644
	modeDir          = syscall.S_IFDIR | 0o555
	modeWritableDir  = syscall.S_IFDIR | 0o755
	modeSymlink      = syscall.S_IFLNK | 0o777
)

// setEntryTTL sets the kernel's entry and attribute timeouts of a lookup answer.
func setEntryTTL(out *fuse.EntryOut, ttl time.Duration) {
	out.SetEntryTimeout(ttl)
	out.SetAttrTimeout(ttl)
}

// attrNode is a node that reports its attributes.
type attrNode interface {
	gofs.NodeGetattrer
	EmbeddedInode() *gofs.Inode
}

// setattrReply fills the answer of a setattr the node took: its attributes
// now (through fh), and its inode number, which go-fuse fills in for
// getattr but not for setattr (the kernel would take 0).
func setattrReply(ctx context.Context, node attrNode, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	errno := node.Getattr(ctx, fh, out)
	out.Ino = node.EmbeddedInode().StableAttr().Ino
	return errno
}
