package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// SimulationsDir is experiments/<id>/simulations/: the canonical folders of
// the experiment's simulations (entity_paths.go), real folders so that
// find, grep -r and du walk them without following links. Listing it is
// one paged query (1,000 simulations a page) whose answer fills every
// simulation's metadata and tags: `cat */state` afterwards asks nothing.
type SimulationsDir struct {
	gofs.Inode
	fixedEntries
	m          *Mount
	experiment string
}

var _ = (gofs.NodeGetattrer)((*SimulationsDir)(nil))
var _ = (gofs.NodeLookuper)((*SimulationsDir)(nil))
var _ = (gofs.NodeReaddirer)((*SimulationsDir)(nil))

// newSimulationsDir makes the simulations/ folder of an experiment.
func newSimulationsDir(m *Mount, experiment string) gofs.InodeEmbedder {
	return &SimulationsDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, experiment: experiment}
}

// Getattr reports a read-only folder.
func (d *SimulationsDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds a simulation of the experiment by its canonical id; a
// simulation of another experiment, or an unknown id, is ENOENT.
func (d *SimulationsDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if !isCanonicalID(name) {
		return nil, syscall.ENOENT
	}
	cctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	e, err := d.m.cat.EntityProps(cctx, client.KindSimulation, name)
	if err != nil {
		d.m.logError("lookup simulation", err, "experiment", d.experiment, "id", name)
		return nil, toErrno(err)
	}
	if canonicalOrEmpty(e.ExperimentID) != d.experiment {
		return nil, syscall.ENOENT
	}
	dir := newEntityDir(d.m, client.KindSimulation, name, entityPath(client.KindSimulation, name, d.experiment))
	return newChild(ctx, d.EmbeddedInode(), dir, modeDir, entityIno(client.KindSimulation, name), out, 0)
}

// Readdir lists the experiment's simulations, oldest first.
func (d *SimulationsDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	ctx, cancel := d.m.callCtx(ctx)
	defer cancel()
	ids, err := d.m.cat.ListSimulations(ctx, d.experiment)
	if err != nil {
		d.m.logError("list simulations", err, "experiment", d.experiment)
		return nil, toErrno(err)
	}
	entries := make([]fuse.DirEntry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, fuse.DirEntry{Name: id, Mode: syscall.S_IFDIR, Ino: entityIno(client.KindSimulation, id)})
	}
	return gofs.NewListDirStream(entries), 0
}
