package fs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// What TestEveryNodeAnswersMutationsAsTheContractSays calls: every mutating
// call, on a node (chmod ... remove) or, for folders, inside it (create ...
// rename in). Calls that are not one of the node's own are left out of its
// row: truncate and open for writing of a folder (the kernel answers EISDIR),
// link of a folder (the kernel answers EPERM), create, mkdir, mknod, symlink
// and rename into a file or a symlink (ENOTDIR), removexattr of an existing
// name on a node that has no extended attributes, and rename, link and
// removal of the mount's root (EBUSY). A symlink is changed with the calls
// that do not follow it (lchown, utimensat with AT_SYMLINK_NOFOLLOW,
// lsetxattr, lremovexattr), except chmod, which Linux cannot apply to a
// symlink and so follows it.
const (
	callOpenWrite      = "open for writing"
	callChmod          = "chmod"
	callChown          = "chown"
	callUtimes         = "utimes"
	callSetxattr       = "setxattr"
	callRemovexattr    = "removexattr of a name it has"
	callRemoveMissing  = "removexattr of a name it has not"
	callTruncate       = "truncate"
	callCreate         = "create in"
	callMkdir          = "mkdir in"
	callMknod          = "mknod in"
	callSymlink        = "symlink in"
	callRenameIn       = "rename into"
	callRenameOut      = "rename"
	callLink           = "link"
	callRemove         = "unlink or rmdir"
	errnoTableReadOnly = "with --read-only"
)

// callOrder is the order the calls are made on each node: removal last,
// since it may succeed.
var callOrder = []string{callOpenWrite, callChmod, callChown, callUtimes, callSetxattr, callRemovexattr,
	callRemoveMissing, callTruncate, callCreate, callMkdir, callMknod, callSymlink, callRenameIn, callRenameOut,
	callLink, callRemove}

// nodeKind is what kind of entry a row is about, which decides its calls.
type nodeKind int

const (
	kindFile nodeKind = iota
	kindDir
	kindLink
	kindRoot
)

// errnoRow is one node and what each call on it answers on a normal mount
// where that is not the default: EACCES, and ENODATA for removing an
// extended attribute the node does not have. On a --read-only mount every
// call answers EROFS, unless readOnly says otherwise.
type errnoRow struct {
	path     string // inside the mount; "" for the root
	kind     nodeKind
	xattr    string // an extended attribute the node has, "" for none
	want     map[string]syscall.Errno
	readOnly map[string]syscall.Errno
	// inbox marks the rows of inbox entries, which a --read-only mount
	// does not have (it leaves the spool alone).
	inbox bool
}

