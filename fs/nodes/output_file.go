package nodes

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
)

// remoteFile describes a file whose bytes are on the server: what names its
// content in the content cache, where to download it, its exact size and
// time, whether it can still change, and its extended attributes.
type remoteFile struct {
	key    cache.Key
	url    string
	size   int64
	mtime  time.Time
	final  bool
	xattrs []xattr
}

// OutputFile is a read-only file whose bytes are a file on the server: an
// output under outputs/, or one of a work item's own files under files/. Its
// size is exact before any download; reads go through the on-disk content
// cache, which downloads only the chunks read.
type OutputFile struct {
	gofs.Inode
	nodeDefaults // refuses chmod, chown, utimes, truncate and setxattr
	m            *Mount
	describe     func(ctx context.Context) (remoteFile, error)
	modes        openModes // its open files by kind (passthrough.go)
	// failedCheck is the last time a read found the file's bytes did not
	// match the server's md5 (nil if none).
	failedCheck atomic.Pointer[checkFailure]
}

// checkFailure is when a read found bytes that did not match the md5 the
// description names.
type checkFailure struct {
	key cache.Key
	at  time.Time
}

var _ = (gofs.NodeGetattrer)((*OutputFile)(nil))
var _ = (gofs.NodeOpener)((*OutputFile)(nil))
var _ = (gofs.NodeReader)((*OutputFile)(nil))
var _ = (gofs.NodeGetxattrer)((*OutputFile)(nil))
var _ = (gofs.NodeListxattrer)((*OutputFile)(nil))
var _ = (gofs.NodeRemovexattrer)((*OutputFile)(nil))

// newOutputFile makes a server file's node; describe finds what it is, from
// cached metadata, at each stat and open.
func newOutputFile(m *Mount, describe func(ctx context.Context) (remoteFile, error)) *OutputFile {
	return &OutputFile{nodeDefaults: nodeDefaults{m}, m: m, describe: describe}
}

// serverFileBlksize is the block size (st_blksize) server files report: the
// I/O size they prefer, as a network filesystem's (NFS reports its rsize).
// Tools such as cat and cp size their reads by it, so that a read of 512
// KiB is one request to compsfs rather than four of 128 KiB. Not more: a
// reader's buffer that no longer fits in the CPU's L2 cache makes each copy
// slower; reads of 1 MiB of a cached output took 4% longer than reads of
// 512 KiB (131 against 126 ms per GiB on this 2-core machine, whose L2 is
// 2 MiB), and a cold read was no faster.
const serverFileBlksize = 512 << 10

// outputHandle is an open server file: the description taken at open.
type outputHandle struct{ r remoteFile }

// current returns the open file's description, or a fresh one (always for
// a live output, whose size may grow while it is open).
func (f *OutputFile) current(ctx context.Context, fh gofs.FileHandle, op string) (remoteFile, syscall.Errno) {
	if h := outputOf(fh); h != nil {
		return h.r, 0
	}
	ctx, cancel := f.m.callCtx(ctx)
	defer cancel()
	r, err := f.describe(ctx)
	if err != nil {
		f.m.logError(op, err, "path", f.Path(nil))
		return remoteFile{}, toErrno(err)
	}
	return r, 0
}

// Getattr reports the file's exact size and time from cached metadata.
func (f *OutputFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	r, errno := f.current(ctx, fh, "stat")
	if errno != 0 {
		return errno
	}
	f.m.fillAttr(&out.Attr, modeFile, uint64(r.size), r.mtime)
	out.Blksize = serverFileBlksize
	out.SetTimeout(f.m.kernelTTL(r.final))
	return 0
}

// Open takes the file's description for this open file. Files of final
// entities are read by the kernel from the cache itself, or through compsfs
// until they are verified, or through the page cache (passthrough.go);
// others are live (live_output.go).
func (f *OutputFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) != 0 {
		return nil, 0, f.m.refuseWrite()
	}
	r, errno := f.current(ctx, nil, "open")
	if errno != 0 {
		return nil, 0, errno
	}
	if !r.final {
		return openLive()
	}
	h, flags := f.openFinal(r)
	return h, flags, 0
}

// Read serves bytes through the content cache within --timeout, handing the
// kernel the cached chunk file's descriptor to splice from (no copy through
// user space) when one chunk holds the bytes. A read that is interrupted or
// times out returns at once (EINTR or EIO) while the download goes on and
// fills the cache for the next reader. Once a read found the bytes did not
// match the server's md5, reads fail at once (EIO) for --attr-ttl.
func (f *OutputFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off < 0 {
		return nil, syscall.EINVAL
	}
	if live, ok := fh.(*liveHandle); ok {
		return f.readLive(ctx, live, dest, off)
	}
	h := outputOf(fh)
	if h == nil {
		return nil, syscall.EBADF
	}
	if off >= h.r.size || len(dest) == 0 {
		return fuse.ReadResultData(nil), 0
	}
	content := f.m.cfg.Content
	if content == nil {
		f.m.logError("read", errors.New("the mount has no content cache"), "path", f.Path(nil))
		return nil, syscall.EIO
	}
	if fc := f.failedCheck.Load(); fc != nil && fc.key == h.r.key && f.m.cfg.Now().Sub(fc.at) < f.m.cfg.AttrTTL {
		// The md5 is as fresh as the listing: until that is refreshed,
		// the verdict stands and the file is not downloaded again.
		return nil, syscall.EIO
	}
	ctx, cancel := f.m.callCtx(ctx)
	defer cancel()
	held, err := content.Hold(ctx, h.r.key, f.source(h.r.url), off, len(dest))
	if err == nil {
		if file, at, ok := held.File(); ok {
			return newHeldRead(held, file, at), 0
		}
		defer held.Release()
		var n int
		if n, err = held.Copy(dest); err == nil {
			return fuse.ReadResultData(dest[:n]), 0
		}
	}
	if errors.Is(err, cache.ErrCorrupt) {
		f.failedCheck.Store(&checkFailure{key: h.r.key, at: f.m.cfg.Now()})
	}
	f.m.logError("read", err, "path", f.Path(nil), "url", h.r.url, "offset", off, "length", len(dest))
	return nil, toErrno(err)
}

// source downloads ranges of the file at url. The client retries (and
// resumes a body cut short) only while a reader waits for the download.
func (f *OutputFile) source(url string) cache.Source {
	return func(ctx context.Context, off, length int64) (io.ReadCloser, error) {
		ctx = client.RetryWhile(ctx, func() bool { return cache.Wanted(ctx) })
		return f.m.cfg.Client.Download(ctx, url, off, length)
	}
}

// Getxattr answers user.comps.id, user.comps.type, user.comps.md5 and
// user.comps.url.
func (f *OutputFile) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	r, errno := f.current(ctx, nil, "getxattr")
	if errno != 0 {
		return 0, errno
	}
	return getXattr(r.xattrs, attr, dest)
}

// Listxattr lists the file's extended attributes.
func (f *OutputFile) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	r, errno := f.current(ctx, nil, "listxattr")
	if errno != 0 {
		return 0, errno
	}
	return listXattr(r.xattrs, dest)
}

// Removexattr is refused for the attributes the file has (EACCES), ENODATA
// for any other name.
func (f *OutputFile) Removexattr(ctx context.Context, attr string) syscall.Errno {
	r, errno := f.current(ctx, nil, "removexattr")
	if errno != 0 {
		return errno
	}
	return f.m.removeXattr(r.xattrs, attr)
}
