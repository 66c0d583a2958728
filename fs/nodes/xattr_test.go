package nodes

import (
	"syscall"
	"testing"
)

func TestRemoveXattrRefusesOnlyWhatIsThere(t *testing.T) {
	attrs := entityXattrs("WorkItem", "id")
	for _, c := range []struct {
		readOnly bool
		name     string
		want     syscall.Errno
	}{
		{false, "user.comps.id", syscall.EACCES},
		{false, "user.other", syscall.ENODATA},
		{true, "user.comps.id", syscall.EROFS},
		{true, "user.other", syscall.EROFS},
	} {
		if got := NewMount(Config{ReadOnly: c.readOnly}).removeXattr(attrs, c.name); got != c.want {
			t.Errorf("read-only %v, removexattr %s: %v, want %v", c.readOnly, c.name, got, c.want)
		}
	}
}
