package nodes

import "github.com/hanwen/go-fuse/v2/fuse"

// statfsBlock is the block size statfs reports.
const statfsBlock = 4096

// statfs fills the answer to statfs, the same for every path of the mount
// (docs/errors.md): the output cache's bound (--cache-size) as the size, what
// it holds on disk as used, the rest as free, and the longest name. The
// count of files is unknown and left at 0.
func (m *Mount) statfs(out *fuse.StatfsOut) {
	total := max(m.cfg.CacheBytes, 0)
	var used int64
	if m.cfg.Content != nil {
		used = m.cfg.Content.Stats().BytesOnDisk
	}
	free := max(total-used, 0)
	out.Bsize, out.Frsize = statfsBlock, statfsBlock
	out.Blocks = uint64((total + statfsBlock - 1) / statfsBlock)
	out.Bfree = uint64(free / statfsBlock)
	out.Bavail = out.Bfree
	out.NameLen = maxNameLen
}
