package fs_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// TestNamesLongerThan255BytesAreENAMETOOLONG: looking up, creating,
// making a folder or a symlink with a name of 256 bytes is ENAMETOOLONG in
// every folder, the writable ones included; 255 bytes is a name like any.
func TestNamesLongerThan255BytesAreENAMETOOLONG(t *testing.T) {
	var id, other string
	e := startEnv(t, envConfig{seed: func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Succeeded",
			Tags: map[string]any{strings.Repeat("k", 300): "too long to be a file"}})
		other = seedOne(t, s, localcomps.SeedWorkItem{Name: "o", State: "Succeeded"})
	}}, func(o *compsfs.Options) { o.SpoolDir = t.TempDir() })
	if err := os.Mkdir(e.path("inbox", "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 256)
	folders := [][]string{{}, {"workitems"}, {"workitems", id}, {"workitems", id, "tags"}, {"inbox"}, {"inbox", "run"},
		{"workitems", id, "relations", "depends_on"}, {"by-state", "Succeeded"}, {"experiments"}, {"query"}, {"query", "state=Succeeded"}}
	for _, f := range folders {
		dir := e.path(f...)
		if _, err := os.Lstat(dir + "/" + long); !errors.Is(err, syscall.ENAMETOOLONG) {
			t.Errorf("stat of a 256-byte name in /%s: %v, want ENAMETOOLONG", strings.Join(f, "/"), err)
		}
		if _, err := os.Create(dir + "/" + long + ".json"); !errors.Is(err, syscall.ENAMETOOLONG) {
			t.Errorf("create of a 261-byte name in /%s: %v, want ENAMETOOLONG", strings.Join(f, "/"), err)
		}
		if err := os.Mkdir(dir+"/"+long, 0o755); !errors.Is(err, syscall.ENAMETOOLONG) {
			t.Errorf("mkdir of a 256-byte name in /%s: %v, want ENAMETOOLONG", strings.Join(f, "/"), err)
		}
		if err := os.Symlink(e.path("workitems", other), dir+"/"+long); !errors.Is(err, syscall.ENAMETOOLONG) {
			t.Errorf("symlink of a 256-byte name in /%s: %v, want ENAMETOOLONG", strings.Join(f, "/"), err)
		}
	}
	// A tag the server has whose name would be too long is not listed.
	if got := e.names("workitems", id, "tags"); len(got) != 0 {
		t.Errorf("tags/ = %v, want nothing", got)
	}
	// 255 bytes is a name like any other.
	max := strings.Repeat("y", 250) + ".json"
	if err := os.WriteFile(e.path("workitems", id, "tags", max), []byte("v\n"), 0o644); err != nil {
		t.Errorf("a tag of 255 bytes: %v", err)
	}
	// An inbox entry leaves room for its NAME.error: a folder of 249 bytes
	// (its .error 255), not 250.
	if err := os.Mkdir(e.path("inbox", strings.Repeat("y", 249)), 0o755); err != nil {
		t.Errorf("an inbox folder of 249 bytes: %v", err)
	}
	if err := os.Mkdir(e.path("inbox", strings.Repeat("z", 250)), 0o755); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Errorf("an inbox folder of 250 bytes, whose .error could not exist: %v, want ENAMETOOLONG", err)
	}
}

// TestStatfsReportsTheCache: statfs of any path answers the output cache's
// bound as the size and its use as used blocks, and 255 as the longest name
// (what getconf NAME_MAX and df show).
func TestStatfsReportsTheCache(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Succeeded", Tags: map[string]any{"a": "1"},
			Outputs: []localcomps.SeedFile{{Path: "out.bin", Data: make([]byte, 100_000)}}})
	}, func(o *compsfs.Options) { o.CacheSize = 64 << 20 })
	paths := [][]string{{}, {"workitems", id, "tags"}, {"workitems", id, "tags", "a"}, {"inbox"}, {"README"}}
	statfs := func(parts ...string) unix.Statfs_t {
		t.Helper()
		var st unix.Statfs_t
		if err := unix.Statfs(e.path(parts...), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for _, p := range paths {
		st := statfs(p...)
		if st.Namelen != 255 || st.Bsize != 4096 || st.Frsize != 4096 || st.Blocks != (64<<20)/4096 || st.Bfree != st.Blocks ||
			st.Bavail != st.Bfree {
			t.Errorf("statfs of /%s with an empty cache: %+v", strings.Join(p, "/"), st)
		}
	}
	out, err := exec.Command("getconf", "NAME_MAX", e.path("workitems", id, "tags")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "255" {
		t.Errorf("getconf NAME_MAX: %q, %v", out, err)
	}
	_ = e.read("workitems", id, "outputs", "out.bin")
	used := e.opts.Content.Stats().BytesOnDisk
	if used < 100_000 {
		t.Fatalf("the cache holds %d bytes after reading 100000", used)
	}
	st := statfs()
	if free := (64<<20 - used) / 4096; st.Bfree != uint64(free) || st.Bavail != uint64(free) {
		t.Errorf("statfs after caching %d bytes: %d blocks free, want %d", used, st.Bfree, free)
	}
}

// TestInodeNumbersStayAfterTouchChmodChown: touch, chmod and chown of the
// writable files are accepted, change nothing, and leave the inode number
// as it was (the attributes the kernel keeps from them carry it).
func TestInodeNumbersStayAfterTouchChmodChown(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", Description: "d", State: "Succeeded",
			Tags: map[string]any{"a": "1"}})
	})
	ino := func(p string) uint64 {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	for _, f := range []string{"name", "description", "tags/a", "ctl"} {
		p := e.path("workitems", id, f)
		want := ino(p)
		if want == 0 {
			t.Fatalf("%s has inode 0", f)
		}
		ts := []unix.Timespec{unix.NsecToTimespec(1e9), unix.NsecToTimespec(2e9)}
		for what, err := range map[string]error{
			"touch": unix.UtimesNano(p, ts),
			"chmod": unix.Chmod(p, 0o600),
			"chown": unix.Chown(p, os.Getuid(), os.Getgid()),
		} {
			if err != nil {
				t.Errorf("%s %s: %v", what, f, err)
			}
			if got := ino(p); got != want {
				t.Errorf("after %s of %s: inode %d, want %d", what, f, got, want)
			}
		}
		if m := e.mode("workitems", id, f); m != 0o644 {
			t.Errorf("mode of %s after chmod 600: %v, want 0644 (chmod is ignored)", f, m)
		}
	}
	if got := e.read("workitems", id, "name"); got != "n\n" {
		t.Errorf("name after touch, chmod, chown = %q", got)
	}
	if names := e.names("workitems", id, "tags"); !slices.Equal(names, []string{"a"}) {
		t.Errorf("tags/ = %v", names)
	}
}
