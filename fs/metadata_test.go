package fs_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestMetadataFilesShowTheServersValues(t *testing.T) {
	var id string
	created := time.Date(2026, 3, 5, 18, 22, 33, 0, time.UTC)
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "Hello - SSMT", Description: "a test item",
			EnvironmentName: "Local", WorkerName: "DockerWorker", WorkerVersion: "1.0.0.0_RELEASE",
			State: "Succeeded", Priority: "Normal", Created: created,
			Tags:    map[string]any{"SSMT": nil, "WorkItem_Type": "DockerWorker"},
			Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte("hello\n")}}})
	})
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"name":                   "Hello - SSMT\n",
		"description":            "a test item\n",
		"state":                  "Succeeded\n",
		"owner":                  wi.Owner + "\n",
		"worker":                 "DockerWorker 1.0.0.0_RELEASE\n",
		"environment_name":       "Local\n",
		"priority":               "Normal\n",
		"date_created":           "2026-03-05T18:22:33Z\n",
		"last_modified":          wi.LastModified.UTC().Format(time.RFC3339Nano) + "\n",
		"error_message":          "",
		"working_directory_size": "6\n",
	}
	for name, w := range want {
		path := e.path("workitems", id, name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
		st, err := os.Stat(path)
		if err != nil || st.Size() != int64(len(w)) {
			t.Errorf("%s: stat size %v, want %d (%v)", name, st.Size(), len(w), err)
		}
	}
	var md map[string]any
	if err := json.Unmarshal([]byte(e.read("workitems", id, "metadata.json")), &md); err != nil {
		t.Fatalf("metadata.json does not parse: %v", err)
	}
	if md["id"] != id || md["name"] != "Hello - SSMT" || md["state"] != "Succeeded" {
		t.Errorf("metadata.json: %v", md)
	}
	tags, _ := md["tags"].(map[string]any)
	if v, ok := tags["SSMT"]; !ok || v != nil || tags["WorkItem_Type"] != "DockerWorker" {
		t.Errorf("metadata.json tags: %v", tags)
	}
	if s := e.read("workitems", id, "summary"); !strings.Contains(s, "Hello - SSMT") || !strings.Contains(s, "ago") {
		t.Errorf("summary: %q", s)
	}
}

func TestUnknownIDsAreENOENT(t *testing.T) {
	e := newEnv(t, nil)
	for _, name := range []string{"00000000-0000-0000-0000-000000000001", "not-an-id", "00000000-0000-0000-0000-00000000000A"} {
		if _, err := os.Stat(e.path("workitems", name)); !os.IsNotExist(err) {
			t.Errorf("stat workitems/%s: %v, want ENOENT", name, err)
		}
	}
}
