package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fixedEntries is embedded by every folder: each attempt to create, remove,
// link or rename an entry is refused with EACCES, or EROFS on a --read-only
// mount (docs/errors.md), instead of go-fuse's defaults (ENOTSUP, or a
// silent success for rmdir), and so is every change of the folder's own
// attributes (nodeDefaults). The folders where something can be created
// (tags/, inbox/, relations/<type>/) answer those calls themselves.
type fixedEntries struct{ nodeDefaults }

var _ = (gofs.NodeCreater)((*fixedEntries)(nil))
var _ = (gofs.NodeMkdirer)((*fixedEntries)(nil))
var _ = (gofs.NodeMknoder)((*fixedEntries)(nil))
var _ = (gofs.NodeUnlinker)((*fixedEntries)(nil))
var _ = (gofs.NodeRmdirer)((*fixedEntries)(nil))
var _ = (gofs.NodeSymlinker)((*fixedEntries)(nil))
var _ = (gofs.NodeLinker)((*fixedEntries)(nil))
var _ = (gofs.NodeRenamer)((*fixedEntries)(nil))

// Create is refused.
func (f *fixedEntries) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, f.m.refuseWrite()
}

// Mkdir is refused.
func (f *fixedEntries) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	return nil, f.m.refuseWrite()
}

// Mknod is refused.
func (f *fixedEntries) Mknod(ctx context.Context, name string, mode uint32, dev uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	return nil, f.m.refuseWrite()
}

// Unlink is refused.
func (f *fixedEntries) Unlink(ctx context.Context, name string) syscall.Errno {
	return f.m.refuseWrite()
}

// Rmdir is refused.
func (f *fixedEntries) Rmdir(ctx context.Context, name string) syscall.Errno {
	return f.m.refuseWrite()
}

// Symlink is refused.
func (f *fixedEntries) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	return nil, f.m.refuseWrite()
}

// Link is refused.
func (f *fixedEntries) Link(ctx context.Context, target gofs.InodeEmbedder, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	return nil, f.m.refuseWrite()
}

// Rename is refused.
func (f *fixedEntries) Rename(ctx context.Context, name string, newParent gofs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	return f.m.refuseWrite()
}