// calls is the row's calls in order.
func (r errnoRow) calls() []string {
	var out []string
	for _, c := range callOrder {
		switch c {
		case callOpenWrite, callTruncate:
			if r.kind != kindFile {
				continue
			}
		case callRemovexattr:
			if r.xattr == "" {
				continue
			}
		case callCreate, callMkdir, callMknod, callSymlink, callRenameIn:
			if r.kind != kindDir && r.kind != kindRoot {
				continue
			}
		case callLink:
			if r.kind == kindDir || r.kind == kindRoot {
				continue
			}
		case callRenameOut, callRemove:
			if r.kind == kindRoot {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// expected is what call answers on the row's node.
func (r errnoRow) expected(call string, readOnly bool) syscall.Errno {
	switch {
	case readOnly && hasKey(r.readOnly, call):
		return r.readOnly[call]
	case readOnly:
		return syscall.EROFS
	case hasKey(r.want, call):
		return r.want[call]
	case call == callRemoveMissing:
		return syscall.ENODATA
	}
	return syscall.EACCES
}

// hasKey reports whether m has k (a 0 errno is an expected success).
func hasKey(m map[string]syscall.Errno, k string) bool {
	_, ok := m[k]
	return ok
}

// accepted are the answers of a writable file: opened for writing, and
// chmod, chown and utimes accepted and ignored.
func accepted(more map[string]syscall.Errno) map[string]syscall.Errno {
	m := map[string]syscall.Errno{callOpenWrite: 0, callChmod: 0, callChown: 0, callUtimes: 0, callTruncate: 0}
	for k, v := range more {
		m[k] = v
	}
	return m
}

// linkRefusals are the answers the kernel itself gives for a symlink's
// extended attributes: user.* attributes are only for files and folders.
var linkRefusals = map[string]syscall.Errno{callSetxattr: syscall.EPERM, callRemoveMissing: syscall.EPERM}

// do makes one call on the node of row r, at p in the mount at root, and
// returns its errno.
func do(call string, r errnoRow, root, p string) syscall.Errno {
	dir := filepath.Dir(p)
	var err error
	switch call {
	case callOpenWrite:
		var f *os.File
		if f, err = os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	case callChmod:
		err = unix.Fchmodat(unix.AT_FDCWD, p, 0o600, 0)
	case callChown:
		err = unix.Lchown(p, os.Getuid(), os.Getgid())
	case callUtimes:
		ts := []unix.Timespec{unix.NsecToTimespec(1e9), unix.NsecToTimespec(2e9)}
		err = unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
	case callSetxattr:
		err = unix.Lsetxattr(p, "user.test", []byte("v"), 0)
	case callRemovexattr:
		err = unix.Lremovexattr(p, r.xattr)
	case callRemoveMissing:
		err = unix.Lremovexattr(p, "user.missing")
	case callTruncate:
		err = unix.Truncate(p, 0)
	case callCreate:
		var f *os.File
		if f, err = os.OpenFile(filepath.Join(p, "new.json"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
			f.Close() // an empty inbox order is refused at close; the create itself succeeded
		}
	case callMkdir:
		err = unix.Mkdir(filepath.Join(p, "newdir"), 0o755)
	case callMknod:
		err = unix.Mknod(filepath.Join(p, "fifo"), unix.S_IFIFO|0o644, 0)
	case callSymlink:
		err = unix.Symlink("nowhere", filepath.Join(p, "sym"))
	case callRenameIn:
		err = unix.Rename(filepath.Join(root, "README"), filepath.Join(p, "moved"))
	case callRenameOut:
		err = unix.Rename(p, filepath.Join(dir, "renamed"))
	case callLink:
		err = unix.Linkat(unix.AT_FDCWD, p, unix.AT_FDCWD, filepath.Join(dir, "hardlink"), 0)
	case callRemove:
		if st, serr := os.Lstat(p); serr == nil && st.IsDir() {
			err = unix.Rmdir(p)
		} else {
			err = unix.Unlink(p)
		}
	}
	return errnoOf(err)
}

// errnoWorld is what the table's rows name: a finished work item with a
// tag, a file and an output, depending on another work item and an
// experiment, which has a finished simulation with an output.
type errnoWorld struct{ item, other, experiment, sim string }

// seedErrnoWorld seeds w.
func seedErrnoWorld(t *testing.T, w *errnoWorld) func(ctx context.Context, s *localcomps.Server) {
	return func(ctx context.Context, s *localcomps.Server) {
		w.item = seedOne(t, s, localcomps.SeedWorkItem{Name: "item", Description: "d", State: "Succeeded",
			Tags:    map[string]any{"a": "1"},
			Files:   []localcomps.SeedFile{{Path: "input.txt", Data: []byte("in")}},
			Outputs: []localcomps.SeedFile{{Path: "sub/out.txt", Data: []byte("out")}}})
		w.other = seedOne(t, s, localcomps.SeedWorkItem{Name: "other", State: "Succeeded"})
		var err error
		if w.experiment, err = s.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "exp"}); err != nil {
			t.Fatal(err)
		}
		if w.sim, err = s.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "sim", ParentId: w.experiment,
			SimulationState: "Succeeded", Outputs: []localcomps.SeedFile{{Path: "out.txt", Data: []byte("out")}}}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ kind, to string }{{"WorkItem", w.other}, {"Experiment", w.experiment}} {
			if err := s.AddRelation(ctx, w.item, "DependsOn", r.kind, r.to); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// errnoRows is the table: every kind of node of the tree.
func errnoRows(w errnoWorld) []errnoRow {
	wi := func(p string) string { return filepath.Join("workitems", w.item, p) }
	ex := func(p string) string { return filepath.Join("experiments", w.experiment, p) }
	rows := []errnoRow{
		{path: "", kind: kindRoot},
		{path: "README"},
		{path: ".stats"},
		{path: "workitems", kind: kindDir},
		{path: wi(""), kind: kindDir, xattr: "user.comps.id"},
	}
	for _, f := range []string{"state", "owner", "worker", "environment_name", "priority", "date_created",
		"last_modified", "error_message", "host_name", "worker_instance_id", "working_directory",
		"working_directory_size", "asset_collection_id", "summary", "metadata.json", "plugins"} {
		rows = append(rows, errnoRow{path: wi(f)})
	}
	rows = append(rows,
		errnoRow{path: wi("ctl"), want: accepted(nil)},
		// An empty name is refused, so truncating it is EINVAL.
		errnoRow{path: wi("name"), want: accepted(map[string]syscall.Errno{callTruncate: syscall.EINVAL})},
		errnoRow{path: wi("description"), want: accepted(nil)},
		errnoRow{path: wi("tags"), kind: kindDir, want: map[string]syscall.Errno{callCreate: 0}},
		errnoRow{path: wi("tags/a"), want: accepted(map[string]syscall.Errno{callRemove: 0})},
		errnoRow{path: wi("files"), kind: kindDir},
		errnoRow{path: wi("files/input.txt"), xattr: "user.comps.id"},
		errnoRow{path: wi("relations"), kind: kindDir},
		// A link whose target is not an entity folder of the mount is EINVAL.
		errnoRow{path: wi("relations/depends_on"), kind: kindDir, want: map[string]syscall.Errno{callSymlink: syscall.EINVAL}},
		errnoRow{path: wi("relations/depends_on/" + w.other), kind: kindLink,
			want: merge(linkRefusals, map[string]syscall.Errno{callRemove: syscall.EPERM})},
		errnoRow{path: wi("outputs"), kind: kindDir},
		errnoRow{path: wi("outputs/sub"), kind: kindDir},
		errnoRow{path: wi("outputs/sub/out.txt"), xattr: "user.comps.md5"},
		errnoRow{path: "by-state", kind: kindDir},
		errnoRow{path: "by-state/Succeeded", kind: kindDir},
		errnoRow{path: "by-state/Succeeded/" + w.item, kind: kindLink, want: linkRefusals},
		// Every name in query/ is a query: one that is not (new.json,
		// newdir, renamed, ...) is EINVAL at the lookup that comes before
		// a create, mkdir, mknod, symlink or link, on any mount; a rename
		// meets the --read-only refusal first.
		errnoRow{path: "query", kind: kindDir, want: notAQuery(callCreate, callMkdir, callMknod, callSymlink, callRenameIn),
			readOnly: notAQuery(callCreate, callMkdir, callMknod, callSymlink)},
		errnoRow{path: "query/README", want: notAQuery(callRenameOut, callLink), readOnly: notAQuery(callLink)},
		errnoRow{path: "query/state=Succeeded", kind: kindDir, want: notAQuery(callRenameOut)},
		errnoRow{path: "query/state=Succeeded/" + w.item, kind: kindLink, want: linkRefusals},
		errnoRow{path: "experiments", kind: kindDir},
		errnoRow{path: ex(""), kind: kindDir, xattr: "user.comps.id"},
		errnoRow{path: ex("name"), want: accepted(map[string]syscall.Errno{callTruncate: syscall.EINVAL})},
		errnoRow{path: ex("description"), want: accepted(nil)},
		errnoRow{path: ex("metadata.json")},
		errnoRow{path: ex("relations/depended_on_by"), kind: kindDir},
		errnoRow{path: ex("simulations"), kind: kindDir},
		errnoRow{path: ex("simulations/" + w.sim), kind: kindDir, xattr: "user.comps.id"},
		errnoRow{path: ex("simulations/" + w.sim + "/state")},
		errnoRow{path: ex("simulations/" + w.sim + "/experiment"), kind: kindLink, want: linkRefusals},
		errnoRow{path: ex("simulations/" + w.sim + "/outputs/out.txt"), xattr: "user.comps.md5"},
		errnoRow{path: ex("by-state/Succeeded"), kind: kindDir},
		errnoRow{path: ex("by-state/Succeeded/" + w.sim), kind: kindLink, want: linkRefusals},
		errnoRow{path: "simulations/" + w.sim, kind: kindLink, want: linkRefusals},
		errnoRow{path: "inbox", kind: kindDir, want: map[string]syscall.Errno{callCreate: 0, callMkdir: 0}},
		// A work order the server refused stays a file, to be written again.
		errnoRow{path: "inbox/bad.json", inbox: true, want: accepted(map[string]syscall.Errno{callRemove: 0})},
		// The folder entry keeps its files (one more from "create in"): rmdir is ENOTEMPTY.
		errnoRow{path: "inbox/run", kind: kindDir, inbox: true, want: map[string]syscall.Errno{
			callChmod: 0, callChown: 0, callUtimes: 0, callCreate: 0, callRemove: syscall.ENOTEMPTY}},
		errnoRow{path: "inbox/run/input.txt", inbox: true, want: accepted(map[string]syscall.Errno{callRemove: 0})},
	)
	return rows
}

// notAQuery is EINVAL for each of calls.
func notAQuery(calls ...string) map[string]syscall.Errno {
	m := map[string]syscall.Errno{}
	for _, c := range calls {
		m[c] = syscall.EINVAL
	}
	return m
}

// merge is a and b in one map, b winning.
func merge(a, b map[string]syscall.Errno) map[string]syscall.Errno {
	m := map[string]syscall.Errno{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// TestEveryNodeAnswersMutationsAsTheContractSays makes every mutating call
// on every kind of node, on a normal mount and on a --read-only one, and
// compares each answer with the table (docs/errors.md): EACCES for what
// cannot be changed, EROFS for everything on a --read-only mount, ENODATA
// for removing an extended attribute that is not there, EPERM for removing
// a relation, and success for what the writable files and folders take.
func TestEveryNodeAnswersMutationsAsTheContractSays(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		name := "normal mount"
		if readOnly {
			name = errnoTableReadOnly
		}
		t.Run(name, func(t *testing.T) {
			var w errnoWorld
			e := startEnv(t, envConfig{seed: seedErrnoWorld(t, &w)}, func(o *compsfs.Options) {
				o.SpoolDir, o.ReadOnly = t.TempDir(), readOnly
			})
			if !readOnly {
				if err := e.write("inbox/bad.json", []byte("{")); !errors.Is(err, syscall.EINVAL) {
					t.Fatalf("a broken work order: %v, want EINVAL", err)
				}
				if err := os.Mkdir(e.path("inbox", "run"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(e.path("inbox", "run", "input.txt"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range errnoRows(w) {
				if readOnly && r.inbox {
					continue // a --read-only mount leaves the spool alone: no entries
				}
				p := e.path(r.path)
				for _, call := range r.calls() {
					if got, want := do(call, r, e.dir, p), r.expected(call, readOnly); got != want {
						t.Errorf("%s, on /%s: %v, want %v", call, r.path, errnoName(got), errnoName(want))
					}
				}
			}
		})
	}
}

// errnoName is an errno's name, "success" for 0.
func errnoName(e syscall.Errno) string {
	if e == 0 {
		return "success"
	}
	return unix.ErrnoName(e)
}
