package nodes

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// nodeDefaults is embedded by every node: the answers a node gives to what
// it does not answer itself (docs/errors.md). Its attributes cannot be
// changed (chmod, chown, utimes, truncate: EACCES, or EROFS on a --read-only
// mount), nor its extended attributes (setxattr: EACCES; removexattr:
// ENODATA, since it has none), and statfs describes the whole mount. The
// writable files answer Setattr themselves, the nodes with extended
// attributes Removexattr; folders get it through fixedEntries.
type nodeDefaults struct{ m *Mount }

var _ = (gofs.NodeSetattrer)((*nodeDefaults)(nil))
var _ = (gofs.NodeSetxattrer)((*nodeDefaults)(nil))
var _ = (gofs.NodeRemovexattrer)((*nodeDefaults)(nil))
var _ = (gofs.NodeStatfser)((*nodeDefaults)(nil))

// Setattr is refused: chmod, chown, utimes and truncate.
func (n *nodeDefaults) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	return n.m.refuseWrite()
}

// Setxattr is refused: extended attributes describe what is on the server.
func (n *nodeDefaults) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	return n.m.refuseWrite()
}

// Removexattr is ENODATA: the node has no extended attributes.
func (n *nodeDefaults) Removexattr(ctx context.Context, attr string) syscall.Errno {
	return n.m.removeXattr(nil, attr)
}

// Statfs describes the mount (Mount.statfs).
func (n *nodeDefaults) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	n.m.statfs(out)
	return 0
}
