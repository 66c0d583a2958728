package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// WorkItemsDir is workitems/: listing it is one paged query whose results
// answer every later stat and metadata read; any existing id can be looked
// up in it, listed or not.
type WorkItemsDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
}

var _ = (gofs.NodeLookuper)((*WorkItemsDir)(nil))
var _ = (gofs.NodeReaddirer)((*WorkItemsDir)(nil))
var _ = (gofs.NodeGetattrer)((*WorkItemsDir)(nil))

// Getattr reports a read-only folder.
func (d *WorkItemsDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	return 0
}

// Lookup finds a work item by its canonical lowercase id; any other name,
// or an id the server does not know, is ENOENT.
func (d *WorkItemsDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	return lookupWorkItem(ctx, d.m, d.EmbeddedInode(), name, out)
}

// lookupWorkItem makes the folder node of the work item named by id.
func lookupWorkItem(ctx context.Context, m *Mount, parent *gofs.Inode, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if !isCanonicalID(name) {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, parent, newWorkItemDir(m, name), modeDir, inoOf("workitem", name), out, 0)
}

// Readdir lists the work items (the user's, or everyone's with --all-owners).
func (d *WorkItemsDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	ids, err := d.m.cat.ListWorkItems(ctx)
	if err != nil {
		d.m.logError("list workitems/", err)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, fuse.DirEntry{Name: id, Mode: modeDir, Ino: inoOf("workitem", id)})
	}
	return gofs.NewListDirStream(entries), 0
}
