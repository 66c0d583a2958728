package fs_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// otherUser is a uid and gid that are not the mount's owner's (nobody).
const otherUser = 65534

// asOtherUser runs a shell script as otherUser and returns its output and
// error.
func asOtherUser(script string) (string, error) {
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUser, Gid: otherUser}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAllowOtherLetsOthersReadNotWrite: with --allow-other another local
// user reads the mount, and every write of theirs is refused by the
// kernel's permission checks: the name stays, no tag appears, no inbox entry.
func TestAllowOtherLetsOthersReadNotWrite(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	var id string
	e := newInboxEnv(t, inboxConfig{environment: "Local"})
	id = seedOne(t, e.srv, localcomps.SeedWorkItem{Name: "mine", State: "Succeeded", Tags: map[string]any{"k": "v"}})
	e.unmount()
	e.opts.AllowOther = true
	e.mount()
	// The test's temporary folders are private; open the way to the mount.
	if err := os.Chmod(filepath.Dir(e.dir), 0o755); err != nil {
		t.Fatal(err)
	}
	item := e.path("workitems", id)
	if out, err := asOtherUser("cat " + item + "/name " + item + "/tags/k"); err != nil || out != "mine\nv\n" {
		t.Fatalf("another user reading: %q, %v", out, err)
	}
	for _, write := range []string{
		"echo hacked > " + item + "/name",
		"echo x > " + item + "/tags/new",
		"echo x > " + item + "/tags/k",
		"rm " + item + "/tags/k",
		"echo cancel > " + item + "/ctl",
		"cp /etc/hostname " + e.path("inbox", "order.json"),
		"mkdir " + e.path("inbox", "run"),
	} {
		out, err := asOtherUser(write)
		if err == nil || !strings.Contains(out, "Permission denied") {
			t.Errorf("another user: %s: %q, %v; want Permission denied", write, out, err)
		}
	}
	if got := e.read("workitems", id, "name"); got != "mine\n" {
		t.Errorf("name after the other user's writes = %q", got)
	}
	if got := e.names("workitems", id, "tags"); strings.Join(got, " ") != "k" {
		t.Errorf("tags after the other user's writes = %v", got)
	}
	if got := e.names("inbox"); len(got) != 0 {
		t.Errorf("inbox after the other user's writes = %v", got)
	}
	// The owner still writes.
	if err := os.WriteFile(e.path("workitems", id, "name"), []byte("renamed\n"), 0o644); err != nil {
		t.Errorf("the owner's write: %v", err)
	}
}

// TestReadOnlyMountIsReadOnlyForTheKernel: --read-only shows as ro in the
// mount table, and writes are EROFS.
func TestReadOnlyMountIsReadOnlyForTheKernel(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "n", State: "Succeeded"})
	}, func(o *compsfs.Options) { o.ReadOnly = true })
	opts := mountOptions(t, e.dir)
	if !strings.HasPrefix(opts, "ro,") && opts != "ro" {
		t.Errorf("mount options of a --read-only mount: %q, want ro", opts)
	}
	err := os.WriteFile(e.path("workitems", id, "name"), []byte("x\n"), 0o644)
	if !errorsIsErrno(err, syscall.EROFS) {
		t.Errorf("write on a --read-only mount: %v, want EROFS", err)
	}
}

// mountOptions is the per-mount options field of dir in /proc/self/mountinfo.
func mountOptions(t *testing.T, dir string) string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 5 && fields[4] == dir {
			return fields[5]
		}
	}
	t.Fatalf("%s is not in /proc/self/mountinfo", dir)
	return ""
}

// errorsIsErrno reports whether err carries errno.
func errorsIsErrno(err error, errno syscall.Errno) bool { return errnoOf(err) == errno }

// TestOtherUsersCannotReadTheLocalCOMPSData: the embedded server's data
// folder, made in a place every user can reach, is closed to another user:
// neither its database nor its outputs can be listed or read around the
// mount.
func TestOtherUsersCannotReadTheLocalCOMPSData(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	open, err := os.MkdirTemp("", "compsfs-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(open) })
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(open, "data")
	srv, err := localcomps.Open(localcomps.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	seedOne(t, srv, localcomps.SeedWorkItem{Name: "secret", State: "Succeeded",
		Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte("secret output\n")}}})
	for _, read := range []string{"ls " + data, "cat " + data + "/comps.db", "grep -r secret " + data} {
		out, err := asOtherUser(read)
		if err == nil || !strings.Contains(out, "Permission denied") {
			t.Errorf("another user: %s: %q, %v; want Permission denied", read, out, err)
		}
	}
}
