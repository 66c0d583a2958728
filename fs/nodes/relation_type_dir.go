package nodes

import (
	"context"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// RelationTypeDir is one folder of relations/ (depends_on/, created/,
// depended_on_by/, created_by/): a symlink <id> per related entity, sorted
// by id. A work item's folders are 0755: `ln -s TARGET <id>` there adds a
// relation to the entity whose folder TARGET names (relationTarget); the
// reverse folders are 0555. Removing a relation is not possible (EPERM).
type RelationTypeDir struct {
	gofs.Inode
	fixedEntries // refuses create, mkdir, mknod, link, rename, rmdir; the rest is below
	m            *Mount
	kind         client.Kind
	id           string
	folder       relationFolder
	// path is the folder's place, as names from the root
	// (<kind>s/<id>/relations/<type>, or deeper for a simulation of an
	// experiment): its links climb that many levels.
	path []string
}

var _ = (gofs.NodeGetattrer)((*RelationTypeDir)(nil))
var _ = (gofs.NodeLookuper)((*RelationTypeDir)(nil))
var _ = (gofs.NodeReaddirer)((*RelationTypeDir)(nil))
var _ = (gofs.NodeSymlinker)((*RelationTypeDir)(nil))
var _ = (gofs.NodeUnlinker)((*RelationTypeDir)(nil))

// mode is the folder's type and permissions.
func (d *RelationTypeDir) mode() uint32 {
	if d.folder.reverse {
		return modeDir
	}
	return d.m.writableMode(modeWritableDir)
}

// links lists the folder's symlinks within --timeout.
func (d *RelationTypeDir) links(ctx context.Context) ([]linkEntry, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	var rel []client.RelatedEntity
	var err error
	if d.folder.reverse {
		rel, err = d.m.cat.Parents(ctx, d.kind, d.id, d.folder.relType)
	} else {
		rel, err = d.m.cat.RelatedByType(ctx, d.id, d.folder.relType)
	}
	if err != nil {
		return nil, err
	}
	return d.m.linkEntries(len(d.path), rel, d.where()), nil
}

// where is the folder's path from the mount's root.
func (d *RelationTypeDir) where() string { return strings.Join(d.path, "/") }

// ino is the inode number of the link to id.
func (d *RelationTypeDir) ino(id string) uint64 {
	return inoOf("relation", string(d.kind), d.id, d.folder.name, id)
}

// Getattr reports the folder.
func (d *RelationTypeDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, d.mode(), 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds the link to one related entity by its id.
func (d *RelationTypeDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if !isCanonicalID(name) {
		return nil, syscall.ENOENT
	}
	links, err := d.links(ctx)
	if err != nil {
		d.m.logError("lookup relation", err, "kind", d.kind, "id", d.id, "folder", d.folder.name, "name", name)
		return nil, toErrno(err)
	}
	for _, l := range links {
		if l.id == name {
			return newChild(ctx, d.EmbeddedInode(), newEntityLink(d.m, l.target), modeSymlink, d.ino(name), out,
				d.m.kernelTTL(false))
		}
	}
	return nil, syscall.ENOENT
}

// Readdir lists the links, sorted by id.
func (d *RelationTypeDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	links, err := d.links(ctx)
	if err != nil {
		d.m.logError("list relations", err, "kind", d.kind, "id", d.id, "folder", d.folder.name)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(links))
	for _, l := range links {
		entries = append(entries, fuse.DirEntry{Name: l.id, Mode: syscall.S_IFLNK, Ino: d.ino(l.id)})
	}
	return gofs.NewListDirStream(entries), 0
}

// Symlink adds a relation from the work item to the entity whose folder
// target names; the link's name must be that entity's id (else EINVAL).
// The new link points where the listing will show it, relative to here.
func (d *RelationTypeDir) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if d.m.cfg.ReadOnly || d.folder.reverse {
		return nil, d.m.refuseWrite()
	}
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	kind, id, ok := relationTarget(d.m.mountPointPaths(), d.where(), target)
	if !ok || id != name {
		d.m.log.Info("ln -s: not an entity folder of this mount, or not named by its id", "in", d.where(),
			"name", name, "target", target)
		return nil, syscall.EINVAL
	}
	wctx, cancel := d.m.writeCtx(ctx)
	defer cancel()
	if err := d.m.cat.AddRelation(wctx, d.id, d.folder.relType, kind, id); err != nil {
		d.m.logError("add relation", err, "in", d.where(), "target", target)
		return nil, toErrno(err)
	}
	if rev := reverseFolder(kind, d.folder.relType); rev != "" {
		d.m.forgetEntry(d.id, append(d.m.knownEntityPath(kind, id), "relations", rev)...)
	}
	link, _ := entityLinkTarget(len(d.path), kind, id)
	d.m.fillAttr(&out.Attr, modeSymlink, uint64(len(link)), d.m.Started)
	out.Ino = d.ino(id)
	setEntryTTL(out, d.m.kernelTTL(false))
	return d.NewInode(ctx, newEntityLink(d.m, link), gofs.StableAttr{Mode: syscall.S_IFLNK, Ino: out.Ino}), 0
}

// Unlink is refused: COMPS has no way to remove a relation (docs/writing.md: EPERM;
// EROFS on a read-only mount).
func (d *RelationTypeDir) Unlink(ctx context.Context, name string) syscall.Errno {
	if d.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	return syscall.EPERM
}
