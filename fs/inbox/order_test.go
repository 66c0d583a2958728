package inbox

import (
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestParseWorkOrder(t *testing.T) {
	cases := []struct {
		in, typ, name, env, err string
	}{
		{in: `{"WorkItem_Type": "DockerWorker"}`, typ: "DockerWorker"},
		{in: `{"WorkItem_Type": "VisTools", "Name": "vis", "EnvironmentName": "Calculon"}`, typ: "VisTools", name: "vis", env: "Calculon"},
		{in: `{"WorkItem_Type": "X", "Name": 3}`, typ: "X"},
		{in: ``, err: "empty"},
		{in: " \n\t", err: "empty"},
		{in: `{"WorkItem_Type": `, err: "not valid JSON"},
		{in: `[1, 2]`, err: "not a JSON object"},
		{in: `null`, err: "not a JSON object"},
		{in: `"DockerWorker"`, err: "not a JSON object"},
		{in: `{"Execution": {}}`, err: "no \"WorkItem_Type\""},
		{in: `{"WorkItem_Type": ""}`, err: "non-empty string"},
		{in: `{"WorkItem_Type": "  "}`, err: "non-empty string"},
		{in: `{"WorkItem_Type": ["DockerWorker"]}`, err: "non-empty string"},
	}
	for _, c := range cases {
		h, err := parseWorkOrder([]byte(c.in))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || h.Type != c.typ || h.Name != c.name || h.EnvironmentName != c.env {
			t.Errorf("%q: %+v, %v", c.in, h, err)
		}
	}
}

func TestParseRelation(t *testing.T) {
	id := "0a1b2c3d-0000-4000-8000-000000000001"
	cases := map[string]relation{
		id:                                {client.KindWorkItem, id},
		"Simulation/" + id:                {client.KindSimulation, id},
		"simulations/" + id:               {client.KindSimulation, id},
		"assetcollection/" + id:           {client.KindAssetCollection, id},
		"WorkItem/" + strings.ToUpper(id): {client.KindWorkItem, id},
	}
	for in, want := range cases {
		if got, err := parseRelation(in); err != nil || got != want {
			t.Errorf("%q: %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "nope", "Planet/" + id, "Simulation/", "../" + id} {
		if _, err := parseRelation(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseWorker(t *testing.T) {
	cases := map[string]client.WorkerOrPluginKey{
		`"DockerWorker"`:                         {Name: "DockerWorker", Version: WorkerVersion},
		`"Builder 2.0"`:                          {Name: "Builder", Version: "2.0"},
		`{"name": "VisTools"}`:                   {Name: "VisTools", Version: WorkerVersion},
		`{"Name": "VisTools", "Version": "1.1"}`: {Name: "VisTools", Version: "1.1"},
	}
	for in, want := range cases {
		if got, err := parseWorker([]byte(in)); err != nil || got != want {
			t.Errorf("%s: %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{`""`, `{}`, `3`} {
		if _, err := parseWorker([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCheckName(t *testing.T) {
	good := []struct {
		name string
		kind Kind
	}{{"order.json", KindFile}, {"a b.json", KindFile}, {"job", KindFolder}, {"job.v2", KindFolder}}
	for _, g := range good {
		if err := CheckName(g.name, g.kind); err != nil {
			t.Errorf("%q %s: %v", g.name, g.kind, err)
		}
	}
	bad := []struct {
		name string
		kind Kind
	}{{"order.txt", KindFile}, {".json", KindFile}, {"x.error", KindFolder}, {"job.json", KindFolder},
		{".hidden.json", KindFile}, {"a/b.json", KindFile}, {"..", KindFolder}, {"", KindFolder}, {"nul\x00.json", KindFile}}
	for _, b := range bad {
		if err := CheckName(b.name, b.kind); err == nil {
			t.Errorf("%q %s accepted", b.name, b.kind)
		}
	}
}
