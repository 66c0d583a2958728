package nodes

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestHeldByFindsTheProcessDescriptors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	pid := uint32(os.Getpid())
	if heldBy(pid, st.Ino) {
		t.Fatal("held before it is opened")
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if !heldBy(pid, st.Ino) {
		t.Error("not held while open")
	}
	f.Close()
	if heldBy(pid, st.Ino) || heldBy(0, st.Ino) {
		t.Error("held after close, or by no process")
	}
}
