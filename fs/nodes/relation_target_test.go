package nodes

import (
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestRelationTargetNamesOnlyEntityFolders(t *testing.T) {
	const id = "0f2b3a4c-5d6e-4f70-8192-a3b4c5d6e7f8"
	const other = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
	const link = "workitems/11111111-2222-4333-8444-555555555555/relations/depends_on"
	roots := []string{"/mnt/comps", "/real/comps"}
	cases := []struct {
		roots  []string
		target string
		kind   client.Kind
	}{
		{roots, "/mnt/comps/workitems/" + id, client.KindWorkItem},
		{roots, "/mnt/comps/experiments/" + id + "/", client.KindExperiment},
		{roots, "/real/comps/simulations/" + id, client.KindSimulation},
		{roots, "/mnt/comps/./suites/../suites/" + id, client.KindSuite},
		{roots, "../../../../assetcollections/" + id, client.KindAssetCollection},
		{roots, "../../../../../comps/workitems/" + id, client.KindWorkItem}, // out and back in by name
		{nil, "../../../../experiments/" + id, client.KindExperiment},        // mount point unknown
		{roots, "../../../../workitems/" + id + "/name", ""},
		{roots, "../../../../../workitems/" + id, ""},
		{nil, "../../../../../workitems/" + id, ""},
		{nil, "/mnt/comps/workitems/" + id, ""},
		{roots, "/mnt/other/workitems/" + id, ""},
		{roots, "/mnt/comps/by-state/Running/" + id, ""},
		{roots, "/mnt/comps/workitems/" + "0F2B3A4C-5D6E-4F70-8192-A3B4C5D6E7F8", ""},
		{roots, "/mnt/comps/inbox/" + id, ""},
		{roots, "/mnt/comps", ""},
		{roots, "", ""},
		{roots, "/mnt/comps/workitems/" + id + "\x00", ""},
		{roots, "/mnt/comps/experiments/" + other + "/simulations/" + id, client.KindSimulation},
		{nil, "../../../../suites/" + other + "/experiments/" + id + "/", client.KindExperiment},
		{roots, "/mnt/comps/experiments/" + other + "/by-state/" + id, ""},
		{roots, "/mnt/comps/experiments/" + other + "/simulations/" + id + "/outputs", ""},
		{roots, "/mnt/comps/experiments/Failed/simulations/" + id, ""},
		{roots, "/mnt/comps/workitems/" + other + "/simulations/" + id, ""},
	}
	for _, c := range cases {
		kind, got, ok := relationTarget(c.roots, link, c.target)
		if ok != (c.kind != "") || kind != c.kind || (ok && got != id) {
			t.Errorf("relationTarget(%v, %q) = %q, %q, %v; want %q", c.roots, c.target, kind, got, ok, c.kind)
		}
	}
}

func TestReverseFolderOfEachKind(t *testing.T) {
	cases := []struct {
		kind    client.Kind
		relType client.RelationType
		want    string
	}{
		{client.KindExperiment, client.RelationDependsOn, "depended_on_by"},
		{client.KindAssetCollection, client.RelationCreated, "created_by"},
		{client.KindWorkItem, client.RelationDependsOn, "depended_on_by"},
		{client.KindWorkItem, client.RelationCreated, "created_by"},
	}
	for _, c := range cases {
		if got := reverseFolder(c.kind, c.relType); got != c.want {
			t.Errorf("reverseFolder(%s, %s) = %q, want %q", c.kind, c.relType, got, c.want)
		}
	}
}
