package nodes

import (
	"context"
	"slices"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// WorkItemLinksDir is a folder of symlinks <id> → ../../workitems/<id>, one
// per work item of a listing, sorted by id: by-state/<State>/ (the work
// items in that state) and query/<criteria>/ (those matching a query).
// Listing it is one paged query, which also fills every listed item's
// metadata; the user's work items only, or everyone's with --all-owners.
type WorkItemLinksDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
	// path is the folder's path from the root, for logs.
	path string
	// list lists the ids; has says whether id belongs (without a listing
	// when it can).
	list func(ctx context.Context) ([]string, error)
	has  func(ctx context.Context, id string) (bool, error)
}

var _ = (gofs.NodeGetattrer)((*WorkItemLinksDir)(nil))
var _ = (gofs.NodeLookuper)((*WorkItemLinksDir)(nil))
var _ = (gofs.NodeReaddirer)((*WorkItemLinksDir)(nil))

// linksDepth is how deep such a folder is below the root
// (by-state/<State>/, query/<criteria>/).
const linksDepth = 2

// newStateDir is by-state/<State>/. A lookup asks the item itself
// (answered from the cache a listing filled), so it costs no scan of the
// listing and sees the freshest state known.
func newStateDir(m *Mount, state client.WorkItemState) *WorkItemLinksDir {
	return &WorkItemLinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: "by-state/" + string(state),
		list: func(ctx context.Context) ([]string, error) { return m.cat.ListByState(ctx, state) },
		has: func(ctx context.Context, id string) (bool, error) {
			wi, err := m.cat.WorkItem(ctx, id)
			return err == nil && wi.State == state, err
		}}
}

// newQueryResultDir is query/<criteria>/.
func newQueryResultDir(m *Mount, cr catalog.Criteria) *WorkItemLinksDir {
	d := &WorkItemLinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: "query/" + cr.Text,
		list: func(ctx context.Context) ([]string, error) { return m.cat.ListQuery(ctx, cr) }}
	d.has = func(ctx context.Context, id string) (bool, error) {
		ids, err := d.list(ctx)
		return slices.Contains(ids, id), err
	}
	return d
}

// links lists the folder's symlinks within --timeout.
func (d *WorkItemLinksDir) links(ctx context.Context) ([]linkEntry, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	ids, err := d.list(ctx)
	if err != nil {
		return nil, err
	}
	rel := make([]client.RelatedEntity, 0, len(ids))
	for _, id := range ids {
		rel = append(rel, client.RelatedEntity{ObjectType: client.KindWorkItem, ID: id})
	}
	return d.m.linkEntries(linksDepth, rel, d.path), nil
}

// ino is the inode number of the link to work item id.
func (d *WorkItemLinksDir) ino(id string) uint64 { return inoOf("links", d.path, id) }

// Getattr reports a read-only folder.
func (d *WorkItemLinksDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds the link to a work item of the listing.
func (d *WorkItemLinksDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	target, ok := entityLinkTarget(linksDepth, client.KindWorkItem, name)
	if !ok {
		return nil, syscall.ENOENT
	}
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	in, err := d.has(ctx, name)
	if err != nil {
		d.m.logError("lookup", err, "in", d.path, "name", name)
		return nil, toErrno(err)
	}
	if !in {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), newEntityLink(d.m, target), modeSymlink, d.ino(name), out,
		d.m.kernelTTL(false))
}

// Readdir lists the links, sorted by id.
func (d *WorkItemLinksDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	links, err := d.links(ctx)
	if err != nil {
		d.m.logError("list", err, "in", d.path)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(links))
	for _, l := range links {
		entries = append(entries, fuse.DirEntry{Name: l.id, Mode: syscall.S_IFLNK, Ino: d.ino(l.id)})
	}
	return gofs.NewListDirStream(entries), 0
}
