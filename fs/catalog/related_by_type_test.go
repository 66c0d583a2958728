package catalog

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// untypedRelations wraps a server so that the full relation listing of a
// work item carries no RelationType, as the real COMPS may answer; filtered
// listings are passed through. It counts the filtered requests.
type untypedRelations struct {
	next     http.Handler
	filtered atomic.Int64
}

func (u *untypedRelations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/Related") || r.Method != http.MethodGet {
		u.next.ServeHTTP(w, r)
		return
	}
	if r.URL.Query().Get("RelationType") != "" {
		u.filtered.Add(1)
		u.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	u.next.ServeHTTP(rec, r)
	var answer struct{ Related []map[string]any }
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, e := range answer.Related {
		delete(e, "RelationType")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func TestRelatedByTypeAsksPerTypeWhenTheServerDoesNotSay(t *testing.T) {
	ctx := context.Background()
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ids, err := srv.Seed(ctx, []localcomps.SeedWorkItem{{Name: "a"}, {Name: "b"}, {Name: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddRelation(ctx, ids[0], "DependsOn", "WorkItem", ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddRelation(ctx, ids[0], "Created", "WorkItem", ids[2]); err != nil {
		t.Fatal(err)
	}
	u := &untypedRelations{next: srv}
	hs := httptest.NewServer(u)
	defer hs.Close()
	c, err := client.New(client.Options{Server: hs.URL, Token: srv.Token(), NoTokenCache: true})
	if err != nil {
		t.Fatal(err)
	}
	cat := New(Options{Client: c, DirTTL: time.Minute})
	for relType, want := range map[client.RelationType]string{client.RelationDependsOn: ids[1], client.RelationCreated: ids[2]} {
		for range 2 { // the second time from the cache
			rel, err := cat.RelatedByType(ctx, ids[0], relType)
			if err != nil {
				t.Fatal(err)
			}
			if len(rel) != 1 || rel[0].ID != want || rel[0].RelationType != relType {
				t.Errorf("%s relations = %+v, want only %s", relType, rel, want)
			}
		}
	}
	if n := u.filtered.Load(); n != 2 {
		t.Errorf("%d filtered requests, want 2 (one per type)", n)
	}
}
