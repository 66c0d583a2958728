package nodes

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// OutputsDir is outputs/ of a work item or simulation, or one folder inside
// it: the working directory's files as the server lists them (flattened),
// turned into folders; or, the same way, assets/ of an asset collection
// (assets_dir.go). Listings, lookups and attributes all come from the
// cached listing, so READDIRPLUS costs no request per entry.
type OutputsDir struct {
	gofs.Inode
	fixedEntries
	set *outputSet
	dir string // path inside outputs/, "" at the top
}

var _ = (gofs.NodeGetattrer)((*OutputsDir)(nil))
var _ = (gofs.NodeLookuper)((*OutputsDir)(nil))
var _ = (gofs.NodeReaddirer)((*OutputsDir)(nil))

// outputSet is the outputs (or assets) of one entity, shared by every node
// of its tree: where the listing comes from, and the tree made from it.
type outputSet struct {
	m    *Mount
	kind client.Kind
	id   string
	// folder names the tree in inode numbers ("outputs", "assets");
	// fileType is its files' user.comps.type.
	folder, fileType string
	// owner tells whether the files can still change, and their mtime;
	// files lists them (owner is what owner returned).
	owner func(ctx context.Context) (catalog.OutputsOwner, error)
	files func(ctx context.Context, owner catalog.OutputsOwner) ([]client.OutputFile, error)
	tree  derived[client.OutputFile, *outputTree]

	mu     sync.Mutex
	logged map[string]bool // skipped paths already logged
}

// newOutputsDir makes the outputs/ folder of a work item or simulation.
func newOutputsDir(m *Mount, kind client.Kind, id string) gofs.InodeEmbedder {
	set := &outputSet{m: m, kind: kind, id: id, folder: "outputs", fileType: "OutputFile",
		owner: func(ctx context.Context) (catalog.OutputsOwner, error) { return m.cat.OutputsOwner(ctx, kind, id) },
		files: func(ctx context.Context, owner catalog.OutputsOwner) ([]client.OutputFile, error) {
			return m.cat.Outputs(ctx, kind, id, owner.Final)
		}}
	return &OutputsDir{fixedEntries: fixedEntries{nodeDefaults{m}}, set: set}
}

// load returns the entity's finality and time and its output tree, within
// --timeout. The listing is cached without expiry once the entity is final.
func (s *outputSet) load(ctx context.Context) (*outputTree, catalog.OutputsOwner, error) {
	ctx, cancel := s.m.callCtx(ctx)
	defer cancel()
	owner, err := s.owner(ctx)
	if err != nil {
		return nil, owner, err
	}
	files, err := s.files(ctx, owner)
	if err != nil {
		return nil, owner, err
	}
	t := s.tree.get(files, buildOutputTree)
	s.logSkipped(t)
	return t, owner, nil
}

// logSkipped logs, once each, the listing entries left out of the tree.
func (s *outputSet) logSkipped(t *outputTree) {
	if len(t.skipped) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logged == nil {
		s.logged = map[string]bool{}
	}
	for _, sk := range t.skipped {
		if !s.logged[sk.path] {
			s.logged[sk.path] = true
			s.m.log.Warn(s.folder+": skipping a file the server listed", "kind", s.kind, "id", s.id,
				"path", fmt.Sprintf("%q", sk.path), "reason", sk.reason)
		}
	}
}

// ino is the stable inode number of the file or folder at path p.
func (s *outputSet) ino(p string) uint64 { return inoOf(string(s.kind), s.id, s.folder, p) }

// Getattr reports a folder whose mtime is the entity's last_modified.
func (d *OutputsDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	ctx, cancel := d.set.m.callCtx(ctx)
	defer cancel()
	owner, err := d.set.owner(ctx)
	if err != nil {
		d.set.m.logError("stat "+d.set.folder, err, "kind", d.set.kind, "id", d.set.id, "dir", d.dir)
		return toErrno(err)
	}
	d.set.m.fillAttr(&out.Attr, modeDir, 0, owner.Modified)
	out.SetTimeout(d.set.m.kernelTTL(owner.Final))
	return 0
}

