package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// EntityDir is <kind>s/<id>/ for a suite, experiment, simulation or asset
// collection: one-value metadata files (entityFields), metadata.json, tags/,
// relations/ and, for simulations, outputs/.
type EntityDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind
	id   string
}

var _ = (gofs.NodeGetattrer)((*EntityDir)(nil))
var _ = (gofs.NodeLookuper)((*EntityDir)(nil))
var _ = (gofs.NodeReaddirer)((*EntityDir)(nil))
var _ = (gofs.NodeGetxattrer)((*EntityDir)(nil))
var _ = (gofs.NodeListxattrer)((*EntityDir)(nil))
var _ = (gofs.NodeRemovexattrer)((*EntityDir)(nil))

// entityChild is one entry of an entity folder and how to make its node.
type entityChild struct {
	name string
	mode uint32
	make func(d *EntityDir) gofs.InodeEmbedder
}

// entityChildren lists a kind's folder entries in listing order.
func entityChildren(kind client.Kind) []entityChild {
	var cs []entityChild
	for _, f := range entityFields[kind] {
		cs = append(cs, entityChild{f.name, modeFile, func(d *EntityDir) gofs.InodeEmbedder { return d.fieldFile(f) }})
	}
	cs = append(cs,
		entityChild{"metadata.json", modeFile, (*EntityDir).metadataJSONFile},
		entityChild{"tags", modeWritableDir, func(d *EntityDir) gofs.InodeEmbedder { return newTagsDir(d.m, d.kind, d.id) }},
		entityChild{"relations", modeDir, func(d *EntityDir) gofs.InodeEmbedder {
			return newRelationsDir(d.m, d.kind, d.id)
		}},
	)
	if kind == client.KindSimulation {
		cs = append(cs, entityChild{"outputs", modeDir, func(d *EntityDir) gofs.InodeEmbedder {
			return newOutputsDir(d.m, client.KindSimulation, d.id, "")
		}})
	}
	return cs
}

// newEntityDir makes the folder node of entity id of kind.
func newEntityDir(m *Mount, kind client.Kind, id string) *EntityDir {
	return &EntityDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: kind, id: id}
}

// entity returns the entity within --timeout.
func (d *EntityDir) entity(ctx context.Context) (*catalog.Entity, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	return d.m.cat.Entity(ctx, d.kind, d.id)
}

// Getattr reports a folder whose mtime is the entity's last_modified.
func (d *EntityDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	e, err := d.entity(ctx)
	if err != nil {
		d.m.logError("stat entity", err, "kind", d.kind, "id", d.id)
		return toErrno(err)
	}
	d.m.fillAttr(&out.Attr, modeDir, 0, e.Mtime())
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds one of the fixed entries.
func (d *EntityDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	for _, c := range entityChildren(d.kind) {
		if c.name != name {
			continue
		}
		if _, err := d.entity(ctx); err != nil {
			d.m.logError("lookup", err, "kind", d.kind, "id", d.id, "name", name)
			return nil, toErrno(err)
		}
		return newChild(ctx, d.EmbeddedInode(), c.make(d), c.mode, inoOf("entity", string(d.kind), d.id, name), out,
			d.m.kernelTTL(false))
	}
	return nil, syscall.ENOENT
}

// Readdir lists the fixed entries.
func (d *EntityDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	cs := entityChildren(d.kind)
	entries := make([]fuse.DirEntry, 0, len(cs))
	for _, c := range cs {
		entries = append(entries, fuse.DirEntry{Name: c.name, Mode: c.mode, Ino: inoOf("entity", string(d.kind), d.id, c.name)})
	}
	return gofs.NewListDirStream(entries), 0
}

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

// fieldFile is the text file of one metadata field.
func (d *EntityDir) fieldFile(f entityField) gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		e, err := d.m.cat.Entity(ctx, d.kind, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: fileLine(f.value(e)), mtime: e.Mtime()}, nil
	})
}

// metadataJSONFile is metadata.json.
func (d *EntityDir) metadataJSONFile() gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		e, err := d.m.cat.Entity(ctx, d.kind, d.id)
		if err != nil {
			return text{}, err
		}
		b, err := renderEntityJSON(e)
		return text{data: b, mtime: e.Mtime()}, err
	})
}
