package nodes

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"slices"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// FilesDir is files/ of a work item or simulation: its own files
// (WorkOrder.json, config.json, inputs) from its Files child, each read
// lazily through the content cache like an output.
type FilesDir struct {
	gofs.Inode
	fixedEntries
	m    *Mount
	kind client.Kind
	id   string
	// list returns the entity's files.
	list  func(ctx context.Context) ([]client.WorkItemFile, error)
	files derived[client.WorkItemFile, []client.WorkItemFile]
}

var _ = (gofs.NodeGetattrer)((*FilesDir)(nil))
var _ = (gofs.NodeLookuper)((*FilesDir)(nil))
var _ = (gofs.NodeReaddirer)((*FilesDir)(nil))

// newFilesDir makes the node of a work item's files/ folder.
func newFilesDir(m *Mount, id string) gofs.InodeEmbedder {
	return &FilesDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: client.KindWorkItem, id: id,
		list: func(ctx context.Context) ([]client.WorkItemFile, error) {
			wi, err := m.cat.WorkItemDetail(ctx, id)
			if err != nil {
				return nil, err
			}
			return wi.Files, nil
		}}
}

// newSimulationFilesDir makes the node of a simulation's files/ folder.
func newSimulationFilesDir(m *Mount, id string) gofs.InodeEmbedder {
	return &FilesDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, kind: client.KindSimulation, id: id,
		list: func(ctx context.Context) ([]client.WorkItemFile, error) { return m.cat.SimulationFiles(ctx, id) }}
}

// usableFiles keeps the files that can be directory entries, sorted by name;
// of two files with one name the later one wins, as on the server.
func usableFiles(m *Mount, kind client.Kind, id string) func([]client.WorkItemFile) []client.WorkItemFile {
	return func(all []client.WorkItemFile) []client.WorkItemFile {
		byName := map[string]client.WorkItemFile{}
		for _, f := range all {
			if !safeName(f.FileName) || f.Length < 0 {
				m.log.Warn("files: skipping a file the server listed", "kind", kind, "id", id, "name", fmt.Sprintf("%q", f.FileName))
				continue
			}
			byName[f.FileName] = f
		}
		files := make([]client.WorkItemFile, 0, len(byName))
		for _, f := range byName {
			files = append(files, f)
		}
		slices.SortFunc(files, func(a, b client.WorkItemFile) int { return cmp.Compare(a.FileName, b.FileName) })
		return files
	}
}

// load returns the entity's finality and time and its usable files.
func (d *FilesDir) load(ctx context.Context) (catalog.OutputsOwner, []client.WorkItemFile, error) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	files, err := d.list(ctx) // first: a work item's details fill its properties
	if err != nil {
		return catalog.OutputsOwner{}, nil, err
	}
	owner, err := d.m.cat.OutputsOwner(ctx, d.kind, d.id)
	if err != nil {
		return owner, nil, err
	}
	return owner, d.files.get(files, usableFiles(d.m, d.kind, d.id)), nil
}

// Getattr reports a folder whose mtime is the entity's last_modified.
func (d *FilesDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	owner, err := d.m.cat.OutputsOwner(ctx, d.kind, d.id)
	if err != nil {
		d.m.logError("stat files", err, "kind", d.kind, "id", d.id)
		return toErrno(err)
	}
	d.m.fillAttr(&out.Attr, modeDir, 0, owner.Modified)
	out.SetTimeout(d.m.kernelTTL(owner.Final))
	return 0
}

// Lookup finds one of the work item's files.
func (d *FilesDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	owner, files, err := d.load(ctx)
	if err != nil {
		d.m.logError("lookup in files", err, "kind", d.kind, "id", d.id, "name", name)
		return nil, toErrno(err)
	}
	if _, ok := slices.BinarySearchFunc(files, name, func(f client.WorkItemFile, name string) int {
		return cmp.Compare(f.FileName, name)
	}); !ok {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), d.fileNode(name), modeFile, d.ino(name), out,
		d.m.kernelTTL(owner.Final))
}

// Readdir lists the work item's files, sorted by name.
func (d *FilesDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	_, files, err := d.load(ctx)
	if err != nil {
		d.m.logError("list files", err, "kind", d.kind, "id", d.id)
		return nil, toErrno(err)
	}
	list := make([]fuse.DirEntry, 0, len(files))
	for _, f := range files {
		list = append(list, fuse.DirEntry{Name: f.FileName, Mode: modeFile, Ino: d.ino(f.FileName)})
	}
	return gofs.NewListDirStream(list), 0
}

// ino is the stable inode number of the file name.
func (d *FilesDir) ino(name string) uint64 {
	return inoOf(string(d.kind), d.id, "files", name)
}

// fileNode is the node of the file name, described from the cached entity.
func (d *FilesDir) fileNode(name string) gofs.InodeEmbedder {
	return newOutputFile(d.m, func(ctx context.Context) (remoteFile, error) {
		owner, files, err := d.load(ctx)
		if err != nil {
			return remoteFile{}, err
		}
		i, ok := slices.BinarySearchFunc(files, name, func(f client.WorkItemFile, name string) int {
			return cmp.Compare(f.FileName, name)
		})
		if !ok {
			return remoteFile{}, fmt.Errorf("file %q of %s %s: %w", name, d.kind, d.id, fs.ErrNotExist)
		}
		return entityFileRemote(d.kind, d.id, owner, files[i]), nil
	})
}

// entityFileRemote describes one of a work item's or simulation's own
// files for reading: keyed by its md5 (sent in UUID form), or without one
// by its URI (docs/tree.md: user.comps.type WorkItemFile or SimulationFile).
func entityFileRemote(kind client.Kind, id string, owner catalog.OutputsOwner, f client.WorkItemFile) remoteFile {
	r := remoteFile{url: f.URI, size: f.Length, mtime: owner.Modified, final: owner.Final}
	r.key.Size = f.Length
	if h, err := client.MD5Hex(f.MD5Checksum); err == nil {
		r.key.MD5 = h
	} else {
		r.key.ID = unverifiedID(f.URI, owner)
	}
	r.xattrs = []xattr{{"user.comps.id", id}, {"user.comps.type", string(kind) + "File"}}
	if r.key.MD5 != "" {
		r.xattrs = append(r.xattrs, xattr{"user.comps.md5", r.key.MD5})
	}
	r.xattrs = append(r.xattrs, xattr{"user.comps.url", f.URI})
	return r
}
