package nodes

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/compsfs/compsfs/client"
)

// Targets of `ln -s TARGET relations/<type>/<id>` (docs/writing.md): any path to an
// entity folder of this mount, absolute or relative to the link's folder.
// They are resolved by their text alone, never by looking them up through
// the mount (which would be a request to this filesystem from inside one
// of its own handlers).

// virtualRoot stands for the mount's root when its path is unknown, so
// that relative targets still resolve; no real path contains a NUL.
const virtualRoot = "/\x00compsfs"

// SetMountPoint tells the tree where it is mounted, so that symlink targets
// written as absolute paths can be recognised; fs.Mount calls it before
// mounting. Both the path as given (made absolute) and the path with
// symlinks resolved are accepted.
func (m *Mount) SetMountPoint(dir string) {
	var roots []string
	if abs, err := filepath.Abs(dir); err == nil {
		roots = append(roots, abs)
		if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
			roots = append(roots, real)
		}
	}
	m.mountPoints.Store(&roots)
}

// mountPointPaths are the paths of the mount's root, none when unknown.
func (m *Mount) mountPointPaths() []string {
	if p := m.mountPoints.Load(); p != nil {
		return *p
	}
	return nil
}

// relationTarget is the entity whose folder target names: a path to
// <kind>s/<id>, experiments/<eid>/simulations/<id> or
// suites/<sid>/experiments/<id> under one of roots (the mount point's
// paths), or a path relative to linkDir (the link's folder, from the
// mount's root). It reports false for anything else: another folder or file
// of the mount, a path outside it, an id that is not in canonical form.
func relationTarget(roots []string, linkDir, target string) (client.Kind, string, bool) {
	if target == "" || strings.ContainsRune(target, 0) {
		return "", "", false
	}
	if !path.IsAbs(target) {
		root := virtualRoot
		if len(roots) > 0 {
			root = roots[0]
		} else {
			roots = []string{virtualRoot}
		}
		target = path.Join(root, linkDir, target)
	}
	target = path.Clean(target)
	for _, root := range roots {
		rest, ok := strings.CutPrefix(target, strings.TrimSuffix(root, "/")+"/")
		if !ok {
			continue
		}
		if kind, id, ok := entityFolderPath(strings.Split(rest, "/")); ok {
			return kind, id, true
		}
	}
	return "", "", false
}

// entityFolderPath is the entity whose folder path (names from the root)
// is: <kind>s/<id>, or a contained entity's place in its parent
// (experiments/<eid>/simulations/<id>, suites/<sid>/experiments/<id>).
func entityFolderPath(path []string) (client.Kind, string, bool) {
	if n := len(path); n == 4 && isCanonicalID(path[1]) && isCanonicalID(path[3]) {
		switch {
		case path[0] == entityDirName(client.KindExperiment) && path[2] == "simulations":
			return client.KindSimulation, path[3], true
		case path[0] == entityDirName(client.KindSuite) && path[2] == "experiments":
			return client.KindExperiment, path[3], true
		}
	}
	if len(path) != 2 || !isCanonicalID(path[1]) {
		return "", "", false
	}
	for _, k := range client.Kinds {
		if entityDirName(k) == path[0] {
			return k, path[1], true
		}
	}
	return "", "", false
}

// reverseFolder is the folder of an entity of kind that shows the work
// items pointing at it by relType ("depended_on_by", "created_by"), ""
// when the kind has none.
func reverseFolder(kind client.Kind, relType client.RelationType) string {
	for _, f := range relationFolders(kind) {
		if f.reverse && f.relType == relType {
			return f.name
		}
	}
	return ""
}
