package nodes

import (
	"slices"
	"syscall"
)

// xattr is one extended attribute of docs/tree.md (user.comps.id, ...).
type xattr struct{ name, value string }

// getXattr answers getxattr from a node's attribute list: the size when dest
// is empty, ERANGE when it is too small, ENODATA for an unknown name.
func getXattr(attrs []xattr, name string, dest []byte) (uint32, syscall.Errno) {
	i := slices.IndexFunc(attrs, func(a xattr) bool { return a.name == name })
	if i < 0 {
		return 0, syscall.ENODATA
	}
	v := attrs[i].value
	if len(dest) == 0 {
		return uint32(len(v)), 0
	}
	if len(dest) < len(v) {
		return uint32(len(v)), syscall.ERANGE
	}
	return uint32(copy(dest, v)), 0
}

// listXattr answers listxattr: the names, each NUL-terminated.
func listXattr(attrs []xattr, dest []byte) (uint32, syscall.Errno) {
	var b []byte
	for _, a := range attrs {
		b = append(append(b, a.name...), 0)
	}
	if len(dest) == 0 {
		return uint32(len(b)), 0
	}
	if len(dest) < len(b) {
		return uint32(len(b)), syscall.ERANGE
	}
	return uint32(copy(dest, b)), 0
}

// entityXattrs are the attributes of an entity folder.
func entityXattrs(kind, id string) []xattr {
	return []xattr{{"user.comps.id", id}, {"user.comps.type", kind}}
}

// removeXattr answers removexattr of name on a node whose attributes are
// attrs: EROFS on a --read-only mount, ENODATA for a name the node does not
// have, and for one it has the refusal of any change (docs/errors.md).
func (m *Mount) removeXattr(attrs []xattr, name string) syscall.Errno {
	switch {
	case m.cfg.ReadOnly:
		return syscall.EROFS
	case !slices.ContainsFunc(attrs, func(a xattr) bool { return a.name == name }):
		return syscall.ENODATA
	}
	return syscall.EACCES
}
