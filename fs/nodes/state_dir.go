package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// StateDir is by-state/<State>/: a symlink <id> → ../../workitems/<id> for
// each work item in that state (the user's, or everyone's with
// --all-owners), sorted by id. Listing it is one paged query, which also
// fills every listed item's metadata.
type StateDir struct {
	gofs.Inode
	fixedEntries
	m     *Mount
	state client.WorkItemState
}

var _ = (gofs.NodeGetattrer)((*StateDir)(nil))
var _ = (gofs.NodeLookuper)((*StateDir)(nil))
var _ = (gofs.NodeReaddirer)((*StateDir)(nil))

// stateDepth is how deep a state folder is below the root (by-state/<State>/).
const stateDepth = 2

// links lists the folder's symlinks within --timeout.
func (d *StateDir) links(ctx context.Context) ([]linkEntry, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	ids, err := d.m.cat.ListByState(ctx, d.state)
	if err != nil {
		return nil, err
	}
	rel := make([]client.RelatedEntity, 0, len(ids))
	for _, id := range ids {
		rel = append(rel, client.RelatedEntity{ObjectType: client.KindWorkItem, ID: id})
	}
	return d.m.linkEntries(stateDepth, rel, "by-state/"+string(d.state)), nil
}

// ino is the inode number of the link to work item id.
func (d *StateDir) ino(id string) uint64 { return inoOf("bystate", string(d.state), id) }

// Getattr reports a read-only folder.
func (d *StateDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds the link to a work item that is in this state. It asks the
// item itself (answered from the cache a listing filled), so a lookup costs
// no scan of the listing and sees the freshest state known.
func (d *StateDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	target, ok := entityLinkTarget(stateDepth, client.KindWorkItem, name)
	if !ok {
		return nil, syscall.ENOENT
	}
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	wi, err := d.m.cat.WorkItem(ctx, name)
	if err != nil {
		d.m.logError("lookup by state", err, "state", d.state, "name", name)
		return nil, toErrno(err)
	}
	if wi.State != d.state {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), newEntityLink(d.m, target), modeSymlink, d.ino(name), out,
		d.m.kernelTTL(false))
}

// Readdir lists the links, sorted by id.
func (d *StateDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	links, err := d.links(ctx)
	if err != nil {
		d.m.logError("list by state", err, "state", d.state)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(links))
	for _, l := range links {
		entries = append(entries, fuse.DirEntry{Name: l.id, Mode: syscall.S_IFLNK, Ino: d.ino(l.id)})
	}
	return gofs.NewListDirStream(entries), 0
}
