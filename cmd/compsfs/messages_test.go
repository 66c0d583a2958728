package main

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/localcomps"
)

// Each message of a failed command says what went wrong in one line, and
// what to do next (docs/errors.md).

// localCOMPS serves a real local COMPS over http for one test; password
// empty refuses logins. It returns the URL and the token it accepts.
func localCOMPS(t *testing.T, password string) (string, string) {
	srv, err := localcomps.Open(localcomps.Options{Dir: t.TempDir(), Password: password, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL, srv.Token()
}

// failsWith runs compsfs and wants exit 1 and exactly the line
// "compsfs: want" on stderr.
func failsWith(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != 1 || r.stderr != "compsfs: "+want+"\n" {
		t.Errorf("want exit 1 and\ncompsfs: %s\ngot %v", want, r)
	}
}

func TestServerDownSaysWhatToDo(t *testing.T) {
	url := "http://" + freeAddr(t)
	c := newCLI(t)
	failsWith(t, c.run("mount", "--server", url, t.TempDir()),
		"cannot reach "+url+": connection refused; is the server running? try: compsfs serve")
}

func TestServerWithoutSchemeIsRefused(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"mount", "--server", "comps.example.org", t.TempDir()},
		{"login", "--server", "comps.example.org", "--user", "me"},
	} {
		r := c.run(args...)
		first, _, _ := strings.Cut(r.stderr, "\n")
		if r.code != 2 || !strings.HasSuffix(first, `: server "comps.example.org": http:// or https://? e.g. --server https://comps.example.org`) {
			t.Errorf("compsfs %v: %v", args, r)
		}
	}
}

func TestHTTPSToAnHTTPServerSaysUseHTTP(t *testing.T) {
	url, token := localCOMPS(t, "")
	https := strings.Replace(url, "http://", "https://", 1)
	c := newCLI(t)
	failsWith(t, c.runEnv([]string{"COMPS_TOKEN=" + token}, "mount", "--server", https, t.TempDir()),
		https+" speaks http, not https: use --server "+url)
}

func TestRefusedTokenSaysLogInAgain(t *testing.T) {
	url, _ := localCOMPS(t, "")
	_, otherToken := localCOMPS(t, "") // a valid token this server never issued, as a revoked one
	c := newCLI(t)
	failsWith(t, c.runEnv([]string{"COMPS_TOKEN=" + otherToken}, "mount", "--server", url, t.TempDir()),
		url+" refused the token (invalid or revoked token): log in again: compsfs login --server "+url)
}

func TestExpiredTokenSaysLogInAgain(t *testing.T) {
	url, token := localCOMPS(t, "")
	f := strings.Split(token, ",")
	f[6] = "2001-01-01-00-00-00" // the expiry field
	c := newCLI(t)
	failsWith(t, c.runEnv([]string{"COMPS_TOKEN=" + strings.Join(f, ",")}, "mount", "--server", url, t.TempDir()),
		"the token for "+url+" has expired: log in again: compsfs login --server "+url)
}

func TestNoTokenSaysLogIn(t *testing.T) {
	url, _ := localCOMPS(t, "")
	c := newCLI(t)
	failsWith(t, c.run("mount", "--server", url, t.TempDir()),
		"not logged in to "+url+": compsfs login --server "+url+" (or set COMPS_TOKEN)")
}

func TestLoginToAServerThatRefusesLogins(t *testing.T) {
	url, _ := localCOMPS(t, "")
	c := newCLI(t)
	cmd := c.command(nil, "login", "--server", url, "--user", "localuser")
	cmd.Stdin = strings.NewReader("secret\n")
	r := runCommand(t, cmd)
	if r.code != 1 || !strings.HasSuffix(r.stderr, "compsfs: "+url+" refused the login of localuser: a wrong user name or password, or a server that refuses logins (compsfs serve takes them only when started with --password)\n") {
		t.Errorf("login: %v", r)
	}
	// The same server with a password takes the login.
	url, _ = localCOMPS(t, "secret")
	cmd = c.command(nil, "login", "--server", url, "--user", "localuser")
	cmd.Stdin = strings.NewReader("secret\n")
	if r := runCommand(t, cmd); r.code != 0 || !strings.Contains(r.stderr, "logged in to "+url+" as localuser") {
		t.Errorf("login with the right password: %v", r)
	}
}

func TestMountRefusesToHideAFolder(t *testing.T) {
	c := newCLI(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o600)
	failsWith(t, c.run("mount", full),
		full+" is not empty; mounting over it would hide what is in it: choose an empty folder, or use --allow-non-empty")
	mounted := tmpfs(t)
	failsWith(t, c.run("mount", mounted),
		mounted+" is already a mount point (tmpfs of compsfs-test); mounting over it would hide it: unmount it first, or use --allow-non-empty")
}

func TestUnmountRefusesWhatIsNotACompsfsMount(t *testing.T) {
	c := newCLI(t)
	plain := t.TempDir()
	failsWith(t, c.run("unmount", plain), plain+" is not a mount point")
	mounted := tmpfs(t)
	failsWith(t, c.run("unmount", mounted), mounted+" is not a compsfs mount: it is tmpfs of compsfs-test")
	failsWith(t, c.run("unmount", "-f", mounted), mounted+" is not a compsfs mount: it is tmpfs of compsfs-test")
	failsWith(t, c.run("status", mounted), mounted+" is not a compsfs mount: it is tmpfs of compsfs-test")
	if _, ok, err := mountAt(mounted); !ok || err != nil {
		t.Fatalf("the tmpfs is gone: %v", err)
	}
}

// tmpfs mounts a small tmpfs (source "compsfs-test") on a new folder,
// unmounted at the end of the test.
func tmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot mount a tmpfs")
	}
	dir := t.TempDir()
	if err := unix.Mount("compsfs-test", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

func TestUserWithoutFUSEAccessIsToldWhatToDo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot run compsfs as another user")
	}
	if st, err := os.Stat("/dev/fuse"); err != nil || st.Mode().Perm()&0o006 == 0o006 {
		t.Skip("/dev/fuse is missing or open to every user: no user lacks FUSE access here")
	}
	const nobody = 65534
	home, err := os.MkdirTemp("", "compsfs-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	mnt := filepath.Join(home, "mnt")
	for _, d := range []string{home, mnt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Dir(compsfsBin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(compsfsBin, "mount", "--log-level", "warn", mnt)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	cmd.Dir = home
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	r := runCommand(t, cmd)
	want := "compsfs: cannot mount " + mnt + ": user nobody has no access to /dev/fuse; add yourself to the fuse group or run as root\n"
	if r.code != 1 || !strings.HasSuffix(r.stderr, want) {
		t.Errorf("want exit 1 and, last,\n%sgot %v", want, r)
	}
}
