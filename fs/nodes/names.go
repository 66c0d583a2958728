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

// safeName reports whether a name the server sent can be a directory entry:
// not empty, ".", "..", and without "/" or NUL (docs/errors.md).
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}
