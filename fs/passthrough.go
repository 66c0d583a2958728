package fs

import (
	"log/slog"
	"os"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// passthroughWorks reports whether the kernel takes files of the content
// cache's folder as backing files, for it to read verified outputs itself
// (FUSE passthrough, docs/caching.md): the kernel offers it and lets
// direct-I/O files be mapped shared (outputs are opened for direct I/O
// until they are verified, and mmap must work on them), compsfs runs as
// root (registering a file takes CAP_SYS_ADMIN) and the cache's filesystem
// is not itself stacked (an overlayfs, as in many containers). It registers
// a file of the folder and lets it go.
func passthroughWorks(server *fuse.Server, folder string, log *slog.Logger) bool {
	const needed = fuse.CAP_PASSTHROUGH | fuse.CAP_DIRECT_IO_ALLOW_MMAP
	if os.Geteuid() != 0 || server.KernelSettings().Flags64()&needed != needed {
		return false
	}
	f, err := os.CreateTemp(folder, ".passthrough-probe-*")
	if err != nil {
		log.Debug("no passthrough: cannot make a probe file", "folder", folder, "err", err)
		return false
	}
	defer os.Remove(f.Name())
	defer f.Close()
	id, errno := server.RegisterBackingFd(&fuse.BackingMap{Fd: int32(f.Fd())})
	if errno != 0 {
		log.Debug("no passthrough: the kernel refuses the cache's files as backing files", "folder", folder, "err", errno)
		return false
	}
	server.UnregisterBackingFd(id)
	return true
}
