package fs_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestTagsAreSetOverwrittenAndDeleted(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "tagged", State: "Succeeded",
			Tags: map[string]any{"a": "1", "x/y": "slash", "gone": "soon"}})
	})
	tags := func(name string) string { return e.path("workitems", id, "tags", name) }
	if got := e.names("workitems", id, "tags"); !slices.Equal(got, []string{"a", "gone", "x%2Fy"}) {
		t.Fatalf("tags/ = %v", got)
	}
	_ = e.read("workitems", id, "metadata.json")
	for name, value := range map[string]string{
		"new":   "v\n",       // created
		"a":     "2",         // overwritten, printf without a newline
		"k%2Fz": "s\n",       // created, key with a slash
		"x%2Fy": "changed\n", // overwritten, key with a slash
	} {
		if err := os.WriteFile(tags(name), []byte(value), 0o644); err != nil {
			t.Fatalf("write tags/%s: %v", name, err)
		}
	}
	if err := os.Remove(tags("gone")); err != nil {
		t.Fatalf("rm tags/gone: %v", err)
	}
	want := client.Tags{"new": "v", "a": "2", "k/z": "s", "x/y": "changed"}
	if got := e.serverItem(id).Tags; !tagsEqual(got, want) {
		t.Errorf("server tags = %v, want %v", got, want)
	}
	for name, value := range map[string]string{"new": "v\n", "a": "2\n", "k%2Fz": "s\n", "x%2Fy": "changed\n"} {
		if got := e.read("workitems", id, "tags", name); got != value {
			t.Errorf("cat tags/%s = %q, want %q", name, got, value)
		}
		if m := e.mode("workitems", id, "tags", name); m != 0o644 {
			t.Errorf("mode of tags/%s = %v, want 0644", name, m)
		}
	}
	if got := e.names("workitems", id, "tags"); !slices.Equal(got, []string{"a", "k%2Fz", "new", "x%2Fy"}) {
		t.Errorf("tags/ after the writes = %v", got)
	}
	if _, err := os.Stat(tags("gone")); !os.IsNotExist(err) {
		t.Errorf("stat of a deleted tag: %v, want ENOENT", err)
	}
	if got := e.read("workitems", id, "metadata.json"); !strings.Contains(got, `"k/z": "s"`) || strings.Contains(got, "gone") {
		t.Errorf("metadata.json after the writes:\n%s", got)
	}
	if err := os.WriteFile(tags("50%"), []byte("x"), 0o644); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("a name no key escapes to: %v, want EINVAL", err)
	}
	if err := os.Mkdir(tags("dir"), 0o755); !errors.Is(err, syscall.EACCES) {
		t.Errorf("mkdir in tags/: %v, want EACCES", err)
	}
}

func TestTagsOfOtherEntitiesAreWritten(t *testing.T) {
	var suite string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var err error
		suite, err = s.SeedEntity(ctx, "Suite", localcomps.SeedEntity{Name: "s", Tags: map[string]any{"type": "calib"}})
		if err != nil {
			t.Fatal(err)
		}
	})
	tags := func(name string) string { return e.path("suites", suite, "tags", name) }
	_ = e.read("suites", suite, "tags", "type")
	if err := os.WriteFile(tags("owner%2Fteam"), []byte("idm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tags("type"), []byte("sweep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := e.client.GetSuite(context.Background(), suite, client.Query{Children: []string{"Tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (client.Tags{"owner/team": "idm", "type": "sweep"}); !tagsEqual(s.Tags, want) {
		t.Errorf("suite tags = %v, want %v", s.Tags, want)
	}
	if got := e.read("suites", suite, "tags", "type"); got != "sweep\n" {
		t.Errorf("cat type = %q", got)
	}
	if err := os.Remove(tags("type")); err != nil {
		t.Fatal(err)
	}
	if got := e.names("suites", suite, "tags"); !slices.Equal(got, []string{"owner%2Fteam"}) {
		t.Errorf("suite tags/ after rm = %v", got)
	}
}

// tagsEqual compares tags by their text.
func tagsEqual(a, b client.Tags) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || client.TagText(v) != client.TagText(w) {
			return false
		}
	}
	return true
}
