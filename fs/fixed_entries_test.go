package fs_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// TestFixedFoldersRefuseNewEntries: creating, removing, linking or renaming
// entries of the read-only folders is EACCES (EROFS on a --read-only mount),
// never ENOTSUP or EROFS by accident.
func TestFixedFoldersRefuseNewEntries(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		want := syscall.EACCES
		if readOnly {
			want = syscall.EROFS
		}
		var id string
		e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
			id = seedOne(t, s, localcomps.SeedWorkItem{Name: "fixed", State: "Succeeded",
				Outputs: []localcomps.SeedFile{{Path: "sub/a.txt", Data: []byte("a")}}})
		}, func(o *fs.Options) { o.ReadOnly = readOnly })
		folders := []string{e.path(), e.path("workitems"), e.path("workitems", id), e.path("workitems", id, "outputs"),
			e.path("workitems", id, "outputs", "sub"), e.path("workitems", id, "files"), e.path("by-state"),
			e.path("experiments")}
		for _, dir := range folders {
			if _, err := os.Create(dir + "/new"); !errors.Is(err, want) {
				t.Errorf("read-only=%v: create in %s: %v, want %v", readOnly, dir, err, want)
			}
			if err := os.Mkdir(dir+"/newdir", 0o755); !errors.Is(err, want) {
				t.Errorf("read-only=%v: mkdir in %s: %v, want %v", readOnly, dir, err, want)
			}
		}
		if err := os.Remove(e.path("workitems", id, "outputs", "sub", "a.txt")); !errors.Is(err, want) {
			t.Errorf("read-only=%v: rm of an output: %v, want %v", readOnly, err, want)
		}
		if err := os.Rename(e.path("workitems", id, "outputs", "sub", "a.txt"), e.path("workitems", id, "outputs", "b.txt")); !errors.Is(err, want) {
			t.Errorf("read-only=%v: rename of an output: %v, want %v", readOnly, err, want)
		}
		if err := os.Symlink("x", e.path("workitems", "link")); !errors.Is(err, want) {
			t.Errorf("read-only=%v: symlink in workitems/: %v, want %v", readOnly, err, want)
		}
	}
}
