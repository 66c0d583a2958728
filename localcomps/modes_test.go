package localcomps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkPrivate walks dir: every folder must be 0700 and every file 0600.
func checkPrivate(t *testing.T, dir string) (dirs, files int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fileMode
		if d.IsDir() {
			want = dirMode
			dirs++
		} else {
			files++
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %s, want %s", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs, files
}

// TestDataFolderIsPrivate: after a start and after a work item ran (inputs,
// asset collection files under Assets/, outputs the command wrote in a
// sub-folder, a partial chunked upload), every folder of the data folder is
// 0700 and every file 0600 — database, WAL, blobs, uploads, working
// directories and their outputs — whatever the umask.
func TestDataFolderIsPrivate(t *testing.T) {
	e := newWorkerEnv(t, 1, 0)
	checkPrivate(t, e.s.dir)

	asset := []byte("echo from the asset\n")
	resp, data := e.save("AssetCollections", []any{map[string]any{"Assets": []any{
		map[string]any{"FileName": "tool.sh", "RelativePath": "bin", "MD5Checksum": md5uuid(asset)}}}},
		part{md5uuid(asset), "tool.sh", asset})
	var ac wireIds
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &ac) != nil {
		t.Fatalf("save asset collection: %d %s", resp.StatusCode, data)
	}
	id := e.submit("private", dockerOrder("", "sh Assets/bin/tool.sh; mkdir -p out/sub && echo x > out/sub/result.txt"), ac.Ids[0],
		inputFile{"input.txt", "input", []byte("input\n")})
	w := e.waitState(id, time.Minute, "Succeeded", "Failed")
	if w["State"] != "Succeeded" {
		t.Fatalf("work item %v: %v", w["State"], w["ErrorMessage"])
	}
	if got := e.output(id, "out/sub/result.txt"); got != "x\n" {
		t.Fatalf("output %q", got)
	}
	big := bytes.Repeat([]byte("p"), 1000)
	resp, data = e.req("POST", "/api/upload/"+md5uuid(big), bytes.NewReader(big[:10]),
		map[string]string{"Content-Range": fmt.Sprintf("bytes 0-9/%d", len(big)), "Content-Type": "application/octet-stream"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("chunk: %d %s", resp.StatusCode, data)
	}
	dirs, files := checkPrivate(t, e.s.dir)
	for _, p := range []string{"comps.db", "comps.db-wal", "work/" + id + "/out/sub/result.txt", "work/" + id + "/Assets/bin/tool.sh",
		"work/" + id + "/StdOut.txt", "uploads/" + strings.ReplaceAll(md5uuid(big), "-", "") + ".part"} {
		if _, err := os.Stat(filepath.Join(e.s.dir, p)); err != nil {
			t.Errorf("expected %s to be checked: %v", p, err)
		}
	}
	t.Logf("%d folders 0700, %d files 0600", dirs, files)
}

// TestExistingDataFolderIsTightened: a data folder left 0755 by an earlier
// version is made 0700 at start, with a log line saying so.
func TestExistingDataFolderIsTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s, err := Open(Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %s after start, want 0700", fi.Mode().Perm())
	}
	if !strings.Contains(logs.String(), "data folder tightened") || !strings.Contains(logs.String(), "-rwxr-xr-x") {
		t.Fatalf("no log line about the tightening: %q", logs.String())
	}
	checkPrivate(t, dir)
}
