package nodes

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"syscall"

	"github.com/compsfs/compsfs/client"
)

// toErrno is the one place where an error crosses into the kernel. Unknown
// entities are ENOENT, refusals EACCES, bad input EINVAL, an interrupted call
// EINTR; everything else, a slow or absent server included, is EIO. It never
// answers ENOSYS (after which the kernel would stop calling Flush).
func toErrno(err error) syscall.Errno {
	var errno syscall.Errno
	var netErr *net.OpError
	var urlErr *url.Error
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return syscall.EINTR
	case errors.As(err, &netErr), errors.As(err, &urlErr):
		return syscall.EIO // a network failure's errno (ECONNREFUSED, ...) means nothing to a file user; syscall.Errno is itself a net.Error, hence the concrete types
	case errors.As(err, &errno) && errno != syscall.ENOSYS:
		return errno
	case errors.Is(err, client.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, client.ErrUnauthorized), errors.Is(err, client.ErrForbidden):
		return syscall.EACCES
	case errors.Is(err, client.ErrBadRequest):
		return syscall.EINVAL
	}
	return syscall.EIO
}
