// Naming of relations/ (for the README):
//
// A work item's relations/ shows the relations going out of it, one folder
// per RelationType: depends_on/ (DependsOn) and created/ (Created). Each
// entry <id> is a symlink to the related entity's folder in this mount
// (../../../../workitems/<id>, experiments/<id>, simulations/<id>,
// suites/<id> or assetcollections/<id>; a simulation's link leads on to
// its canonical folder under experiments/).
//
// Every entity, work items included, shows the same relations from the
// other end: the work items pointing at it, in depended_on_by/ (work items
// that depend on it) and created_by/ (work items that created it), each
// entry a symlink to ../../../../workitems/<id>.

package nodes

import (
	"context"
	"slices"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// RelationsDir is the relations/ folder of a work item or another entity:
// one folder per relation type and direction (see the top of this file).
type RelationsDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind
	id   string
	// path is the entity folder's place, as names from the root.
	path []string
}

var _ = (gofs.NodeGetattrer)((*RelationsDir)(nil))
var _ = (gofs.NodeLookuper)((*RelationsDir)(nil))
var _ = (gofs.NodeReaddirer)((*RelationsDir)(nil))
var _ = (gofs.NodeCreater)((*RelationsDir)(nil))
var _ = (gofs.NodeMkdirer)((*RelationsDir)(nil))
var _ = (gofs.NodeSymlinker)((*RelationsDir)(nil))
var _ = (gofs.NodeUnlinker)((*RelationsDir)(nil))

// relationFolder is one folder of relations/: its name, the relation type
// it shows and its direction.
type relationFolder struct {
	name    string
	relType client.RelationType
	// reverse: the work items pointing at this entity (Parents), rather
	// than the entities this work item points at (Related).
	reverse bool
}

// relationFolders lists the folders of a kind's relations/, sorted by name:
// every entity shows the work items pointing at it; a work item also shows
// the entities it points at.
func relationFolders(kind client.Kind) []relationFolder {
	if kind == client.KindWorkItem {
		return []relationFolder{
			{"created", client.RelationCreated, false},
			{"created_by", client.RelationCreated, true},
			{"depended_on_by", client.RelationDependsOn, true},
			{"depends_on", client.RelationDependsOn, false},
		}
	}
	return []relationFolder{
		{"created_by", client.RelationCreated, true},
		{"depended_on_by", client.RelationDependsOn, true},
	}
}

// newRelationsDir makes the relations/ folder of entity id of kind, whose
// folder is at path.
func newRelationsDir(m *Mount, kind client.Kind, id string, path []string) gofs.InodeEmbedder {
	return &RelationsDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: kind, id: id, path: path}
}

// Getattr reports a read-only folder: relation types are fixed.
func (d *RelationsDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(true))
	return 0
}

// Lookup finds one relation folder.
func (d *RelationsDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	for _, f := range relationFolders(d.kind) {
		if f.name == name {
			node := &RelationTypeDir{fixedEntries: fixedEntries{nodeDefaults{d.m}}, m: d.m, kind: d.kind, id: d.id, folder: f,
				path: append(slices.Clone(d.path), "relations", f.name)}
			return newChild(ctx, d.EmbeddedInode(), node, node.mode(), inoOf("relations", string(d.kind), d.id, name),
				out, d.m.kernelTTL(true))
		}
	}
	return nil, syscall.ENOENT
}

// Readdir lists the relation folders.
func (d *RelationsDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	var entries []fuse.DirEntry
	for _, f := range relationFolders(d.kind) {
		entries = append(entries, fuse.DirEntry{Name: f.name, Mode: syscall.S_IFDIR,
			Ino: inoOf("relations", string(d.kind), d.id, f.name)})
	}
	return gofs.NewListDirStream(entries), 0
}
