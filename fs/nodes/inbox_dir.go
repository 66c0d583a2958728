package nodes

import (
	"context"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/fs/inbox"
)

// InboxDir is inbox/: writing NAME.json or filling NAME/ and touching
// NAME/.submit creates a work item (docs/writing.md). Entries live in the spool;
// a submitted one is a symlink to its work item, a refused or late one has
// NAME.error beside it.
type InboxDir struct {
	gofs.Inode
	fixedEntries // refuses mknod, symlink, link and rename; the rest is below
	m            *Mount

	mu      sync.Mutex
	replied map[string]time.Time // entry id -> last answer that let the kernel cache it
}

var _ = (gofs.NodeOnAdder)((*InboxDir)(nil))
var _ = (gofs.NodeGetattrer)((*InboxDir)(nil))
var _ = (gofs.NodeLookuper)((*InboxDir)(nil))
var _ = (gofs.NodeReaddirer)((*InboxDir)(nil))
var _ = (gofs.NodeCreater)((*InboxDir)(nil))
var _ = (gofs.NodeMkdirer)((*InboxDir)(nil))
var _ = (gofs.NodeUnlinker)((*InboxDir)(nil))
var _ = (gofs.NodeRmdirer)((*InboxDir)(nil))

// newInboxDir makes inbox/.
func newInboxDir(m *Mount) gofs.InodeEmbedder {
	return &InboxDir{fixedEntries: fixedEntries{nodeDefaults{m}}, m: m, replied: map[string]time.Time{}}
}

// OnAdd registers for the inbox's own changes (background completions) once
// the node is in the tree, so that notifications have an inode to go to.
func (d *InboxDir) OnAdd(ctx context.Context) {
	if in := d.m.cfg.Inbox; in != nil {
		in.OnChange(d.changed)
	}
}

// changed tells the kernel to forget names that changed by themselves, from
// a goroutine of its own: never inside a request's handler.
func (d *InboxDir) changed(e *inbox.Entry, names []string) {
	go func() {
		for _, name := range names {
			d.NotifyEntry(name)
		}
	}()
}

// noteReply records that the kernel may cache e's entry from now.
func (d *InboxDir) noteReply(e *inbox.Entry) {
	d.mu.Lock()
	d.replied[e.ID()] = time.Now()
	d.mu.Unlock()
}

// awaitKernelForget waits until the kernel has dropped what it cached of e's entry
// (inboxSettle after the last answer), so that a submit returning next is
// followed by a fresh lookup.
func (d *InboxDir) awaitKernelForget(e *inbox.Entry) {
	d.mu.Lock()
	t, ok := d.replied[e.ID()]
	delete(d.replied, e.ID())
	d.mu.Unlock()
	if ok {
		if wait := time.Until(t.Add(inboxSettle)); wait > 0 {
			time.Sleep(wait)
		}
	}
}

// Getattr reports a folder one can create in (read-only with --read-only
// or without a spool).
func (d *InboxDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	mode := uint32(modeWritableDir)
	if d.m.cfg.ReadOnly || d.m.cfg.Inbox == nil {
		mode = modeDir
	}
	d.m.fillAttr(&out.Attr, mode, 0, d.m.Started)
	return 0
}

// Lookup finds an entry (a file, a folder, or the symlink of a done one) or
// an entry's NAME.error.
func (d *InboxDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	in := d.m.cfg.Inbox
	out.SetEntryTimeout(inboxTTL) // also: no negative caching of names that may appear
	if in == nil {
		return nil, syscall.ENOENT
	}
	if e := in.Get(name); e != nil {
		return d.entryNode(ctx, e, out)
	}
	if e := in.ByErrorName(name); e != nil && e.ErrorText() != "" {
		return newChild(ctx, d.EmbeddedInode(), newInboxErrorFile(d.m, e), modeFile, inoOf("inbox-error", e.ID()), out, inboxTTL)
	}
	return nil, syscall.ENOENT
}

// entryNode makes the node of an entry as it is now.
func (d *InboxDir) entryNode(ctx context.Context, e *inbox.Entry, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if id := e.Link(); id != "" {
		link := newEntityLink(d.m, "../workitems/"+id)
		return newChild(ctx, d.EmbeddedInode(), link, modeSymlink, inoOf("inbox-link", e.ID()), out, 0)
	}
	d.noteReply(e)
	if e.Kind() == inbox.KindFolder {
		return newChild(ctx, d.EmbeddedInode(), d.newFolder(e), modeDir, inoOf("inbox-folder", e.ID()), out, inboxTTL)
	}
	return newChild(ctx, d.EmbeddedInode(), d.newFile(e, ""), modeFile, inoOf("inbox-file", e.ID()), out, inboxTTL)
}

