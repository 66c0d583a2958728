package nodes

import (
	"context"
	"slices"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// EntityLink is a symlink to an entity folder of this mount: an entry of
// relations/<type>/ or of by-state/<State>/. Its target is relative, so it
// resolves inside the mount wherever the mount is.
type EntityLink struct {
	gofs.Inode
	nodeDefaults // refuses lchown, utimes and setxattr on the link
	m            *Mount
	target       string
}

var _ = (gofs.NodeReadlinker)((*EntityLink)(nil))
var _ = (gofs.NodeGetattrer)((*EntityLink)(nil))

// newEntityLink makes a symlink node whose content is target.
func newEntityLink(m *Mount, target string) *EntityLink {
	return &EntityLink{nodeDefaults: nodeDefaults{m}, m: m, target: target}
}

// entityLinkTarget is the relative target of a link to the folder of entity
// id of kind, from a folder depth levels below the mount's root
// (relations/<type>/ is 4 deep: workitems/<id>/relations/depends_on;
// by-state/<State>/ is 2). It reports false for an unknown kind or an id
// that is not a canonical UUID, which must never become a path.
func entityLinkTarget(depth int, kind client.Kind, id string) (string, bool) {
	if !kind.Valid() || !isCanonicalID(id) || depth < 0 {
		return "", false
	}
	return rootLink(depth, entityDirName(kind), id), true
}

// Readlink returns the target.
func (l *EntityLink) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	return []byte(l.target), 0
}

// Getattr reports a symlink whose size is its target's length.
func (l *EntityLink) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	l.m.fillAttr(&out.Attr, modeSymlink, uint64(len(l.target)), l.m.Started)
	out.SetTimeout(l.m.kernelTTL(false))
	return 0
}

// linkEntry is one symlink in a listing: its name (the id) and target.
type linkEntry struct {
	id, target string
}

// linkEntries turns a server's list of related entities into sorted,
// de-duplicated link entries depth levels below the root. Entries with an
// unknown kind or an id that is not a UUID are skipped and logged; ids are
// written in their canonical lowercase form.
func (m *Mount) linkEntries(depth int, rel []client.RelatedEntity, where string) []linkEntry {
	seen := map[string]bool{}
	var out []linkEntry
	for _, r := range rel {
		id, err := client.CanonicalID(r.ID)
		if err != nil {
			m.log.Warn("skipping a related entity with a bad id", "in", where, "id", r.ID, "type", r.ObjectType)
			continue
		}
		target, ok := entityLinkTarget(depth, r.ObjectType, id)
		if !ok {
			m.log.Warn("skipping a related entity of an unknown type", "in", where, "id", r.ID, "type", r.ObjectType)
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, linkEntry{id: id, target: target})
		}
	}
	slices.SortFunc(out, func(a, b linkEntry) int { return strings.Compare(a.id, b.id) })
	return out
}
