package nodes

import (
	"context"
	"slices"
	"strings"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// EntityKindDir is suites/, experiments/, simulations/ or
// assetcollections/: any existing id of that kind can be looked up in it.
// suites/ and experiments/ list the user's own (everyone's with
// --all-owners) with one paged query that fills their metadata, like
// workitems/. simulations/ and assetcollections/ are never listed from the
// server (an experiment's simulations can be millions): they list the
// entities this mount has looked up there and found, sorted by id, at most
// seenLimit. A simulation of an experiment is a symlink here to its
// canonical folder under experiments/ (entity_paths.go).
type EntityKindDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind
	// list lists the folder from the server; nil when it is not listed.
	list func(ctx context.Context) ([]string, error)

	mu   sync.Mutex
	seen map[string]fuse.DirEntry // looked-up ids and their entries
}

var _ = (gofs.NodeGetattrer)((*EntityKindDir)(nil))
var _ = (gofs.NodeLookuper)((*EntityKindDir)(nil))
var _ = (gofs.NodeReaddirer)((*EntityKindDir)(nil))

// seenLimit bounds how many looked-up ids a kind folder lists.
const seenLimit = 10_000

// newEntityKindDir makes the root folder of a kind's entities.
func newEntityKindDir(m *Mount, kind client.Kind) gofs.InodeEmbedder {
	d := &EntityKindDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: kind, seen: map[string]fuse.DirEntry{}}
	if kind == client.KindSuite || kind == client.KindExperiment {
		d.list = func(ctx context.Context) ([]string, error) { return m.cat.ListEntities(ctx, kind) }
	}
	return d
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
	var node gofs.InodeEmbedder = newEntityDir(d.m, d.kind, name, entityPath(d.kind, name, ""))
	mode, ino := uint32(modeDir), entityIno(d.kind, name)
	if d.kind == client.KindSimulation {
		cctx, cancel := d.m.callCtx(ctx)
		e, err := d.m.cat.EntityProps(cctx, d.kind, name)
		cancel()
		if err != nil {
			d.m.logError("lookup", err, "kind", d.kind, "id", name)
			if errno := toErrno(err); errno != syscall.ENOENT {
				return nil, errno
			}
			d.forget(name)
			return nil, syscall.ENOENT
		}
		if exp := canonicalOrEmpty(e.ExperimentID); exp != "" {
			node = newEntityLink(d.m, rootLink(1, entityPath(d.kind, name, exp)...))
			mode, ino = modeSymlink, inoOf("simulation link", name)
		}
	}
	in, errno := newChild(ctx, d.EmbeddedInode(), node, mode, ino, out, 0)
	switch {
	case errno == syscall.ENOENT:
		d.forget(name)
	case errno == 0:
		d.remember(fuse.DirEntry{Name: name, Mode: mode & syscall.S_IFMT, Ino: ino})
	}
	return in, errno
}

// remember adds a looked-up entry to the listing of an unlisted folder.
func (d *EntityKindDir) remember(e fuse.DirEntry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[e.Name]; ok || len(d.seen) < seenLimit {
		d.seen[e.Name] = e
	}
}

// forget drops an id that no longer exists from that listing.
func (d *EntityKindDir) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id)
}

// Readdir lists the folder: from the server for suites/ and experiments/,
// else the entities looked up so far, sorted by id.
func (d *EntityKindDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	if d.list != nil {
		ctx, cancel := d.m.callCtx(ctx)
		defer cancel()
		ids, err := d.list(ctx)
		if err != nil {
			d.m.logError("list", err, "in", entityDirName(d.kind))
			return nil, toErrno(err)
		}
		entries := make([]fuse.DirEntry, 0, len(ids))
		for _, id := range ids {
			entries = append(entries, fuse.DirEntry{Name: id, Mode: syscall.S_IFDIR, Ino: entityIno(d.kind, id)})
		}
		return gofs.NewListDirStream(entries), 0
	}
	d.mu.Lock()
	entries := make([]fuse.DirEntry, 0, len(d.seen))
	for _, e := range d.seen {
		entries = append(entries, e)
	}
	d.mu.Unlock()
	slices.SortFunc(entries, func(a, b fuse.DirEntry) int { return strings.Compare(a.Name, b.Name) })
	return gofs.NewListDirStream(entries), 0
}
