package nodes

import (
	"os"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/cache"
)

// heldRead is a read's answer that stays in the content cache's chunk file:
// go-fuse splices it from the file descriptor into the kernel's reply
// (Seekable, as fuse.ReadResultFd), or reads it into its buffer (Bytes).
// fuse.ReadResultFd alone would not do: the file must stay open until the
// reply is sent, and Done, called then, is where it is released.
type heldRead struct {
	held *cache.Held
	fd   uintptr
	off  int64
	n    int
	once sync.Once
}

var _ fuse.ReadResult = (*heldRead)(nil)

// newHeldRead answers with the bytes held in file at off.
func newHeldRead(held *cache.Held, file *os.File, off int64) *heldRead {
	return &heldRead{held: held, fd: file.Fd(), off: off, n: held.Len()}
}

// Seekable tells go-fuse where to splice the bytes from.
func (r *heldRead) Seekable() (fd uintptr, off int64, n int) { return r.fd, r.off, r.n }

// Size is the number of bytes.
func (r *heldRead) Size() int { return r.n }

// Bytes reads the bytes into buf, when they cannot be spliced.
func (r *heldRead) Bytes(buf []byte) ([]byte, fuse.Status) {
	n, err := syscall.Pread(int(r.fd), buf[:min(len(buf), r.n)], r.off)
	if n < 0 {
		n = 0
	}
	return buf[:n], fuse.ToStatus(err)
}

// Done releases the bytes once the reply is sent.
func (r *heldRead) Done() { r.once.Do(r.held.Release) }
