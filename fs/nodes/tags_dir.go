package nodes

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// TagsDir is the tags/ folder of an entity: one file per tag, named by the
// escaped key (escapeTagKey), holding the value as text and a newline, empty
// for a null tag. Writing a file sets the tag (Merge; the value is the
// content, one trailing newline dropped, as a string), creating one adds
// it, rm deletes it (docs/writing.md). A tag created here shows from its
// creation, before its first save, for as long as its creator holds it.
type TagsDir struct {
	gofs.Inode
	fixedEntries // refuses mkdir, mknod, symlink, link, rename, rmdir; the rest is below
	m            *Mount
	kind         client.Kind
	id           string
}

var _ = (gofs.NodeGetattrer)((*TagsDir)(nil))
var _ = (gofs.NodeLookuper)((*TagsDir)(nil))
var _ = (gofs.NodeReaddirer)((*TagsDir)(nil))
var _ = (gofs.NodeCreater)((*TagsDir)(nil))
var _ = (gofs.NodeUnlinker)((*TagsDir)(nil))

// newTagsDir makes the tags/ folder of entity id of kind.
func newTagsDir(m *Mount, kind client.Kind, id string) gofs.InodeEmbedder {
	return &TagsDir{fixedEntries: fixedEntries{nodeDefaults{m}}, m: m, kind: kind, id: id}
}

// tags returns the entity's tags and last_modified; ctx is already bounded.
func (d *TagsDir) tags(ctx context.Context) (client.Tags, time.Time, error) {
	if d.kind == client.KindWorkItem {
		wi, err := d.m.cat.WorkItemDetail(ctx, d.id)
		if err != nil {
			return nil, time.Time{}, err
		}
		return wi.Tags, wi.LastModified.Time, nil
	}
	e, err := d.m.cat.Entity(ctx, d.kind, d.id)
	if err != nil {
		return nil, time.Time{}, err
	}
	return e.Tags, e.Mtime(), nil
}

// Getattr reports the folder with the entity's last_modified as mtime.
func (d *TagsDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	_, mtime, err := d.tags(ctx)
	if err != nil {
		d.m.logError("stat tags", err, "kind", d.kind, "id", d.id)
		return toErrno(err)
	}
	d.m.fillAttr(&out.Attr, d.m.writableMode(modeWritableDir), 0, mtime)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds the file of one tag by its escaped key: a tag of the
// server, or one being created here.
func (d *TagsDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	key, ok := unescapeTagKey(name)
	if !ok {
		return nil, syscall.ENOENT
	}
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	tags, _, err := d.tags(ctx)
	if err != nil {
		d.m.logError("lookup tag", err, "kind", d.kind, "id", d.id, "name", name)
		return nil, toErrno(err)
	}
	if _, ok := tags[key]; !ok && !d.creating(key) {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), d.tagFile(key), modeWritableFile, d.ino(key), out, d.m.kernelTTL(false))
}

// creating reports whether the file of tag key is open for writing here
// (and not removed): a tag created here is on the server only once saved.
func (d *TagsDir) creating(key string) bool {
	return len(d.m.open.liveWriters(d.ino(key))) > 0
}

// tagFile is the file of one tag's value.
func (d *TagsDir) tagFile(key string) *WritableFile {
	return newWritableFile(d.m, d.ino(key), func(ctx context.Context) (text, error) {
		tags, mtime, err := d.tags(ctx)
		if err != nil {
			return text{}, err
		}
		v, ok := tags[key]
		if !ok {
			return text{}, fmt.Errorf("tag %q of %s %s: %w", key, d.kind, d.id, fs.ErrNotExist)
		}
		return text{data: fileLine(client.TagText(v)), mtime: mtime}, nil
	}, func(ctx context.Context, value string) error {
		return d.m.cat.SetTag(ctx, d.kind, d.id, key, value)
	})
}

// Readdir lists the tags, and those being created here, sorted by escaped
// key. A key whose escaped name is longer than a name can be is left out.
func (d *TagsDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	tags, _, err := d.tags(ctx)
	if err != nil {
		d.m.logError("list tags", err, "kind", d.kind, "id", d.id)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(tags))
	add := func(key string) {
		if name := escapeTagKey(key); nameErrno(name) == 0 {
			entries = append(entries, fuse.DirEntry{Name: name, Mode: syscall.S_IFREG, Ino: d.ino(key)})
		} else {
			d.m.log.Debug("tags: leaving out a key too long for a file name", "kind", d.kind, "id", d.id,
				"bytes", len(name))
		}
	}
	for key := range tags {
		add(key)
	}
	for name := range d.Children() {
		if key, ok := unescapeTagKey(name); ok && !hasTag(tags, key) && d.creating(key) {
			add(key)
		}
	}
	slices.SortFunc(entries, func(a, b fuse.DirEntry) int { return strings.Compare(a.Name, b.Name) })
	return gofs.NewListDirStream(entries), 0
}

// hasTag reports whether tags has key.
func hasTag(tags client.Tags, key string) bool {
	_, ok := tags[key]
	return ok
}

// Create adds a tag: the new file's content becomes its value when it is
// closed (an empty string if nothing is written); until then the tag shows
// here with what is written so far. A name that no key escapes to is EINVAL.
func (d *TagsDir) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	if d.m.cfg.ReadOnly {
		return nil, nil, 0, syscall.EROFS
	}
	if errno := nameErrno(name); errno != 0 {
		return nil, nil, 0, errno
	}
	key, ok := unescapeTagKey(name)
	if !ok {
		return nil, nil, 0, syscall.EINVAL
	}
	ino, now := d.ino(key), d.m.cfg.Now()
	h := newWriteHandle(callerPid(ctx), nil, now)
	h.truncate(0, now)
	d.m.open.opened(ino, h)
	d.m.open.setUnlinked(ino, false)
	child := d.NewInode(ctx, d.tagFile(key), gofs.StableAttr{Mode: syscall.S_IFREG, Ino: ino})
	d.m.fillAttr(&out.Attr, d.m.writableMode(modeWritableFile), 0, now)
	out.Ino = ino
	setEntryTTL(out, d.m.kernelTTL(false))
	return child, h, fuse.FOPEN_DIRECT_IO, 0
}

// Unlink deletes a tag. It sticks: what a handle still open on the tag
// writes afterwards is never saved. A tag being created here and not yet
// saved is removed here alone.
func (d *TagsDir) Unlink(ctx context.Context, name string) syscall.Errno {
	if d.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	key, ok := unescapeTagKey(name)
	if !ok {
		return syscall.ENOENT
	}
	ino := d.ino(key)
	writers := d.m.open.liveWriters(ino)
	for _, h := range writers {
		h.saveMu.Lock() // after any save under way
		h.setRemoved(true)
		h.saveMu.Unlock()
	}
	wctx, cancel := d.m.writeCtx(ctx)
	defer cancel()
	if err := d.m.cat.DeleteTag(wctx, d.kind, d.id, key); err != nil &&
		(len(writers) == 0 || toErrno(err) != syscall.ENOENT) {
		for _, h := range writers {
			h.setRemoved(false)
		}
		d.m.logError("delete tag", err, "kind", d.kind, "id", d.id, "key", key)
		return toErrno(err)
	}
	d.m.open.setUnlinked(ino, true)
	d.m.forgetEntity(d.EmbeddedInode())
	return 0
}

// ino is the inode number of the file of tag key.
func (d *TagsDir) ino(key string) uint64 { return inoOf("tag", string(d.kind), d.id, key) }
