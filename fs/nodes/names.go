package nodes

import (
	"strings"

	"github.com/compsfs/compsfs/client"
)

// isCanonicalID reports whether name is a UUID in the canonical lowercase
// form, the only spelling under which entities appear (docs/tree.md).
func isCanonicalID(name string) bool {
	id, err := client.CanonicalID(name)
	return err == nil && id == name
}

// maxNameLen is the longest name Linux lets a folder entry have (NAME_MAX).
const maxNameLen = 255

// safeName reports whether a name the server sent can be a directory entry:
// not empty, ".", "..", without "/" or NUL, and no longer than NAME_MAX
// bytes (docs/errors.md).
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") && len(name) <= maxNameLen
}