// Readdir lists the entries and their .error files, sorted.
func (d *InboxDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	var list []fuse.DirEntry
	if in := d.m.cfg.Inbox; in != nil {
		for _, e := range in.Entries() {
			switch {
			case e.Link() != "":
				list = append(list, fuse.DirEntry{Name: e.Name(), Mode: modeSymlink, Ino: inoOf("inbox-link", e.ID())})
			case e.Kind() == inbox.KindFolder:
				list = append(list, fuse.DirEntry{Name: e.Name(), Mode: modeDir, Ino: inoOf("inbox-folder", e.ID())})
			default:
				list = append(list, fuse.DirEntry{Name: e.Name(), Mode: modeFile, Ino: inoOf("inbox-file", e.ID())})
			}
			if e.ErrorText() != "" {
				list = append(list, fuse.DirEntry{Name: e.ErrorName(), Mode: modeFile, Ino: inoOf("inbox-error", e.ID())})
			}
		}
	}
	slices.SortFunc(list, func(a, b fuse.DirEntry) int { return strings.Compare(a.Name, b.Name) })
	return gofs.NewListDirStream(list), 0
}

// writable refuses writes on a --read-only mount (EROFS) or without a
// spool (EACCES: inbox/ is then a read-only folder).
func (d *InboxDir) writable() syscall.Errno {
	if d.m.cfg.ReadOnly || d.m.cfg.Inbox == nil {
		return d.m.refuseWrite()
	}
	return 0
}

// Create starts a new work order, inbox/NAME.json, in the spool. It is
// submitted when it is closed.
func (d *InboxDir) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	if errno := d.writable(); errno != 0 {
		return nil, nil, 0, errno
	}
	if errno := nameErrno(name); errno != 0 {
		return nil, nil, 0, errno
	}
	e, err := d.m.cfg.Inbox.Create(name, inbox.KindFile)
	if err != nil {
		d.m.logError("create in inbox/", err, "name", name)
		return nil, nil, 0, inboxErrno(err)
	}
	node := d.newFile(e, "")
	h, errno := node.open(syscall.O_RDWR, true)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	d.noteReply(e)
	child, errno := newChild(ctx, d.EmbeddedInode(), node, modeFile, inoOf("inbox-file", e.ID()), out, inboxTTL)
	if errno != 0 {
		h.f.Close()
		return nil, nil, 0, errno
	}
	return child, h, fuse.FOPEN_DIRECT_IO, 0
}

// Mkdir starts a folder entry, inbox/NAME/.
func (d *InboxDir) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := d.writable(); errno != 0 {
		return nil, errno
	}
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	e, err := d.m.cfg.Inbox.Create(name, inbox.KindFolder)
	if err != nil {
		d.m.logError("mkdir in inbox/", err, "name", name)
		return nil, inboxErrno(err)
	}
	d.noteReply(e)
	return newChild(ctx, d.EmbeddedInode(), d.newFolder(e), modeDir, inoOf("inbox-folder", e.ID()), out, inboxTTL)
}

// Unlink clears a file entry (its spool and .error) or forgets a done
// entry's symlink. An .error goes away with its entry, not alone (EPERM).
func (d *InboxDir) Unlink(ctx context.Context, name string) syscall.Errno {
	if errno := d.writable(); errno != 0 {
		return errno
	}
	in := d.m.cfg.Inbox
	e := in.Get(name)
	if e == nil {
		if in.ByErrorName(name) != nil {
			return syscall.EPERM
		}
		return syscall.ENOENT
	}
	if e.Kind() == inbox.KindFolder && e.Link() == "" {
		return syscall.EISDIR
	}
	return d.remove(e)
}

// Rmdir clears an emptied folder entry.
func (d *InboxDir) Rmdir(ctx context.Context, name string) syscall.Errno {
	if errno := d.writable(); errno != 0 {
		return errno
	}
	e := d.m.cfg.Inbox.Get(name)
	switch {
	case e == nil:
		return syscall.ENOENT
	case e.Kind() != inbox.KindFolder || e.Link() != "":
		return syscall.ENOTDIR
	}
	return d.remove(e)
}

// remove deletes an entry from the spool and the kernel's view of its .error.
func (d *InboxDir) remove(e *inbox.Entry) syscall.Errno {
	if err := d.m.cfg.Inbox.Remove(e.Name()); err != nil {
		d.m.logError("remove in inbox/", err, "name", e.Name())
		return inboxErrno(err)
	}
	d.mu.Lock()
	delete(d.replied, e.ID())
	d.mu.Unlock()
	go d.NotifyEntry(e.ErrorName())
	return 0
}
