package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// WorkItemDir is workitems/<id>/: the metadata files, summary, metadata.json,
// plugins, tags/, files/, relations/, outputs/ and ctl of one work item, and
// when it has an asset collection, assets: a symlink to the collection's
// folder (entity_paths.go).
type WorkItemDir struct {
	gofs.Inode
	fixedEntries
	m  *Mount
	id string
}

var _ = (gofs.NodeGetattrer)((*WorkItemDir)(nil))
var _ = (gofs.NodeLookuper)((*WorkItemDir)(nil))
var _ = (gofs.NodeReaddirer)((*WorkItemDir)(nil))
var _ = (gofs.NodeGetxattrer)((*WorkItemDir)(nil))
var _ = (gofs.NodeListxattrer)((*WorkItemDir)(nil))
var _ = (gofs.NodeRemovexattrer)((*WorkItemDir)(nil))
var _ = (gofs.NodeCreater)((*WorkItemDir)(nil))
var _ = (gofs.NodeMkdirer)((*WorkItemDir)(nil))
var _ = (gofs.NodeUnlinker)((*WorkItemDir)(nil))
var _ = (gofs.NodeSymlinker)((*WorkItemDir)(nil))

// workItemChild is one entry of a work item folder: its name and mode,
// whether the item has it (nil: always), and how to make its node.
type workItemChild struct {
	name string
	mode uint32
	has  func(wi *client.WorkItem) bool
	make func(d *WorkItemDir, wi *client.WorkItem) gofs.InodeEmbedder
}

// workItemChildren lists a work item folder's entries in listing order.
var workItemChildren = func() []workItemChild {
	var cs []workItemChild
	for _, f := range workItemFields {
		mode := uint32(modeFile)
		if f.update != nil {
			mode = modeWritableFile
		}
		cs = append(cs, workItemChild{f.name, mode, nil, func(d *WorkItemDir, _ *client.WorkItem) gofs.InodeEmbedder {
			return d.fieldFile(f)
		}})
	}
	always := func(name string, mode uint32, make func(d *WorkItemDir) gofs.InodeEmbedder) workItemChild {
		return workItemChild{name, mode, nil, func(d *WorkItemDir, _ *client.WorkItem) gofs.InodeEmbedder { return make(d) }}
	}
	return append(cs,
		always("summary", modeFile, (*WorkItemDir).summaryFile),
		always("metadata.json", modeFile, (*WorkItemDir).metadataJSONFile),
		always("plugins", modeFile, (*WorkItemDir).pluginsFile),
		always("ctl", modeWritableFile, func(d *WorkItemDir) gofs.InodeEmbedder { return newCtlFile(d.m, d.id) }),
		always("tags", modeWritableDir, func(d *WorkItemDir) gofs.InodeEmbedder {
			return newTagsDir(d.m, client.KindWorkItem, d.id)
		}),
		always("files", modeDir, func(d *WorkItemDir) gofs.InodeEmbedder { return newFilesDir(d.m, d.id) }),
		always("relations", modeDir, func(d *WorkItemDir) gofs.InodeEmbedder {
			return newRelationsDir(d.m, client.KindWorkItem, d.id, workItemPath(d.id))
		}),
		always("outputs", modeDir, func(d *WorkItemDir) gofs.InodeEmbedder {
			return newOutputsDir(d.m, client.KindWorkItem, d.id)
		}),
		workItemChild{"assets", modeSymlink,
			func(wi *client.WorkItem) bool { return canonicalOrEmpty(wi.AssetCollectionID) != "" },
			func(d *WorkItemDir, wi *client.WorkItem) gofs.InodeEmbedder {
				ac := canonicalOrEmpty(wi.AssetCollectionID)
				return newEntityLink(d.m, rootLink(2, entityPath(client.KindAssetCollection, ac, "")...))
			}},
	)
}()

// newWorkItemDir makes the node of one work item's folder.
func newWorkItemDir(m *Mount, id string) *WorkItemDir {
	return &WorkItemDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, id: id}
}

// workItem returns the item's basic properties within --timeout.
func (d *WorkItemDir) workItem(ctx context.Context) (*client.WorkItem, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	return d.m.cat.WorkItem(ctx, d.id)
}

