package nodes

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestToErrno(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}
	cases := []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{&client.Error{StatusCode: 404}, syscall.ENOENT},
		{fmt.Errorf("wrapped: %w", &client.Error{StatusCode: 403}), syscall.EACCES},
		{&client.Error{StatusCode: 401}, syscall.EACCES},
		{&client.Error{StatusCode: 400}, syscall.EINVAL},
		{&client.Error{StatusCode: 503}, syscall.EIO},
		{refused, syscall.EIO},
		{context.DeadlineExceeded, syscall.EIO},
		{context.Canceled, syscall.EINTR},
		{syscall.ENOSYS, syscall.EIO},
		{syscall.EROFS, syscall.EROFS},
		{fmt.Errorf("anything"), syscall.EIO},
	}
	for _, c := range cases {
		if got := toErrno(c.err); got != c.want {
			t.Errorf("toErrno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
