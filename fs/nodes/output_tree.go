package nodes

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/compsfs/compsfs/client"
)

// outputTree is a flattened output listing turned into folders: every folder
// of the working directory, by its path ("" is the top), with its entries
// sorted by name. Entries whose path is unsafe or clashes with another are
// left out and named in skipped.
type outputTree struct {
	dirs    map[string][]outputEntry
	skipped []skippedOutput
}

// outputEntry is one name in an output folder: a file (file set) or a folder.
type outputEntry struct {
	name string
	path string // from the top of outputs/, "/"-separated
	file *client.OutputFile
}

// skippedOutput is a listing entry left out of the tree, and why.
type skippedOutput struct {
	path, reason string
}

// splitOutputPath splits a path the server sent into its components, on "/"
// only (a "\" is an ordinary character). It refuses, rather than cleans, any
// path that could lead outside its folder or is not a plain relative path:
// absolute, with a NUL, or with an empty, "." or ".." component.
func splitOutputPath(p string) ([]string, bool) {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
		return nil, false
	}
	parts := strings.Split(p, "/")
	for _, part := range parts {
		if !safeName(part) {
			return nil, false
		}
	}
	return parts, true
}

// buildOutputTree turns a flattened listing into a tree. The result does not
// depend on the order of the listing: a folder wins over a file of the same
// path, and of two files with one path the first in path order wins.
func buildOutputTree(files []client.OutputFile) *outputTree {
	t := &outputTree{dirs: map[string][]outputEntry{"": nil}}
	type safeFile struct {
		path  string
		parts []string
		f     *client.OutputFile
	}
	var safe []safeFile
	for i := range files {
		f := &files[i]
		p := f.Path()
		parts, ok := splitOutputPath(p)
		switch {
		case !ok:
			t.skipped = append(t.skipped, skippedOutput{p, "unsafe path"})
		case f.Length < 0:
			t.skipped = append(t.skipped, skippedOutput{p, "negative length"})
		default:
			safe = append(safe, safeFile{p, parts, f})
		}
	}
	slices.SortStableFunc(safe, func(a, b safeFile) int { return cmp.Compare(a.path, b.path) })

	for _, sf := range safe { // every folder first, so that folders win
		parent := ""
		for _, name := range sf.parts[:len(sf.parts)-1] {
			p := joinOutputPath(parent, name)
			if _, ok := t.dirs[p]; !ok {
				t.dirs[p] = nil
				t.dirs[parent] = append(t.dirs[parent], outputEntry{name: name, path: p})
			}
			parent = p
		}
	}
	taken := map[string]bool{}
	for _, sf := range safe {
		_, isDir := t.dirs[sf.path]
		switch {
		case isDir:
			t.skipped = append(t.skipped, skippedOutput{sf.path, "a folder has the same path"})
		case taken[sf.path]:
			t.skipped = append(t.skipped, skippedOutput{sf.path, "duplicate path"})
		default:
			taken[sf.path] = true
			dir := strings.Join(sf.parts[:len(sf.parts)-1], "/")
			t.dirs[dir] = append(t.dirs[dir], outputEntry{name: sf.parts[len(sf.parts)-1], path: sf.path, file: sf.f})
		}
	}
	for dir, entries := range t.dirs {
		slices.SortFunc(entries, func(a, b outputEntry) int { return cmp.Compare(a.name, b.name) })
		t.dirs[dir] = entries
	}
	return t
}

// joinOutputPath is dir/name, or name at the top.
func joinOutputPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// entries returns a folder's entries, and false when there is no such folder.
func (t *outputTree) entries(dir string) ([]outputEntry, bool) {
	e, ok := t.dirs[dir]
	return e, ok
}

// lookup finds the entry name in folder dir.
func (t *outputTree) lookup(dir, name string) (outputEntry, bool) {
	entries := t.dirs[dir]
	i, ok := slices.BinarySearchFunc(entries, name, func(e outputEntry, name string) int { return cmp.Compare(e.name, name) })
	if !ok {
		return outputEntry{}, false
	}
	return entries[i], true
}

// file finds the file at path p.
func (t *outputTree) file(p string) (*client.OutputFile, bool) {
	dir, name := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	e, ok := t.lookup(dir, name)
	if !ok || e.file == nil {
		return nil, false
	}
	return e.file, true
}

// derived keeps what was computed from a listing for as long as the caches
// hand out that same listing (the same slice), so that a listing is turned
// into a tree, and its bad entries are logged, once.
type derived[S, R any] struct {
	mu   sync.Mutex
	from []S
	val  R
	ok   bool
}

// get returns the value computed from list, computing it with build if list
// is not the listing the kept value came from.
func (d *derived[S, R]) get(list []S, build func([]S) R) R {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.ok || !sameSlice(d.from, list) {
		d.from, d.val, d.ok = list, build(list), true
	}
	return d.val
}

// sameSlice reports whether a and b are the same slice (same array and length).
func sameSlice[S any](a, b []S) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
