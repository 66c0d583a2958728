package nodes

import (
	"context"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// newChild makes the inode of a dynamic child (found by Lookup) with a stable
// inode number, fills the lookup answer with the child's own attributes and
// sets the kernel's timeouts for it: ttl for the entry, or when ttl is 0 the
// attribute timeout the child's Getattr chose; that one for the attributes.
func newChild(ctx context.Context, parent *gofs.Inode, node gofs.InodeEmbedder, mode uint32, ino uint64,
	out *fuse.EntryOut, ttl time.Duration) (*gofs.Inode, syscall.Errno) {
	if t, ok := node.(interface{ lookedUpAs(ino uint64) }); ok {
		t.lookedUpAs(ino)
	}
	attrTTL := ttl
	if g, ok := node.(gofs.NodeGetattrer); ok {
		var ao fuse.AttrOut
		if errno := g.Getattr(ctx, nil, &ao); errno != 0 {
			return nil, errno
		}
		out.Attr = ao.Attr
		if attrTTL = ao.Timeout(); ttl == 0 {
			ttl = attrTTL
		}
	}
	if ttl == 0 {
		ttl = time.Second // never zero: the kernel behaves badly with zero timeouts
	}
	if attrTTL == 0 {
		attrTTL = ttl
	}
	out.Ino = ino
	out.SetEntryTimeout(ttl)
	out.SetAttrTimeout(attrTTL)
	return parent.NewInode(ctx, node, gofs.StableAttr{Mode: mode & syscall.S_IFMT, Ino: ino}), 0
}
