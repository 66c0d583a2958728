package fs

import (
	"strings"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// userNamespaces answers getxattr outside the user. namespace (security.,
// system., trusted.) with ENOTSUP: compsfs keeps no SELinux labels, no POSIX
// ACLs and no trusted attributes, and says so the way any filesystem
// without them does (docs/errors.md). Tools take ENOTSUP as "this
// filesystem has none" and stop asking for the rest of it: `ls -l` asks
// for a label and an ACL of its first file only, instead of three
// requests per file that each came back ENODATA.
type userNamespaces struct{ fuse.RawFileSystem }

// GetXAttr refuses names outside user. before any node is looked up.
func (u userNamespaces) GetXAttr(cancel <-chan struct{}, header *fuse.InHeader, attr string, dest []byte) (uint32, fuse.Status) {
	if !strings.HasPrefix(attr, "user.") {
		return 0, fuse.ENOTSUP
	}
	return u.RawFileSystem.GetXAttr(cancel, header, attr, dest)
}
