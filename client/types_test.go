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

func TestWorkerKeyAcceptsBothSpellings(t *testing.T) {
	for _, in := range []string{`{"Name":"DockerWorker","Version":"1.0.0.0_RELEASE"}`, `{"name":"DockerWorker","version":"1.0.0.0_RELEASE"}`} {
		var k WorkerOrPluginKey
		if err := json.Unmarshal([]byte(in), &k); err != nil || k.String() != "DockerWorker 1.0.0.0_RELEASE" {
			t.Errorf("%s: %q %v", in, k.String(), err)
		}
	}
}
