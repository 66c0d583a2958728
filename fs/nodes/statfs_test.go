package nodes

import (
	"testing"

	"github.com/hanwen/go-fuse/v2/fuse"
)

func TestStatfsIsTheCacheBound(t *testing.T) {
	for _, c := range []struct {
		bytes        int64
		blocks, free uint64
	}{{0, 0, 0}, {1, 1, 0}, {4096, 1, 1}, {4097, 2, 1}, {10 << 30, (10 << 30) / 4096, (10 << 30) / 4096}} {
		var out fuse.StatfsOut
		NewMount(Config{CacheBytes: c.bytes}).statfs(&out)
		if out.Blocks != c.blocks || out.Bfree != c.free || out.Bavail != c.free || out.NameLen != 255 ||
			out.Bsize != 4096 || out.Frsize != 4096 {
			t.Errorf("statfs with a %d-byte bound and an empty cache: %+v", c.bytes, out)
		}
	}
}
