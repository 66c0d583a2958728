package nodes

import (
	"context"
	"slices"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// EntityKindDir is experiments/, simulations/, suites/ or assetcollections/:
// any existing id of that kind can be looked up in it. Listing it shows the
// entities this mount has looked up there and found (through relation links
// or by name), sorted by id: the server's full list can be millions of
// simulations, so it is never asked for. At most seenLimit ids are kept.
type EntityKindDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind

	mu   sync.Mutex
	seen map[string]bool
}

var _ = (gofs.NodeGetattrer)((*EntityKindDir)(nil))
var _ = (gofs.NodeLookuper)((*EntityKindDir)(nil))
var _ = (gofs.NodeReaddirer)((*EntityKindDir)(nil))

// seenLimit bounds how many looked-up ids a kind folder lists.
const seenLimit = 10_000

// newEntityKindDir makes the root folder of a kind's entities.
func newEntityKindDir(m *Mount, kind client.Kind) gofs.InodeEmbedder {
	return &EntityKindDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: kind, seen: map[string]bool{}}
}

// Getattr reports a read-only folder.
func (d *EntityKindDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds an entity by its canonical lowercase id; any other name, or
// an id the server does not know, is ENOENT.
func (d *EntityKindDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if !isCanonicalID(name) {
		return nil, syscall.ENOENT
	}
	in, errno := newChild(ctx, d.EmbeddedInode(), newEntityDir(d.m, d.kind, name), modeDir,
		inoOf("entity", string(d.kind), name), out, 0)
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case errno == syscall.ENOENT:
		delete(d.seen, name)
	case errno == 0 && len(d.seen) < seenLimit:
		d.seen[name] = true
	}
	return in, errno
}

// Readdir lists the entities looked up so far, sorted by id.
func (d *EntityKindDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	d.mu.Lock()
	ids := make([]string, 0, len(d.seen))
	for id := range d.seen {
		ids = append(ids, id)
	}
	d.mu.Unlock()
	slices.Sort(ids)
	entries := make([]fuse.DirEntry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, fuse.DirEntry{Name: id, Mode: syscall.S_IFDIR, Ino: inoOf("entity", string(d.kind), id)})
	}
	return gofs.NewListDirStream(entries), 0
}
