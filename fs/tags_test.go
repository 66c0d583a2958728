package fs_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/compsfs/compsfs/localcomps"
)

func TestTagFilesShowValues(t *testing.T) {
	var id, suite string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "tagged", State: "Succeeded", Tags: map[string]any{
			"SSMT": nil, "WorkItem_Type": "DockerWorker", "a/b": "slash", "count": 3, "flag": true, "50%": "pct",
			".": "dot", "": "empty key",
		}})
		var err error
		suite, err = s.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "s", Tags: map[string]any{"type": "calib"}})
		if err != nil {
			t.Fatal(err)
		}
	})
	tags := []string{"workitems", id, "tags"}
	want := []string{"%", "%2E", "50%25", "SSMT", "WorkItem_Type", "a%2Fb", "count", "flag"}
	if got := e.names(tags...); !slices.Equal(got, want) {
		t.Errorf("tags/ = %v, want %v", got, want)
	}
	for name, value := range map[string]string{
		"SSMT": "", "WorkItem_Type": "DockerWorker\n", "a%2Fb": "slash\n", "count": "3\n", "flag": "true\n", "50%25": "pct\n",
		"%2E": "dot\n", "%": "empty key\n",
	} {
		if got := e.read(append(tags, name)...); got != value {
			t.Errorf("tags/%s = %q, want %q", name, got, value)
		}
		st, err := os.Stat(e.path(append(tags, name)...))
		if err != nil || st.Size() != int64(len(value)) {
			t.Errorf("stat tags/%s: %v, %v; want size %d", name, st, err, len(value))
		}
	}
	for _, name := range []string{"missing", "a%2fb", "a:b", "50%"} {
		if _, err := os.Stat(e.path(append(tags, name)...)); !os.IsNotExist(err) {
			t.Errorf("stat tags/%s: %v, want ENOENT", name, err)
		}
	}
	st, err := os.Stat(e.path(tags...))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("tags/ mode: %v, %v; want 0755", st.Mode(), err)
	}
	if got := e.names("suites", suite, "tags"); !slices.Equal(got, []string{"type"}) {
		t.Errorf("suite tags/ = %v", got)
	}
	if got := e.read("suites", suite, "tags", "type"); got != "calib\n" {
		t.Errorf("suite tags/type = %q", got)
	}
}
