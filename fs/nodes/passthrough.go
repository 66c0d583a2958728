package nodes

import (
	"context"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/cache"
)

// Passthrough (docs/caching.md): an output whose bytes are all in the
// content cache and verified when it is first opened is opened with the
// kernel reading the cache's data file itself (FUSE passthrough, where the
// kernel offers it and the mount runs as root): its reads never reach
// compsfs and run at the speed of a local file. The kernel fails an open
// (EIO) that would put a file read through the page cache into passthrough
// or the other way, and on Linux 6.18 an open for passthrough right after
// the release of one through the page cache still failed now and then
// (fstest under -race, 2 in 40). So an output keeps the way its first open
// took for as long as the kernel keeps its inode: a file opened before it
// was verified goes on through the page cache (the kernel keeps its
// pages), one verified at its first open is always read by the kernel.

// openModes is how an output is opened: through the page cache once any
// open was, and the opens the kernel reads from the cache's file, with the
// cache's hold on that file while any is open.
type openModes struct {
	mu         sync.Mutex
	cachedOnce bool // an open went through the page cache: all do
	direct     int  // open files the kernel reads from backing
	backing    *cache.Backing
	fd         int // backing's file descriptor
}

// openFinal makes the handle of an open of a final output: for
// passthrough when the mount allows it and the cache has all of the file
// verified (or another passthrough open shares its backing), through the
// page cache otherwise.
func (f *OutputFile) openFinal(r remoteFile) gofs.FileHandle {
	mo := &f.modes
	mo.mu.Lock()
	defer mo.mu.Unlock()
	if mo.direct == 0 && !mo.cachedOnce && f.m.passthrough.Load() && f.m.cfg.Content != nil {
		if b, ok := f.m.cfg.Content.Backing(r.key); ok {
			mo.backing, mo.fd = b, int(b.File().Fd())
		}
	}
	h := &outputHandle{r}
	if mo.backing != nil {
		mo.direct++
		return &passthroughHandle{outputHandle: h, node: f, fd: mo.fd}
	}
	mo.cachedOnce = true
	return h
}

// passthroughHandle is an open output the kernel reads from the cache's
// data file. Should the kernel not take it, reads come to Read as for any
// open output.
type passthroughHandle struct {
	*outputHandle
	node *OutputFile
	fd   int
}

var _ = (gofs.FilePassthroughFder)((*passthroughHandle)(nil))
var _ = (gofs.FileReleaser)((*passthroughHandle)(nil))

// PassthroughFd is the cache's data file, for the kernel to register; it
// stays open until the last passthrough open of the output is released.
func (h *passthroughHandle) PassthroughFd() (int, bool) { return h.fd, true }

// Release ends a passthrough open; the last one lets the cache's bytes go.
func (h *passthroughHandle) Release(ctx context.Context) syscall.Errno {
	mo := &h.node.modes
	mo.mu.Lock()
	defer mo.mu.Unlock()
	if mo.direct--; mo.direct == 0 && mo.backing != nil {
		mo.backing.Release()
		mo.backing, mo.fd = nil, 0
	}
	return 0
}

// outputOf returns the description of an open output, whichever way it is
// open (nil for a live output's handle, or none).
func outputOf(fh gofs.FileHandle) *outputHandle {
	switch h := fh.(type) {
	case *outputHandle:
		return h
	case *passthroughHandle:
		return h.outputHandle
	}
	return nil
}