// Getattr reports a folder whose mtime is the item's last_modified.
func (d *WorkItemDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	wi, err := d.workItem(ctx)
	if err != nil {
		d.m.logError("stat work item", err, "id", d.id)
		return toErrno(err)
	}
	d.m.fillAttr(&out.Attr, modeDir, 0, wi.LastModified.Time)
	out.SetTimeout(d.m.kernelTTL(wi.State.Final()))
	return 0
}

// Lookup finds one of the fixed entries.
func (d *WorkItemDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	for _, c := range workItemChildren {
		if c.name != name {
			continue
		}
		wi, err := d.workItem(ctx)
		if err != nil {
			d.m.logError("lookup", err, "id", d.id, "name", name)
			return nil, toErrno(err)
		}
		if c.has != nil && !c.has(wi) {
			return nil, syscall.ENOENT
		}
		// What can be written is never final: its attributes are
		// kept no longer than --attr-ttl.
		final := wi.State.Final() && c.mode&0o200 == 0
		return newChild(ctx, d.EmbeddedInode(), c.make(d, wi), c.mode, inoOf("workitem", d.id, name), out,
			d.m.kernelTTL(final))
	}
	return nil, syscall.ENOENT
}

// Readdir lists the entries the work item has.
func (d *WorkItemDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	wi, err := d.workItem(ctx)
	if err != nil {
		d.m.logError("list", err, "id", d.id)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(workItemChildren))
	for _, c := range workItemChildren {
		if c.has == nil || c.has(wi) {
			entries = append(entries, fuse.DirEntry{Name: c.name, Mode: c.mode, Ino: inoOf("workitem", d.id, c.name)})
		}
	}
	return gofs.NewListDirStream(entries), 0
}

// Getxattr answers user.comps.id and user.comps.type.
func (d *WorkItemDir) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	return getXattr(entityXattrs(string(client.KindWorkItem), d.id), attr, dest)
}

// Listxattr lists the folder's extended attributes.
func (d *WorkItemDir) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	return listXattr(entityXattrs(string(client.KindWorkItem), d.id), dest)
}

// Removexattr is refused for user.comps.id and user.comps.type (EACCES),
// ENODATA for any other name.
func (d *WorkItemDir) Removexattr(ctx context.Context, attr string) syscall.Errno {
	return d.m.removeXattr(entityXattrs(string(client.KindWorkItem), d.id), attr)
}

// fieldFile is the file of one metadata field; name and description are
// written through it (docs/writing.md).
func (d *WorkItemDir) fieldFile(f field) gofs.InodeEmbedder {
	render := func(ctx context.Context) (text, error) {
		wi, err := d.m.cat.WorkItem(ctx, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: fileLine(f.value(wi)), mtime: wi.LastModified.Time, final: wi.State.Final() && f.update == nil}, nil
	}
	return newFieldFile(d.m, inoOf("workitem", d.id, f.name), f.name, render, f.update, func(ctx context.Context, u client.WorkItemUpdate) error {
		return d.m.cat.UpdateWorkItem(ctx, d.id, u)
	})
}

// summaryFile is the human summary; its ages change, so it is never cached.
func (d *WorkItemDir) summaryFile() gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		wi, err := d.m.cat.WorkItem(ctx, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: renderSummary(wi, d.m.cfg.Now()), mtime: wi.LastModified.Time, volatile: true}, nil
	})
}

// metadataJSONFile is metadata.json, from the item with its children.
func (d *WorkItemDir) metadataJSONFile() gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		wi, err := d.m.cat.WorkItemDetail(ctx, d.id)
		if err != nil {
			return text{}, err
		}
		b, err := renderMetadataJSON(wi)
		return text{data: b, mtime: wi.LastModified.Time}, err
	})
}

// pluginsFile is the plugins file.
func (d *WorkItemDir) pluginsFile() gofs.InodeEmbedder {
	return newTextFile(d.m, func(ctx context.Context) (text, error) {
		wi, err := d.m.cat.WorkItemDetail(ctx, d.id)
		if err != nil {
			return text{}, err
		}
		return text{data: renderPlugins(wi), mtime: wi.LastModified.Time, final: wi.State.Final()}, nil
	})
}
