package nodes

import (
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// fillAttr sets what every node reports: type and permissions, size, times
// (all three set to mtime) and the mounting user as owner.
func (m *Mount) fillAttr(a *fuse.Attr, mode uint32, size uint64, mtime time.Time) {
	a.Mode = mode
	a.Size = size
	a.Blocks = (size + 511) / 512
	a.Blksize = 4096
	if mtime.IsZero() {
		mtime = m.Started
	}
	a.SetTimes(&mtime, &mtime, &mtime)
	a.Owner = fuse.Owner{Uid: m.cfg.UID, Gid: m.cfg.GID}
	if mode&syscall.S_IFDIR != 0 {
		a.Nlink = 2
	} else {
		a.Nlink = 1
	}
}

// Modes of docs/tree.md: files 0444 unless writable (0644), folders 0555 unless
// one can create in them (0755).
const (
	modeFile         = syscall.S_IFREG | 0o444
	modeWritableFile = syscall.S_IFREG | 0o644
	modeDir          = syscall.S_IFDIR | 0o555
	modeWritableDir  = syscall.S_IFDIR | 0o755
	modeSymlink      = syscall.S_IFLNK | 0o777
)

// setEntryTTL sets the kernel's entry and attribute timeouts of a lookup answer.
func setEntryTTL(out *fuse.EntryOut, ttl time.Duration) {
	out.SetEntryTimeout(ttl)
	out.SetAttrTimeout(ttl)
}
