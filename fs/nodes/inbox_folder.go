package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/fs/inbox"
)

// submitName is the file whose touch submits a folder entry.
const submitName = ".submit"

// InboxFolder is a folder entry not yet submitted, inbox/NAME/: its files
// (WorkOrder.json, workitem.json, inputs) live in the spool; .submit is
// always there, and touching it submits the folder.
type InboxFolder struct {
	gofs.Inode
	fixedEntries // refuses mkdir (COMPS file names have no folders), mknod, symlink, link, rename
	m            *Mount
	dir          *InboxDir
	e            *inbox.Entry
}

var _ = (gofs.NodeGetattrer)((*InboxFolder)(nil))
var _ = (gofs.NodeLookuper)((*InboxFolder)(nil))
var _ = (gofs.NodeReaddirer)((*InboxFolder)(nil))
var _ = (gofs.NodeCreater)((*InboxFolder)(nil))
var _ = (gofs.NodeUnlinker)((*InboxFolder)(nil))
var _ = (gofs.NodeSetattrer)((*InboxFolder)(nil))

// Getattr reports a folder one can create in while the entry may change.
func (d *InboxFolder) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	mode := uint32(modeWritableDir)
	if d.e.Editable() != nil || d.m.cfg.ReadOnly {
		mode = modeDir
	}
	d.m.fillAttr(&out.Attr, mode, 0, d.e.Manifest().Updated)
	out.SetTimeout(inboxTTL)
	return 0
}

// Setattr accepts and ignores modes, owners and times, as on the entry's
// files, so that cp -a and touch work (docs/writing.md).
func (d *InboxFolder) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if d.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	return setattrReply(ctx, d, fh, out)
}

// Lookup finds .submit or a spooled file.
func (d *InboxFolder) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	out.SetEntryTimeout(inboxTTL)
	if name == submitName {
		return newChild(ctx, d.EmbeddedInode(), d.submitFile(), modeWritableFile, inoOf("inbox-submit", d.e.ID()), out, inboxTTL)
	}
	files, err := d.e.Files()
	if err != nil {
		return nil, inboxErrno(notFound(err))
	}
	for _, f := range files {
		if f.Name == name {
			node := d.dir.newFile(d.e, name)
			return newChild(ctx, d.EmbeddedInode(), node, modeFile, inoOf("inbox-file", d.e.ID(), name), out, inboxTTL)
		}
	}
	return nil, syscall.ENOENT
}

// Readdir lists .submit and the spooled files.
func (d *InboxFolder) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	files, err := d.e.Files()
	if err != nil {
		return nil, inboxErrno(notFound(err))
	}
	list := []fuse.DirEntry{{Name: submitName, Mode: modeFile, Ino: inoOf("inbox-submit", d.e.ID())}}
	for _, f := range files {
		list = append(list, fuse.DirEntry{Name: f.Name, Mode: modeFile, Ino: inoOf("inbox-file", d.e.ID(), f.Name)})
	}
	return gofs.NewListDirStream(list), 0
}

// Create makes a spooled file, or submits the folder when the name is .submit.
func (d *InboxFolder) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	if d.m.cfg.ReadOnly {
		return nil, nil, 0, syscall.EROFS
	}
	if errno := nameErrno(name); errno != 0 {
		return nil, nil, 0, errno
	}
	if name == submitName {
		if errno := d.dir.submit(ctx, d.e, false); errno != 0 {
			return nil, nil, 0, errno
		}
		child, errno := newChild(ctx, d.EmbeddedInode(), d.submitFile(), modeWritableFile, inoOf("inbox-submit", d.e.ID()), out, inboxTTL)
		return child, &submitHandle{}, fuse.FOPEN_DIRECT_IO, errno
	}
	if err := d.e.CreateFile(name); err != nil {
		d.m.logError("create in inbox/"+d.e.Name(), err, "file", name)
		return nil, nil, 0, inboxErrno(err)
	}
	node := d.dir.newFile(d.e, name)
	h, errno := node.open(syscall.O_RDWR, true)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	child, errno := newChild(ctx, d.EmbeddedInode(), node, modeFile, inoOf("inbox-file", d.e.ID(), name), out, inboxTTL)
	if errno != 0 {
		h.f.Close()
		return nil, nil, 0, errno
	}
	return child, h, fuse.FOPEN_DIRECT_IO, 0
}

// Unlink removes a spooled file; removing .submit is a no-op, so that
// rm -r of the folder works.
func (d *InboxFolder) Unlink(ctx context.Context, name string) syscall.Errno {
	if d.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	if name == submitName {
		return 0
	}
	if err := d.e.RemoveFile(name); err != nil {
		d.m.logError("remove in inbox/"+d.e.Name(), err, "file", name)
		return inboxErrno(err)
	}
	return 0
}

// newFolder makes the node of a folder entry.
func (d *InboxDir) newFolder(e *inbox.Entry) *InboxFolder {
	return &InboxFolder{fixedEntries: fixedEntries{nodeDefaults{d.m}}, m: d.m, dir: d, e: e}
}
