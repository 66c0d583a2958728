package nodes

import (
	"context"
	"fmt"
	"io"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Live outputs (docs/tree.md): an output of a work item or simulation that
// is not finished may still grow, and has no md5 to cache it by. Such a
// file is opened with direct I/O (the kernel keeps no pages and does not cut
// reads at an old size), its size is described afresh at every stat of an
// open descriptor (within --attr-ttl, like the outputs listing), and its
// bytes are read by range straight from the server, never from the content
// cache. tail -f, less +F and watch cat follow it. Once the entity is final,
// a new open reads through the verified cache as any other output.

// liveHandle is an open output of an unfinished entity; every stat and
// read describes the file afresh.
type liveHandle struct{}

// openLive opens an output of an unfinished entity.
func openLive() (gofs.FileHandle, uint32, syscall.Errno) {
	return &liveHandle{}, fuse.FOPEN_DIRECT_IO | readOnlyOpen, 0
}

// readLive reads by range from the server, up to the file's current size.
func (f *OutputFile) readLive(ctx context.Context, h *liveHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	r, errno := f.current(ctx, nil, "read")
	if errno != 0 {
		return nil, errno
	}
	n := min(int64(len(dest)), r.size-off)
	if n <= 0 {
		return fuse.ReadResultData(nil), 0
	}
	ctx, cancel := f.m.callCtx(ctx)
	defer cancel()
	err := func() error {
		body, err := f.m.cfg.Client.Download(ctx, r.url, off, n)
		if err != nil {
			return err
		}
		defer body.Close()
		if _, err := io.ReadFull(body, dest[:n]); err != nil {
			return fmt.Errorf("read %d bytes at %d: %w", n, off, err)
		}
		return nil
	}()
	if err != nil {
		f.m.logError("read", err, "path", f.Path(nil), "url", r.url, "offset", off, "length", n)
		return nil, toErrno(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}
