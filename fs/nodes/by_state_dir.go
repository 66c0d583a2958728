package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// ByStateDir is by-state/: one folder per WorkItemState name, in the order
// of the states' numbers, each listing the work items in that state. The
// set of folders never changes; their contents come from the server.
type ByStateDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
}

var _ = (gofs.NodeGetattrer)((*ByStateDir)(nil))
var _ = (gofs.NodeLookuper)((*ByStateDir)(nil))
var _ = (gofs.NodeReaddirer)((*ByStateDir)(nil))

// newByStateDir makes the by-state/ folder.
func newByStateDir(m *Mount) gofs.InodeEmbedder {
	return &ByStateDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}}
}

// Getattr reports a read-only folder.
func (d *ByStateDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(true))
	return 0
}

// Lookup finds the folder of one state by its exact (case-sensitive) name.
func (d *ByStateDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	state := client.WorkItemState(name)
	if !state.Valid() {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), newStateDir(d.m, state), modeDir, inoOf("bystate", name), out,
		d.m.kernelTTL(true))
}

// Readdir lists the state folders.
func (d *ByStateDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	entries := make([]fuse.DirEntry, 0, len(client.WorkItemStates))
	for _, s := range client.WorkItemStates {
		entries = append(entries, fuse.DirEntry{Name: string(s), Mode: syscall.S_IFDIR, Ino: inoOf("bystate", string(s))})
	}
	return gofs.NewListDirStream(entries), 0
}
