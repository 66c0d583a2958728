package cache

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// byteAt is the content of every test file: cheap to compute at any offset,
// so a 10 GiB file needs no memory.
func byteAt(i int64) byte { return byte(i*131 + i>>9 + i>>17) }

func content(off, n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byteAt(off + int64(i))
	}
	return b
}

func md5Of(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

type span struct{ off, length int64 }

// testSource is a Source over the bytes of byteAt with call counting and
// faults. Set the fault fields before use.
type testSource struct {
	size int64

	short       int           // this many first calls return half the body
	corruptAt   int64         // >= 0: that byte comes back flipped (set to -1 for none)
	ignoreRange bool          // answer from offset 0 to the end, like a 200 to a ranged GET
	gate        chan struct{} // calls wait for it to close (or ctx)
	delay       time.Duration // calls wait this long (or ctx)
	fail        error         // calls fail with it

	mu      sync.Mutex
	calls   []span
	ctxs    []context.Context
	started chan struct{} // receives on every call, if not nil
}

func newSource(size int64) *testSource { return &testSource{size: size, corruptAt: -1} }

func (s *testSource) Source(ctx context.Context, off, length int64) (io.ReadCloser, error) {
	s.mu.Lock()
	s.calls = append(s.calls, span{off, length})
	s.ctxs = append(s.ctxs, ctx)
	n := len(s.calls)
	s.mu.Unlock()
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if s.fail != nil {
		return nil, s.fail
	}
	end := min(off+length, s.size)
	if s.ignoreRange {
		off, end = 0, s.size
	}
	if n <= s.short {
		end = off + (end-off)/2
	}
	return io.NopCloser(&genReader{pos: off, end: end, corruptAt: s.corruptAt}), nil
}

func (s *testSource) Calls() []span {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]span(nil), s.calls...)
}

type genReader struct{ pos, end, corruptAt int64 }

func (r *genReader) Read(p []byte) (int, error) {
	if r.pos >= r.end {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.end-r.pos))
	for i := range n {
		p[i] = byteAt(r.pos + int64(i))
		if r.pos+int64(i) == r.corruptAt {
			p[i] ^= 0xff
		}
	}
	r.pos += int64(n)
	return n, nil
}

// openTest opens a Content in a fresh folder.
func openTest(t *testing.T, o ContentOptions) *Content {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	c, err := OpenContent(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readOK reads and checks the bytes against byteAt, failing the test now.
func readOK(t *testing.T, c *Content, k Key, src Source, off, n int64) {
	t.Helper()
	if err := readCheck(c, k, src, off, n); err != nil {
		t.Fatal(err)
	}
}

// readCheck reads and checks the bytes against byteAt; for goroutines.
func readCheck(c *Content, k Key, src Source, off, n int64) error {
	p := make([]byte, n)
	got, err := c.ReadAt(context.Background(), k, src, p, off)
	want := min(n, max(k.Size-off, 0))
	if int64(got) != want || (err != nil && !(err == io.EOF && want < n)) {
		return fmt.Errorf("ReadAt(%d, %d) = %d, %v; want %d bytes", off, n, got, err, want)
	}
	for i := range want {
		if p[i] != byteAt(off+i) {
			return fmt.Errorf("ReadAt(%d, %d): byte %d is %d, want %d", off, n, off+i, p[i], byteAt(off+i))
		}
	}
	return nil
}
