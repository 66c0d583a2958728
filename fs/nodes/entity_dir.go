package nodes

import (
	"context"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// EntityDir is the canonical folder of a suite, experiment, simulation or
// asset collection (entity_paths.go): its metadata files, summary,
// metadata.json, tags/, relations/, and what its kind contains
// (entityChildren). Where it is matters: the links it holds go up to the
// root from there.
type EntityDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind
	id   string
	// path is the folder's place, as names from the root.
	path []string
}

var _ = (gofs.NodeGetattrer)((*EntityDir)(nil))
var _ = (gofs.NodeLookuper)((*EntityDir)(nil))
var _ = (gofs.NodeReaddirer)((*EntityDir)(nil))
var _ = (gofs.NodeGetxattrer)((*EntityDir)(nil))
var _ = (gofs.NodeListxattrer)((*EntityDir)(nil))
var _ = (gofs.NodeRemovexattrer)((*EntityDir)(nil))

// newEntityDir makes the folder node of entity id of kind at path.
func newEntityDir(m *Mount, kind client.Kind, id string, path []string) *EntityDir {
	return &EntityDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: kind, id: id, path: path}
}

// entity returns the entity's properties within --timeout.
func (d *EntityDir) entity(ctx context.Context) (*catalog.Entity, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	return d.m.cat.EntityProps(ctx, d.kind, d.id)
}

// where is the folder's path from the root, for logs and links.
func (d *EntityDir) where() string { return strings.Join(d.path, "/") }

// Getattr reports a folder whose mtime is the entity's last_modified.
func (d *EntityDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	e, err := d.entity(ctx)
	if err != nil {
		d.m.logError("stat entity", err, "path", d.where())
		return toErrno(err)
	}
	d.m.fillAttr(&out.Attr, modeDir, 0, e.Mtime())
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds one of the entries the entity has.
func (d *EntityDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	for _, c := range entityChildren(d.kind) {
		if c.name != name {
			continue
		}
		e, err := d.entity(ctx)
		if err != nil {
			d.m.logError("lookup", err, "path", d.where(), "name", name)
			return nil, toErrno(err)
		}
		if c.has != nil && !c.has(d, e) {
			return nil, syscall.ENOENT
		}
		// What can be written is never final: its attributes are kept
		// no longer than --attr-ttl.
		final := e.Final() && c.mode&0o200 == 0
		return newChild(ctx, d.EmbeddedInode(), c.make(d, e), c.mode, d.ino(name), out, d.m.kernelTTL(final))
	}
	return nil, syscall.ENOENT
}

// Readdir lists the entries the entity has.
func (d *EntityDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	e, err := d.entity(ctx)
	if err != nil {
		d.m.logError("list", err, "path", d.where())
		return nil, toErrno(err)
	}
	var entries []fuse.DirEntry
	for _, c := range entityChildren(d.kind) {
		if c.has == nil || c.has(d, e) {
			entries = append(entries, fuse.DirEntry{Name: c.name, Mode: c.mode, Ino: d.ino(c.name)})
		}
	}
	return gofs.NewListDirStream(entries), 0
}

// ino is the inode number of the entry name.
func (d *EntityDir) ino(name string) uint64 { return inoOf("entity", string(d.kind), d.id, name) }

// Getxattr answers user.comps.id and user.comps.type.
func (d *EntityDir) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	return getXattr(entityXattrs(string(d.kind), d.id), attr, dest)
}

// Listxattr lists the folder's extended attributes.
func (d *EntityDir) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	return listXattr(entityXattrs(string(d.kind), d.id), dest)
}

// Removexattr is refused for user.comps.id and user.comps.type (EACCES),
// ENODATA for any other name.
func (d *EntityDir) Removexattr(ctx context.Context, attr string) syscall.Errno {
	return d.m.removeXattr(entityXattrs(string(d.kind), d.id), attr)
}
