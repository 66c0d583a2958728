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

func TestLnAddsRelations(t *testing.T) {
	var item, other string
	var exp, acs string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		item = seedOne(t, s, localcomps.SeedWorkItem{Name: "item", State: "Created"})
		other = seedOne(t, s, localcomps.SeedWorkItem{Name: "other", State: "Succeeded"})
		var err error
		if exp, err = s.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "exp"}); err != nil {
			t.Fatal(err)
		}
		if acs, err = s.SeedEntity(ctx, "AssetCollection", localcomps.SeedEntity{}); err != nil {
			t.Fatal(err)
		}
	})
	rel := func(parts ...string) string {
		return e.path(append([]string{"workitems", item, "relations"}, parts...)...)
	}
	// Seen empty first, so that the catalog and the kernel hold "nothing".
	if got := e.names("workitems", item, "relations", "depends_on"); len(got) != 0 {
		t.Fatalf("depends_on/ = %v", got)
	}
	if got := e.names("experiments", exp, "relations", "depended_on_by"); len(got) != 0 {
		t.Fatalf("depended_on_by/ = %v", got)
	}
	if got := e.names("workitems", other, "relations", "depended_on_by"); len(got) != 0 {
		t.Fatalf("the work item's depended_on_by/ = %v", got)
	}
	if _, err := os.Lstat(e.path("experiments", exp, "relations", "depended_on_by", item)); !os.IsNotExist(err) {
		t.Fatalf("lstat before: %v", err)
	}
	for _, l := range []struct{ target, link string }{
		{e.path("workitems", other), rel("depends_on", other)},           // absolute, a work item
		{"../../../../experiments/" + exp + "/", rel("depends_on", exp)}, // relative, an experiment
		{e.path("assetcollections", acs), rel("created", acs)},           // absolute, Created
	} {
		if err := os.Symlink(l.target, l.link); err != nil {
			t.Fatalf("ln -s %s %s: %v", l.target, l.link, err)
		}
	}
	e.checkLink("../../../../workitems/"+other, "workitems", item, "relations", "depends_on", other)
	e.checkLink("../../../../experiments/"+exp, "workitems", item, "relations", "depends_on", exp)
	e.checkLink("../../../../assetcollections/"+acs, "workitems", item, "relations", "created", acs)
	if got := e.read("workitems", item, "relations", "depends_on", other, "name"); got != "other\n" {
		t.Errorf("name through the new link = %q", got)
	}
	want := []string{other, exp}
	slices.Sort(want)
	if got := e.names("workitems", item, "relations", "depends_on"); !slices.Equal(got, want) {
		t.Errorf("depends_on/ = %v, want %v", got, want)
	}
	if got := e.names("experiments", exp, "relations", "depended_on_by"); !slices.Equal(got, []string{item}) {
		t.Errorf("the experiment's depended_on_by/ = %v, want [%s]", got, item)
	}
	e.checkLink("../../../../workitems/"+item, "experiments", exp, "relations", "depended_on_by", item)
	if got := e.names("workitems", other, "relations", "depended_on_by"); !slices.Equal(got, []string{item}) {
		t.Errorf("the work item's depended_on_by/ = %v, want [%s]", got, item)
	}
	related, err := e.client.Related(context.Background(), item, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]client.Kind{}
	for _, r := range related {
		got[r.ID] = r.ObjectType
	}
	if got[other] != client.KindWorkItem || got[exp] != client.KindExperiment || got[acs] != client.KindAssetCollection {
		t.Errorf("server relations = %+v", related)
	}
	if err := os.Remove(rel("depends_on", other)); !errors.Is(err, syscall.EPERM) {
		t.Errorf("rm of a relation: %v, want EPERM", err)
	}
}

func TestLnRefusesWhatIsNotAnEntityFolder(t *testing.T) {
	var item, other, exp string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		item = seedOne(t, s, localcomps.SeedWorkItem{Name: "item", State: "Created"})
		other = seedOne(t, s, localcomps.SeedWorkItem{Name: "other", State: "Succeeded"})
		var err error
		if exp, err = s.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: "exp"}); err != nil {
			t.Fatal(err)
		}
	})
	dep := func(name string) string { return e.path("workitems", item, "relations", "depends_on", name) }
	for _, l := range []struct{ what, target, name string }{
		{"a file of the mount", e.path("README"), other},
		{"a folder inside an entity", e.path("workitems", other, "outputs"), other},
		{"a path outside the mount", "/etc/passwd", other},
		{"an entity path outside the mount", "/elsewhere/workitems/" + other, other},
		{"a link named by another id", e.path("workitems", other), exp},
		{"a relative path leaving the mount", "../../../../../workitems/" + other, other},
		{"an upper-case id", e.path("experiments", strings.ToUpper(exp)), exp},
	} {
		if err := os.Symlink(l.target, dep(l.name)); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ln -s to %s: %v, want EINVAL", l.what, err)
		}
	}
	if got := e.names("workitems", item, "relations", "depends_on"); len(got) != 0 {
		t.Errorf("depends_on/ = %v, want empty", got)
	}
	rev := e.path("experiments", exp, "relations", "depended_on_by", item)
	if err := os.Symlink(e.path("workitems", item), rev); !errors.Is(err, syscall.EACCES) {
		t.Errorf("ln -s in a reverse folder: %v, want EACCES", err)
	}
	if related, err := e.client.Related(context.Background(), item, "", ""); err != nil || len(related) != 0 {
		t.Errorf("server relations = %v, %v; want none", related, err)
	}
}