// folder returns this folder's entries from the cached tree.
func (d *OutputsDir) folder(ctx context.Context, op string) (*outputTree, catalog.OutputsOwner, []outputEntry, syscall.Errno) {
	t, owner, err := d.set.load(ctx)
	if err != nil {
		d.set.m.logError(op, err, "kind", d.set.kind, "id", d.set.id, "dir", d.dir)
		return nil, owner, nil, toErrno(err)
	}
	entries, ok := t.entries(d.dir)
	if !ok {
		return nil, owner, nil, syscall.ENOENT // the folder left a changing listing
	}
	return t, owner, entries, 0
}

// Lookup finds a file or folder of this folder in the cached listing.
func (d *OutputsDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	t, owner, _, errno := d.folder(ctx, "lookup in "+d.set.folder)
	if errno != 0 {
		return nil, errno
	}
	e, ok := t.lookup(d.dir, name)
	if !ok {
		return nil, syscall.ENOENT
	}
	var node gofs.InodeEmbedder
	mode := uint32(modeDir)
	if e.file != nil {
		node, mode = d.set.fileNode(e.path), modeFile
	} else {
		node = &OutputsDir{fixedEntries: d.fixedEntries, set: d.set, dir: e.path}
	}
	return newChild(ctx, d.EmbeddedInode(), node, mode, d.set.ino(e.path), out, d.set.m.kernelTTL(owner.Final))
}

// Readdir lists this folder, sorted by name.
func (d *OutputsDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	_, _, entries, errno := d.folder(ctx, "list "+d.set.folder)
	if errno != 0 {
		return nil, errno
	}
	list := make([]fuse.DirEntry, 0, len(entries))
	for _, e := range entries {
		mode := uint32(modeDir)
		if e.file != nil {
			mode = modeFile
		}
		list = append(list, fuse.DirEntry{Name: e.name, Mode: mode, Ino: d.set.ino(e.path)})
	}
	return gofs.NewListDirStream(list), 0
}

// fileNode is the node of the output file at path p; it describes the file
// from the cached listing at each stat and open.
func (s *outputSet) fileNode(p string) gofs.InodeEmbedder {
	return newOutputFile(s.m, func(ctx context.Context) (remoteFile, error) {
		t, owner, err := s.load(ctx)
		if err != nil {
			return remoteFile{}, err
		}
		f, ok := t.file(p)
		if !ok {
			return remoteFile{}, fmt.Errorf("%s/%s of %s %s: %w", s.folder, p, s.kind, s.id, fs.ErrNotExist)
		}
		return outputRemote(s.id, s.fileType, *f, owner), nil
	})
}

// outputRemote describes an output (or asset) file of type fileType for
// reading: keyed by its md5, or without one by its URL (and, while the
// entity may still change, its time).
func outputRemote(id, fileType string, f client.OutputFile, owner catalog.OutputsOwner) remoteFile {
	r := remoteFile{url: f.URL, size: f.Length, mtime: owner.Modified, final: owner.Final}
	r.key.MD5, r.key.Size = f.MD5Hex(), f.Length
	if r.key.MD5 == "" {
		r.key.ID = unverifiedID(f.URL, owner)
	}
	fileID := f.ID
	if fileID == "" {
		fileID = id
	}
	r.xattrs = []xattr{{"user.comps.id", fileID}, {"user.comps.type", fileType}}
	if r.key.MD5 != "" {
		r.xattrs = append(r.xattrs, xattr{"user.comps.md5", r.key.MD5})
	}
	r.xattrs = append(r.xattrs, xattr{"user.comps.url", f.URL})
	return r
}

// unverifiedID names content that has no md5: its URL, and while its owner
// may still change, the owner's last_modified, so new bytes get a new name.
func unverifiedID(url string, owner catalog.OutputsOwner) string {
	if owner.Final {
		return url
	}
	return url + "@" + owner.Modified.UTC().Format("2006-01-02T15:04:05.999999999Z")
}
