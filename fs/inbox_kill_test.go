package fs_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// buildCompsfs builds the compsfs binary for tests that run it.
func buildCompsfs(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "compsfs")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/compsfs/compsfs/cmd/compsfs").CombinedOutput()
	if err != nil {
		t.Fatalf("build compsfs: %v\n%s", err, out)
	}
	return bin
}

// startMountProcess runs compsfs mount of the env's server on a fresh
// folder with the given spool, and returns once the mount answers.
func startMountProcess(t *testing.T, bin string, e *env, spool string) (string, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	dir, home := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, "mount", "--server", "http://"+e.addr, "--spool-dir", spool, "--environment", "Local",
		"--timeout", "2s", "--cache-dir", filepath.Join(home, "cache"), dir)
	cmd.Env = append(os.Environ(), "COMPS_TOKEN="+e.srv.Token(), "HOME="+home,
		"XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home, "XDG_DATA_HOME="+home)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		unix.Unmount(dir, unix.MNT_DETACH)
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "README")); err == nil {
			return dir, cmd, &logs
		}
		if time.Now().After(deadline) {
			t.Fatalf("compsfs mount never came up:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A real compsfs mount process killed with SIGKILL while its save is on the
// server and the answer is not back, then started again on the same spool,
// ends with exactly one work item: the restart finds it by its tag.
func TestInboxKill9DuringSubmissionCreatesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the compsfs binary")
	}
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	bin := buildCompsfs(t)
	spool := t.TempDir()
	saved := e.loseSaveAnswers()
	dir1, p1, _ := startMountProcess(t, bin, e, spool)
	closed := make(chan error, 1)
	go func() { closed <- os.WriteFile(filepath.Join(dir1, "inbox", "order.json"), []byte(hiOrder), 0o644) }()
	select {
	case <-saved:
	case <-time.After(10 * time.Second):
		t.Fatal("the save never reached the server")
	}
	if err := p1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p1.Wait()
	t.Logf("close in the killed mount: %v", <-closed)
	unix.Unmount(dir1, unix.MNT_DETACH)
	if n := len(e.workItems()); n != 1 {
		t.Fatalf("%d work items after the kill", n)
	}

	e.setHook(nil)
	posts := e.srv.Stats().Requests["POST /api/WorkItems"]
	dir2, p2, logs := startMountProcess(t, bin, e, spool)
	id := waitLinkAt(t, filepath.Join(dir2, "inbox", "order.json"), 15*time.Second)
	items := e.workItems()
	if len(items) != 1 || items[0].ID != id {
		t.Errorf("work items %+v, want exactly %s\n%s", items, id, logs.String())
	}
	if n := e.srv.Stats().Requests["POST /api/WorkItems"] - posts; n != 0 {
		t.Errorf("%d saves after the restart; the item should have been found by its tag", n)
	}
	p2.Process.Signal(syscall.SIGTERM)
	p2.Wait()
}
