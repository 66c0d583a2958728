package nodes

import (
	"context"
	"slices"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// LinksDir is a folder of symlinks <id> → the canonical folder of each
// entity of a listing, sorted by id: by-state/<State>/ and
// query/<criteria>/ (work items), suites/<id>/experiments/ (a suite's
// experiments), experiments/<id>/by-state/<State>/ (an experiment's
// simulations in a state). Listing it is one paged query, which also fills
// every listed entity's metadata.
type LinksDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
	// path is the folder's path from the root: for logs, and the depth
	// its links climb.
	path string
	// list lists the ids; has says whether id belongs (without a listing
	// when it can); target is where the link to id points from the root.
	list   func(ctx context.Context) ([]string, error)
	has    func(ctx context.Context, id string) (bool, error)
	target func(id string) []string
}

var _ = (gofs.NodeGetattrer)((*LinksDir)(nil))
var _ = (gofs.NodeLookuper)((*LinksDir)(nil))
var _ = (gofs.NodeReaddirer)((*LinksDir)(nil))

// newStateDir is by-state/<State>/: the user's work items in that state (or
// everyone's with --all-owners). A lookup asks the item itself (answered
// from the cache a listing filled), so it costs no scan of the listing and
// sees the freshest state known.
func newStateDir(m *Mount, state client.WorkItemState) *LinksDir {
	return &LinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: "by-state/" + string(state), target: workItemPath,
		list: func(ctx context.Context) ([]string, error) { return m.cat.ListByState(ctx, state) },
		has: func(ctx context.Context, id string) (bool, error) {
			wi, err := m.cat.WorkItem(ctx, id)
			return err == nil && wi.State == state, err
		}}
}

// newQueryResultDir is query/<criteria>/.
func newQueryResultDir(m *Mount, cr catalog.Criteria) *LinksDir {
	return newListedLinksDir(m, "query/"+cr.Text, workItemPath,
		func(ctx context.Context) ([]string, error) { return m.cat.ListQuery(ctx, cr) })
}

// newListedLinksDir is a LinksDir at path whose members are what list
// lists (a query's answer), linked to target(id).
func newListedLinksDir(m *Mount, path string, target func(id string) []string,
	list func(ctx context.Context) ([]string, error)) *LinksDir {
	d := &LinksDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: path, target: target, list: list}
	d.has = func(ctx context.Context, id string) (bool, error) {
		ids, err := d.list(ctx)
		return slices.Contains(ids, id), err
	}
	return d
}

// workItemPath is the folder of work item id, from the root.
func workItemPath(id string) []string { return entityPath(client.KindWorkItem, id, "") }

// depth is how many folders below the root the links are.
func (d *LinksDir) depth() int { return strings.Count(d.path, "/") + 1 }

// ids lists the folder's ids, sorted and each once, within --timeout.
func (d *LinksDir) ids(ctx context.Context) ([]string, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	ids, err := d.list(ctx)
	if err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// ino is the inode number of the link to id.
func (d *LinksDir) ino(id string) uint64 { return inoOf("links", d.path, id) }

// Getattr reports a read-only folder.
func (d *LinksDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds the link to an entity of the listing.
func (d *LinksDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if !isCanonicalID(name) {
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
	link := newEntityLink(d.m, rootLink(d.depth(), d.target(name)...))
	return newChild(ctx, d.EmbeddedInode(), link, modeSymlink, d.ino(name), out, d.m.kernelTTL(false))
}

// Readdir lists the links, sorted by id.
func (d *LinksDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	ids, err := d.ids(ctx)
	if err != nil {
		d.m.logError("list", err, "in", d.path)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, fuse.DirEntry{Name: id, Mode: syscall.S_IFLNK, Ino: d.ino(id)})
	}
	return gofs.NewListDirStream(entries), 0
}
