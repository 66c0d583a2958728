package nodes

import (
	"errors"
	"syscall"
	"time"

	"github.com/compsfs/compsfs/fs/inbox"
)

// inboxErrno maps an inbox error to the errno close, touch, mkdir or rm
// return (docs/writing.md): bad input and refusals EINVAL, a server that has not
// answered EIO, an entry being submitted EBUSY; anything else as toErrno.
func inboxErrno(err error) syscall.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, inbox.ErrBadInput), errors.Is(err, inbox.ErrRefused), errors.Is(err, inbox.ErrBadName):
		return syscall.EINVAL
	case errors.Is(err, inbox.ErrPending), errors.Is(err, inbox.ErrClosed):
		return syscall.EIO
	case errors.Is(err, inbox.ErrNameTooLong):
		return syscall.ENAMETOOLONG
	case errors.Is(err, inbox.ErrBusy):
		return syscall.EBUSY
	case errors.Is(err, inbox.ErrExists):
		return syscall.EEXIST
	case errors.Is(err, inbox.ErrNotFound):
		return syscall.ENOENT
	case inbox.IsNotEmpty(err):
		return syscall.ENOTEMPTY
	}
	return toErrno(err)
}

// Kernel timeouts of inbox entries that change by themselves (a file that
// becomes a symlink, an .error that comes and goes): a millisecond, never
// zero. A blocking submit returns no sooner than inboxSettle after the last
// answer that let the kernel cache the entry, so that the kernel has dropped
// it by then and `cp x.json inbox/ && readlink inbox/x.json` sees the link
// without depending on the notification sent after the reply.
const (
	inboxTTL    = time.Millisecond
	inboxSettle = 25 * time.Millisecond
)
