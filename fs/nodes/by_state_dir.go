package nodes

import (
	"context"
	"slices"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// ByStateDir is a by-state/ folder: one folder per state name, in the order
// of the states' numbers, each a LinksDir of what is in that state. The
// root's by-state/ holds the work items' states; experiments/<id>/by-state/
// the simulation states of the experiment's simulations. The set of folders
// never changes; their contents come from the server.
type ByStateDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
	// path is the folder's path from the root; states its folders' names;
	// folder makes the folder of one state.
	path   string
	states []string
	folder func(state string) *LinksDir
}

var _ = (gofs.NodeGetattrer)((*ByStateDir)(nil))
var _ = (gofs.NodeLookuper)((*ByStateDir)(nil))
var _ = (gofs.NodeReaddirer)((*ByStateDir)(nil))

// newByStateDir makes the root's by-state/ folder.
func newByStateDir(m *Mount) gofs.InodeEmbedder {
	states := make([]string, len(client.WorkItemStates))
	for i, s := range client.WorkItemStates {
		states[i] = string(s)
	}
	return &ByStateDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: "by-state", states: states,
		folder: func(s string) *LinksDir { return newStateDir(m, client.WorkItemState(s)) }}
}

// newSimulationStatesDir makes experiments/<id>/by-state/.
func newSimulationStatesDir(m *Mount, experiment string) gofs.InodeEmbedder {
	states := make([]string, len(client.SimulationStates))
	for i, s := range client.SimulationStates {
		states[i] = string(s)
	}
	return &ByStateDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: entityDirName(client.KindExperiment) + "/" + experiment + "/by-state",
		states: states, folder: func(s string) *LinksDir {
			return newSimulationStateDir(m, experiment, client.SimulationState(s))
		}}
}

// Getattr reports a read-only folder.
func (d *ByStateDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(true))
	return 0
}

// ino is the inode number of the folder of state.
func (d *ByStateDir) ino(state string) uint64 { return inoOf("bystate", d.path, state) }

// Lookup finds the folder of one state by its exact (case-sensitive) name.
func (d *ByStateDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if !slices.Contains(d.states, name) {
		return nil, syscall.ENOENT
	}
	return newChild(ctx, d.EmbeddedInode(), d.folder(name), modeDir, d.ino(name), out, d.m.kernelTTL(true))
}

// Readdir lists the state folders.
func (d *ByStateDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	entries := make([]fuse.DirEntry, 0, len(d.states))
	for _, s := range d.states {
		entries = append(entries, fuse.DirEntry{Name: s, Mode: syscall.S_IFDIR, Ino: d.ino(s)})
	}
	return gofs.NewListDirStream(entries), 0
}
