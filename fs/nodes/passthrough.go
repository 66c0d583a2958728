package nodes

import (
	"context"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/cache"
)

// Passthrough (docs/caching.md): an output whose bytes are all in the
// content cache and verified is opened with the kernel reading the cache's
// data file itself (FUSE passthrough, where the kernel offers it and the
// mount runs as root): its reads never reach compsfs and run at the speed
// of a local file.
//
// The kernel fails an open (EIO) that would put a file read through its
// page cache into passthrough or the other way, and on Linux 6.18 an open
// for passthrough right after the release of one through the page cache
// still failed now and then (fstest under -race, 2 in 40). So where the
// mount can use passthrough, an output not yet verified is opened for
// direct I/O: its reads come to compsfs and the kernel keeps no pages of it
// (one copy fewer on a cold read), and once it is verified and no such open
// is left, the next open is a passthrough one. A shared mapping of a
// direct-I/O file puts it in the page-cache way until that open is
// released, which the count of direct-I/O opens covers. Where the mount
// cannot use passthrough, outputs go through the page cache, which keeps
// their pages.

// openModes is how an output is open: the opens the kernel reads from the
// cache's file, with the cache's hold on that file while any is open; the
// direct-I/O opens; and whether any open went through the page cache, after
// which all do.
type openModes struct {
	mu         sync.Mutex
	cachedOnce bool // an open went through the page cache: all do
	direct     int  // open files the kernel reads from backing
	uncached   int  // open files read through compsfs with direct I/O
	backing    *cache.Backing
	fd         int // backing's file descriptor
}

// openFinal makes the handle of an open of a final output, with its open
// flags: for passthrough when the mount allows it and the cache has all of
// the file verified (or another passthrough open shares its backing); for
// direct I/O when passthrough may come once the file is verified; through
// the page cache otherwise.
func (f *OutputFile) openFinal(r remoteFile) (gofs.FileHandle, uint32) {
	mo := &f.modes
	mo.mu.Lock()
	defer mo.mu.Unlock()
	passthrough := f.m.passthrough.Load() && f.m.cfg.Content != nil && !mo.cachedOnce
	if passthrough && mo.direct == 0 && mo.uncached == 0 {
		if b, ok := f.m.cfg.Content.Backing(r.key); ok {
			mo.backing, mo.fd = b, int(b.File().Fd())
		}
	}
	h := &outputHandle{r}
	switch {
	case mo.backing != nil:
		mo.direct++
		return &passthroughHandle{outputHandle: h, node: f, fd: mo.fd}, fuse.FOPEN_KEEP_CACHE | readOnlyOpen
	case passthrough && cache.Verifiable(r.key):
		mo.uncached++
		return &uncachedHandle{outputHandle: h, node: f}, fuse.FOPEN_DIRECT_IO | readOnlyOpen
	}
	mo.cachedOnce = true
	return h, fuse.FOPEN_KEEP_CACHE | readOnlyOpen
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

// uncachedHandle is an open output read through compsfs with direct I/O,
// before its bytes are verified.
type uncachedHandle struct {
	*outputHandle
	node *OutputFile
}

var _ = (gofs.FileReleaser)((*uncachedHandle)(nil))

// Release ends a direct-I/O open; once none is left, the next open may be
// a passthrough one.
func (h *uncachedHandle) Release(ctx context.Context) syscall.Errno {
	mo := &h.node.modes
	mo.mu.Lock()
	defer mo.mu.Unlock()
	mo.uncached--
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
	case *uncachedHandle:
		return h.outputHandle
	}
	return nil
}
