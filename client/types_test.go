package client

import (
	"encoding/json"
	"testing"
)

func TestRelatedEntityRelationTypeByNameOrNumber(t *testing.T) {
	var got []RelatedEntity
	in := `[{"ObjectType":"Experiment","Id":"a","RelationType":"DependsOn"},{"ObjectType":"WorkItem","Id":"b","RelationType":1},{"ObjectType":"Suite","Id":"c"}]`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := []RelationType{RelationDependsOn, RelationCreated, ""}
	for i, w := range want {
		if got[i].RelationType != w {
			t.Errorf("entry %d: %q, want %q", i, got[i].RelationType, w)
		}
	}
}

func TestWorkerKeyAcceptsEveryShape(t *testing.T) {
	for _, in := range []string{`{"Name":"DockerWorker","Version":"1.0.0.0_RELEASE"}`, `{"name":"DockerWorker","version":"1.0.0.0_RELEASE"}`,
		`["DockerWorker","1.0.0.0_RELEASE"]`} {
		var k WorkerOrPluginKey
		if err := json.Unmarshal([]byte(in), &k); err != nil || k.String() != "DockerWorker 1.0.0.0_RELEASE" {
			t.Errorf("%s: %q %v", in, k.String(), err)
		}
	}
}

func TestPluginsTolerateEveryShape(t *testing.T) {
	var wi WorkItem
	in := `{"Plugins":["Bare",{"name":"Lower","version":"1"},{"Name":"Upper","Version":"2"},["Pair","3"]]}`
	if err := json.Unmarshal([]byte(in), &wi); err != nil {
		t.Fatal(err)
	}
	want := []WorkerOrPluginKey{{"Bare", ""}, {"Lower", "1"}, {"Upper", "2"}, {"Pair", "3"}}
	if len(wi.Plugins) != len(want) {
		t.Fatalf("plugins %+v", wi.Plugins)
	}
	for i := range want {
		if wi.Plugins[i] != want[i] {
			t.Errorf("plugin %d: %+v, want %+v", i, wi.Plugins[i], want[i])
		}
	}
	for _, bad := range []string{`{"Plugins":[[]]}`, `{"Plugins":[["a","b","c"]]}`, `{"Plugins":[3]}`} {
		if err := json.Unmarshal([]byte(bad), &wi); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
