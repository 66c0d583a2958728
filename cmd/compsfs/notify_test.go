package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listenNotify listens where systemd would, at addr ("@name" is abstract).
func listenNotify(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// readNotify waits for one notification. The bound only keeps a broken
// test from hanging; nothing is measured.
func readNotify(t *testing.T, ln *net.UnixConn) string {
	t.Helper()
	ln.SetReadDeadline(time.Now().Add(2 * time.Minute))
	buf := make([]byte, 4096)
	n, err := ln.Read(buf)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}

func TestNotifyReachesPathAndAbstractSockets(t *testing.T) {
	for _, addr := range []string{
		filepath.Join(t.TempDir(), "notify"),
		fmt.Sprintf("@compsfs-test-%d", os.Getpid()),
	} {
		ln := listenNotify(t, addr)
		t.Setenv("NOTIFY_SOCKET", addr)
		n := newSystemdNotifier()
		if os.Getenv("NOTIFY_SOCKET") != "" {
			t.Error("NOTIFY_SOCKET stays in the environment of what compsfs starts")
		}
		if err := n.notify("READY=1"); err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		if got := readNotify(t, ln); got != "READY=1" {
			t.Errorf("%s received %q", addr, got)
		}
	}
	if err := (&systemdNotifier{}).notify("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
}

func TestSystemdHearsReadyOnlyOnceTheMountAnswers(t *testing.T) {
	needFUSE(t)
	c := newCLI(t)
	sock := filepath.Join(t.TempDir(), "notify")
	ln := listenNotify(t, sock)
	metrics := freeAddr(t)
	mnt := t.TempDir()
	var stderr strings.Builder
	cmd := c.command([]string{"NOTIFY_SOCKET=" + sock}, "mount", "--demo", "--metrics-addr", metrics, mnt)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
			lazyUnmount(mnt)
		}
	})

	if got := readNotify(t, ln); !strings.HasPrefix(got, "READY=1\n") {
		t.Fatalf("first notification %q", got)
	}
	// When systemd hears READY=1, the mount is there and answers.
	if m, ok, err := mountAt(mnt); !ok || err != nil || m.fstype != compsfsType {
		t.Fatalf("at READY=1, %s is not a compsfs mount (%+v %v)\n%s", mnt, m, err, stderr.String())
	}
	items, err := os.ReadDir(filepath.Join(mnt, "workitems"))
	if err != nil || len(items) == 0 {
		t.Fatalf("at READY=1, workitems/ lists %d: %v", len(items), err)
	}

	if r := c.run("status", mnt); r.code != 0 || !strings.Contains(r.stdout, "GET WorkItems") {
		t.Errorf("status: %v", r)
	}
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `compsfs_requests_total{method="GET",endpoint="WorkItems"} `) {
		t.Errorf("/metrics:\n%s", body)
	}

	busy, err := os.Open(filepath.Join(mnt, "workitems"))
	if err != nil {
		t.Fatal(err)
	}
	failsWith(t, c.run("unmount", mnt),
		mnt+" is busy; close what uses it (fuser -vm "+mnt+" lists it) or use compsfs unmount --force "+mnt)
	busy.Close()

	cmd.Process.Signal(syscall.SIGTERM)
	if got := readNotify(t, ln); got != "STOPPING=1" {
		t.Errorf("after SIGTERM: %q", got)
	}
	err = cmd.Wait()
	exited = true
	if err != nil {
		t.Errorf("compsfs mount after SIGTERM: %v\n%s", err, stderr.String())
	}
	if _, ok, _ := mountAt(mnt); ok {
		t.Error("still mounted after SIGTERM")
	}
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
