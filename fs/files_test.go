package fs_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

func TestFilesShowTheWorkItemsOwnFiles(t *testing.T) {
	order := []byte(`{"WorkItem_Type": "DockerWorker", "Execution": {"Command": "python3 model.py"}}` + "\n")
	input := randomBytes(11, 200_000)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "with files", State: "Succeeded", Files: []localcomps.SeedFile{
			{Path: "WorkOrder.json", FileType: "WorkOrder", Data: order},
			{Path: "model.py", FileType: "Input", Data: input},
		}})
	})
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(e.path("workitems", id, "files"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range entries {
		names = append(names, d.Name())
	}
	if !slices.Equal(names, []string{"WorkOrder.json", "model.py"}) {
		t.Errorf("files/ lists %q", names)
	}
	for name, data := range map[string][]byte{"WorkOrder.json": order, "model.py": input} {
		path := e.path("workitems", id, "files", name)
		st, err := os.Stat(path)
		if err != nil || st.Size() != int64(len(data)) || st.Mode() != 0o444 || !st.ModTime().Equal(wi.LastModified.Time) {
			t.Errorf("stat files/%s: %v, want size %d, mode 0444, mtime %v (%v)", name, st, len(data), wi.LastModified.Time, err)
		}
	}
	if sent := e.srv.Stats().BytesSent; sent != 0 {
		t.Errorf("listing files/ downloaded %d bytes", sent)
	}
	for name, data := range map[string][]byte{"WorkOrder.json": order, "model.py": input} {
		if got := fileMD5(t, e.path("workitems", id, "files", name)); got != md5Of(data) {
			t.Errorf("files/%s: md5 %s, want %s", name, got, md5Of(data))
		}
	}
	buf := make([]byte, 256)
	n, err := unix.Getxattr(e.path("workitems", id, "files", "WorkOrder.json"), "user.comps.md5", buf)
	if err != nil || string(buf[:n]) != md5Of(order) {
		t.Errorf("user.comps.md5 of WorkOrder.json = %q (%v)", buf[:n], err)
	}
	if _, err := os.Stat(e.path("workitems", id, "files", "missing.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("files/missing.txt: %v, want ENOENT", err)
	}
}
