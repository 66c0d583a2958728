package nodes

import (
	"strings"
	"syscall"

	"github.com/compsfs/compsfs/client"
)

// maxNameLen is the longest name of an entry, in bytes (NAME_MAX): longer
// names are ENAMETOOLONG when asked for, and skipped when the server sends
// them (docs/errors.md).
const maxNameLen = 255

// nameErrno is ENAMETOOLONG for a name longer than maxNameLen, else 0. Every
// lookup checks it first, so every create, mkdir, mknod, symlink, link or
// rename to such a name fails with it too.
func nameErrno(name string) syscall.Errno {
	if len(name) > maxNameLen {
		return syscall.ENAMETOOLONG
	}
	return 0
}

// isCanonicalID reports whether name is a UUID in the canonical lowercase
// form, the only spelling under which entities appear (docs/tree.md).
func isCanonicalID(name string) bool {
	id, err := client.CanonicalID(name)
	return err == nil && id == name
}

// safeName reports whether a name the server sent can be a directory entry:
// not empty, ".", "..", without "/" or NUL, and at most maxNameLen bytes
// (docs/errors.md).
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") && len(name) <= maxNameLen
}
