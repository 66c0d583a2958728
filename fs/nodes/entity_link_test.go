package nodes

import (
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestEntityLinkTarget(t *testing.T) {
	const id = "0f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b"
	cases := []struct {
		depth  int
		kind   client.Kind
		id     string
		target string
		ok     bool
	}{
		{4, client.KindWorkItem, id, "../../../../workitems/" + id, true},
		{4, client.KindExperiment, id, "../../../../experiments/" + id, true},
		{4, client.KindSimulation, id, "../../../../simulations/" + id, true},
		{4, client.KindSuite, id, "../../../../suites/" + id, true},
		{4, client.KindAssetCollection, id, "../../../../assetcollections/" + id, true},
		{2, client.KindWorkItem, id, "../../workitems/" + id, true},
		{4, "Project", id, "", false},
		{4, "", id, "", false},
		{4, client.KindWorkItem, "0F9A3B1C-2D4E-4F60-8A7B-9C0D1E2F3A4B", "", false},
		{4, client.KindWorkItem, "../../etc/passwd", "", false},
		{4, client.KindWorkItem, "", "", false},
		{-1, client.KindWorkItem, id, "", false},
	}
	for _, c := range cases {
		got, ok := entityLinkTarget(c.depth, c.kind, c.id)
		if got != c.target || ok != c.ok {
			t.Errorf("entityLinkTarget(%d, %q, %q) = %q, %v; want %q, %v", c.depth, c.kind, c.id, got, ok, c.target, c.ok)
		}
	}
}

func TestLinkEntriesSkipBadEntriesSortAndDeduplicate(t *testing.T) {
	m := NewMount(Config{})
	a, b := "0f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b", "1f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b"
	got := m.linkEntries(4, []client.RelatedEntity{
		{ObjectType: client.KindSuite, ID: b},
		{ObjectType: "Nonsense", ID: a},
		{ObjectType: client.KindWorkItem, ID: "not-an-id"},
		{ObjectType: client.KindExperiment, ID: "0F9A3B1C-2D4E-4F60-8A7B-9C0D1E2F3A4B"},
		{ObjectType: client.KindSuite, ID: b},
	}, "test")
	want := []linkEntry{{a, "../../../../experiments/" + a}, {b, "../../../../suites/" + b}}
	if len(got) != len(want) {
		t.Fatalf("linkEntries = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("linkEntries[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestCanonicalFoldersAndTheLinksToThem pins where each entity's folder is
// and the links that reach it from elsewhere (entity_paths.go).
func TestCanonicalFoldersAndTheLinksToThem(t *testing.T) {
	const s, e = "0f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b", "1f9a3b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b"
	cases := []struct {
		depth int
		path  []string
		want  string
	}{
		{1, entityPath(client.KindSimulation, s, e), "../experiments/" + e + "/simulations/" + s},          // simulations/<id>
		{4, entityPath(client.KindSimulation, s, e), "../../../../experiments/" + e + "/simulations/" + s}, // by-state/<State>/<id>
		{1, entityPath(client.KindSimulation, s, ""), "../simulations/" + s},
		{3, entityPath(client.KindExperiment, e, ""), "../../../experiments/" + e}, // suites/<id>/experiments/<id>
		{2, entityPath(client.KindSuite, s, ""), "../../suites/" + s},              // experiments/<id>/suite
		{2, entityPath(client.KindAssetCollection, s, e), "../../assetcollections/" + s},
	}
	for _, c := range cases {
		if got := rootLink(c.depth, c.path...); got != c.want {
			t.Errorf("rootLink(%d, %v) = %q, want %q", c.depth, c.path, got, c.want)
		}
	}
	if entityIno(client.KindSimulation, s) == entityIno(client.KindExperiment, s) || entityIno(client.KindSuite, s) != entityIno(client.KindSuite, s) {
		t.Error("inode numbers are not by kind and id")
	}
}
