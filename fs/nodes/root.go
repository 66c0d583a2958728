package nodes

import (
	"context"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// Root is the mount's top folder: README, .stats, workitems/, by-state/, the
// entity folders and inbox/, built once when the mount starts.
type Root struct {
	gofs.Inode
	fixedEntries
	m *Mount
}

var _ = (gofs.NodeOnAdder)((*Root)(nil))
var _ = (gofs.NodeGetattrer)((*Root)(nil))
var _ = (gofs.NodeLookuper)((*Root)(nil))

// NewRoot makes the root node of a mount.
func NewRoot(m *Mount) *Root { return &Root{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}} }

// rootEntry is one fixed entry of the root.
type rootEntry struct {
	name string
	mode uint32
	node func(m *Mount) gofs.InodeEmbedder
}

// rootEntries are the root's entries (docs/tree.md).
var rootEntries = []rootEntry{
	{"README", modeFile, newReadmeFile},
	{".stats", modeFile, newStatsFile},
	{"workitems", modeDir, func(m *Mount) gofs.InodeEmbedder {
		return &WorkItemsDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}}
	}},
	{"by-state", modeDir, newByStateDir},
	{"query", modeDir, newQueryDir},
	{"experiments", modeDir, func(m *Mount) gofs.InodeEmbedder { return newEntityKindDir(m, client.KindExperiment) }},
	{"simulations", modeDir, func(m *Mount) gofs.InodeEmbedder { return newEntityKindDir(m, client.KindSimulation) }},
	{"suites", modeDir, func(m *Mount) gofs.InodeEmbedder { return newEntityKindDir(m, client.KindSuite) }},
	{"assetcollections", modeDir, func(m *Mount) gofs.InodeEmbedder {
		return newEntityKindDir(m, client.KindAssetCollection)
	}},
	{"inbox", modeWritableDir, newInboxDir},
}

// OnAdd builds the fixed skeleton with persistent inodes.
func (r *Root) OnAdd(ctx context.Context) {
	r.m.root.Store(r.EmbeddedInode())
	for _, e := range rootEntries {
		child := r.NewPersistentInode(ctx, e.node(r.m), gofs.StableAttr{Mode: e.mode & syscall.S_IFMT, Ino: inoOf("root", e.name)})
		r.AddChild(e.name, child, false)
	}
}

// Getattr reports the root folder.
func (r *Root) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	r.m.fillAttr(&out.Attr, modeDir, 0, r.m.Started)
	return 0
}

// entityDirName is the root folder of a kind's entities ("workitems", ...).
func entityDirName(k client.Kind) string { return strings.ToLower(k.Plural()) }

// Lookup finds one of the fixed entries (what go-fuse would do without
// it), and refuses names too long to be any (ENAMETOOLONG).
func (r *Root) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	child := r.GetChild(name)
	if child == nil {
		return nil, syscall.ENOENT
	}
	if g, ok := child.Operations().(gofs.NodeGetattrer); ok {
		var ao fuse.AttrOut
		if errno := g.Getattr(ctx, nil, &ao); errno != 0 {
			return nil, errno
		}
		out.Attr = ao.Attr
	}
	return child, 0
}
