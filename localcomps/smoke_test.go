package localcomps

import (
	"context"
	"net/http"
	"testing"
)

func TestDemoSmoke(t *testing.T) {
	e := newEnv(t, nil)
	if err := Demo(context.Background(), e.s); err != nil {
		t.Fatal(err)
	}
	if err := Demo(context.Background(), e.s); err != nil {
		t.Fatal(err)
	}
	if n := e.countWorkItems(); n != 9 {
		t.Fatalf("work items = %d, want 9", n)
	}
	var got map[string][]wireEntity
	e.json("GET", "/api/WorkItems?children=Tags,Files,Plugins&count=100000", nil, http.StatusOK, &got)
	t.Logf("%+v", got["WorkItems"][0])
	_, body := e.req("GET", "/api/WorkItems?count=2&fields=Id,Name,State", nil, nil)
	t.Logf("%s", body)
}
