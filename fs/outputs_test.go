package fs_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/sys/unix"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	compsfs "github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// Request keys of localcomps' output routes (Stats.Requests).
const (
	outputListingKey  = "GET /asset/WorkItems/{id}/Output"
	outputDownloadKey = "GET /asset/WorkItems/{id}/Output/{path...}"
)

// randomBytes is n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

// md5Of is the hex md5 of b.
func md5Of(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// fileMD5 reads a file through the mount and returns its hex md5.
func fileMD5(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// repeatReader yields block over and over; cheap gigabytes for the server's blob store.
type repeatReader struct {
	block []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.block[r.off:])
		n += c
		r.off = (r.off + c) % len(r.block)
	}
	return n, nil
}

func TestOutputsAreByteIdenticalWithExactSizesBeforeAnyDownload(t *testing.T) {
	const bigSize = 100 << 20
	small := map[string][]byte{
		"StdOut.txt":         []byte("hello from the worker\n"),
		"empty.txt":          {},
		"sub/dir/nested.bin": randomBytes(1, 300_000),
		"sub/other.txt":      []byte("other\n"),
	}
	want := map[string]string{}
	var sizes = map[string]int64{"big.bin": bigSize}
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var outs []localcomps.SeedFile
		for _, p := range slices.Sorted(maps.Keys(small)) {
			outs = append(outs, localcomps.SeedFile{Path: p, Data: small[p]})
			want[p], sizes[p] = md5Of(small[p]), int64(len(small[p]))
		}
		h := md5.New()
		src := io.TeeReader(rand.NewChaCha8([32]byte{42}), h)
		outs = append(outs, localcomps.SeedFile{Path: "big.bin", Reader: src, Size: bigSize})
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "outputs", State: "Succeeded", Outputs: outs})
		want["big.bin"] = hex.EncodeToString(h.Sum(nil))
	})
	wi, err := e.client.GetWorkItem(context.Background(), id, client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	out := e.path("workitems", id, "outputs")

	// The tree, sizes, modes and times, all before any byte is downloaded.
	top, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range top {
		names = append(names, d.Name())
	}
	if !slices.Equal(names, []string{"StdOut.txt", "big.bin", "empty.txt", "sub"}) {
		t.Errorf("outputs/ lists %q", names)
	}
	for p, size := range sizes {
		st, err := os.Stat(filepath.Join(out, p))
		if err != nil {
			t.Errorf("stat %s: %v", p, err)
			continue
		}
		if st.Size() != size || st.Mode() != 0o444 || !st.ModTime().Equal(wi.LastModified.Time) {
			t.Errorf("%s: size %d mode %v mtime %v, want %d 0444 %v", p, st.Size(), st.Mode(), st.ModTime(), size, wi.LastModified.Time)
		}
	}
	for _, dir := range []string{"", "sub", "sub/dir"} {
		st, err := os.Stat(filepath.Join(out, dir))
		if err != nil || st.Mode() != fs.ModeDir|0o555 {
			t.Errorf("folder %q: %v %v, want dr-xr-xr-x", dir, st.Mode(), err)
		}
	}
	if n, sent := e.srv.Stats().Requests[outputDownloadKey], e.srv.Stats().BytesSent; n != 0 || sent != 0 {
		t.Errorf("listing and stat downloaded: %d requests, %d bytes", n, sent)
	}

	for p, w := range want {
		if got := fileMD5(t, filepath.Join(out, p)); got != w {
			t.Errorf("%s: md5 %s, want %s", p, got, w)
		}
	}
}

func TestHugeOutputHeadFetchesLittleAndWholeReadIsVerified(t *testing.T) {
	if _, err := exec.LookPath("head"); err != nil {
		t.Skip("no head binary")
	}
	const size = 1 << 30
	var id, sum string
	start := time.Now()
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		h := md5.New()
		r := io.TeeReader(&repeatReader{block: randomBytes(7, 1<<20+13)}, h)
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "huge", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "huge.bin", Reader: r, Size: size}}})
		sum = hex.EncodeToString(h.Sum(nil))
	})
	t.Logf("seeding 1 GiB and mounting took %v", time.Since(start))
	path := e.path("workitems", id, "outputs", "huge.bin")
	if st, err := os.Stat(path); err != nil || st.Size() != size {
		t.Fatalf("stat: %v %v", st, err)
	}
	before := e.srv.Stats().BytesSent
	b, err := exec.Command("head", "-c", "1M", path).Output()
	if err != nil {
		t.Fatalf("head -c 1M: %v", err)
	}
	want := make([]byte, 1<<20)
	_, _ = (&repeatReader{block: randomBytes(7, 1<<20+13)}).Read(want)
	if len(b) != len(want) || md5Of(b) != md5Of(want) {
		t.Errorf("head -c 1M gave %d bytes that differ from the file's first MiB", len(b))
	}
	sent := settledBytesSent(e) - before
	t.Logf("head -c 1M of a 1 GiB output: the server sent %d bytes", sent)
	if sent > 3<<19 {
		t.Errorf("server sent %d bytes for head -c 1M, more than 1.5 MiB", sent)
	}
	if testing.Short() {
		return // the whole read takes a few seconds more
	}
	// The whole file: byte-identical, and the cache's check of its md5
	// passed (the read reaching the end waits for it, and fails otherwise).
	start = time.Now()
	if got := fileMD5(t, path); got != sum {
		t.Errorf("md5 of the whole 1 GiB through the mount %s, want %s", got, sum)
	}
	t.Logf("a cold read of the rest of 1 GiB took %v", time.Since(start))
	if s := e.opts.Content.Stats(); s.VerifyFailures != 0 || s.BytesFetched != size {
		t.Errorf("content cache after the whole read: %+v, want every byte fetched once and checked", s)
	}
}

func TestARottenCachedChunkIsFetchedAgainNeverServed(t *testing.T) {
	// A verified file's chunk rots on disk, and compsfs restarts (here,
	// after a crash: no clean shutdown): the chunk is checked before its
	// first read, and the file fetched again.
	data := randomBytes(23, 3*cache.DefaultChunkSize+1234)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "rot", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "data.bin", Data: data}}})
	})
	dir := t.TempDir()
	openContent := func() *cache.Content {
		c, err := cache.OpenContent(cache.ContentOptions{Dir: dir, MaxBytes: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	e.opts.Content = openContent()
	e.mount()
	if got := fileMD5(t, e.path("workitems", id, "outputs", "data.bin")); got != md5Of(data) {
		t.Fatalf("first read: md5 %s, want %s", got, md5Of(data))
	}
	chunkDir := filepath.Join(dir, "content", fmt.Sprintf("%s-%d", md5Of(data), len(data)))
	for i := 0; ; i++ { // the mark is written once the chunks are durable, in the background
		if _, err := os.Stat(filepath.Join(chunkDir, "verified")); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("the file was never marked verified")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The second chunk's byte 1000, in the file's data file.
	f, err := os.OpenFile(filepath.Join(chunkDir, "data"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	at := int64(cache.DefaultChunkSize) + 1000
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x40
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
	f.Close()

	e.opts.Content = openContent()
	e.mount()
	before := e.srv.Stats().Requests[outputDownloadKey]
	if got := fileMD5(t, e.path("workitems", id, "outputs", "data.bin")); got != md5Of(data) {
		t.Errorf("read after the chunk rotted: md5 %s, want %s", got, md5Of(data))
	}
	if s := e.opts.Content.Stats(); s.VerifyFailures != 1 {
		t.Errorf("content cache: %+v, want the rotten chunk found once", s)
	}
	if n := e.srv.Stats().Requests[outputDownloadKey]; n == before {
		t.Error("the file was not fetched again")
	}
}

// settledBytesSent waits for downloads still running (read-ahead) to end
// and returns the server's byte count.
func settledBytesSent(e *env) int64 {
	last := e.srv.Stats().BytesSent
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		now := e.srv.Stats().BytesSent
		if now == last && i >= 2 {
			break
		}
		last = now
	}
	return last
}

func TestSameContentInTwoWorkItemsIsDownloadedOnce(t *testing.T) {
	data := randomBytes(3, 5<<20+17)
	var ids []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		for _, name := range []string{"first", "second"} {
			ids = append(ids, seedOne(t, s, localcomps.SeedWorkItem{Name: name, State: "Succeeded",
				Outputs: []localcomps.SeedFile{{Path: name + "/result.bin", Data: data}}}))
		}
	})
	if got := fileMD5(t, e.path("workitems", ids[0], "outputs", "first", "result.bin")); got != md5Of(data) {
		t.Fatalf("first: md5 %s, want %s", got, md5Of(data))
	}
	sent, downloads := settledBytesSent(e), e.srv.Stats().Requests[outputDownloadKey]
	if sent < int64(len(data)) || downloads == 0 {
		t.Fatalf("the first read sent %d bytes in %d requests", sent, downloads)
	}
	if got := fileMD5(t, e.path("workitems", ids[1], "outputs", "second", "result.bin")); got != md5Of(data) {
		t.Fatalf("second: md5 %s, want %s", got, md5Of(data))
	}
	if s := e.srv.Stats(); s.BytesSent != sent || s.Requests[outputDownloadKey] != downloads {
		t.Errorf("the second work item's copy was downloaded again: %d bytes in %d requests, before %d in %d",
			s.BytesSent, s.Requests[outputDownloadKey], sent, downloads)
	}
}

func TestFinishedOutputsStillReadAfterTheServerStops(t *testing.T) {
	big := randomBytes(5, 2*cache.DefaultChunkSize)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "done", State: "Succeeded", Outputs: []localcomps.SeedFile{
			{Path: "StdOut.txt", Data: []byte("finished\n")},
			{Path: "big.bin", Data: big},
			{Path: "same.bin", Data: big}, // the same content: one cache entry, two inodes
			{Path: "never-read.txt", Data: []byte("nobody read me\n")},
		}})
	}, func(o *compsfs.Options) { o.Timeout = 2 * time.Second })
	out := e.path("workitems", id, "outputs")
	if got := e.read("workitems", id, "outputs", "StdOut.txt"); got != "finished\n" {
		t.Fatalf("StdOut.txt = %q", got)
	}
	f, err := os.Open(filepath.Join(out, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	off := int64(cache.DefaultChunkSize) - 512<<10
	part := make([]byte, 64<<10)
	if _, err := f.ReadAt(part, off); err != nil {
		t.Fatal(err)
	}

	e.stopServer()

	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 4 {
		t.Fatalf("outputs/ after the server stopped: %d entries, %v", len(entries), err)
	}
	if got := e.read("workitems", id, "outputs", "StdOut.txt"); got != "finished\n" {
		t.Errorf("StdOut.txt after the server stopped = %q", got)
	}
	// The same bytes through another file, whose pages the kernel never
	// had: only the content cache can answer.
	same, err := os.Open(filepath.Join(out, "same.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer same.Close()
	clear(part)
	if _, err := same.ReadAt(part, off); err != nil {
		t.Fatalf("read of cached bytes after the server stopped: %v", err)
	}
	if md5Of(part) != md5Of(big[off:off+int64(len(part))]) {
		t.Errorf("bytes at %d differ after the server stopped", off)
	}
	// What was never fetched fails, quickly and with EIO.
	for _, read := range []func() error{
		func() error { _, err := f.ReadAt(part, int64(cache.DefaultChunkSize)+4096); return err },
		func() error { _, err := os.ReadFile(filepath.Join(out, "never-read.txt")); return err },
	} {
		start := time.Now()
		err := read()
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("reading uncached bytes without a server: %v, want EIO", err)
		}
		if d := time.Since(start); d > e.opts.Timeout+2*time.Second {
			t.Errorf("reading uncached bytes without a server took %v", d)
		}
	}
}

func TestUnsafeOutputNamesNeverLeaveTheirFolder(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "unsafe", State: "Succeeded", Outputs: []localcomps.SeedFile{
			{Path: "top.txt", Data: []byte("top\n")},
			{Path: "inside/ok.txt", Data: []byte("ok\n")},
		}})
	})
	// localcomps refuses such paths when seeding, so a proxy adds them to
	// the listing the way a broken or hostile server would send them.
	unsafe := []struct{ dir, name string }{
		{"..", "escape.txt"}, {".", "../escape2.txt"}, {"a/../..", "b.txt"}, {"/", "abs.txt"},
		{".", "/abs2.txt"}, {"/tmp", "abs3.txt"}, {".", "nul\x00.txt"}, {"./inside", "dot.txt"},
		{"inside//x", "c.txt"}, {"inside", ".."}, {"inside", "."}, {"inside", ""}, {"", ""},
		{"inside", strings.Repeat("l", 256)}, {strings.Repeat("d", 300), "x.txt"},
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/WorkItems/"+id+"/Output") {
			e.srv.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, r)
		var listing struct{ Resources []map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &listing); err != nil || len(listing.Resources) == 0 {
			http.Error(w, fmt.Sprintf("proxy: %v", err), http.StatusBadGateway)
			return
		}
		var top map[string]any
		for _, res := range listing.Resources {
			if res["FriendlyName"] == "top.txt" {
				top = res
			}
		}
		for i, u := range append(unsafe, struct{ dir, name string }{`..\..\evil`, "win.txt"}) {
			res := map[string]any{}
			for k, v := range top {
				res[k] = v
			}
			res["Id"], res["PathFromRoot"], res["FriendlyName"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i), u.dir, u.name
			listing.Resources = append(listing.Resources, res)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(listing)
	}))
	t.Cleanup(proxy.Close)
	c, err := client.New(client.Options{Server: proxy.URL, Token: e.srv.Token(), NoTokenCache: true, RetryBase: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.opts.Client = c
	e.mount()

	out := e.path("workitems", id, "outputs")
	var found []string
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		found = append(found, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", `..\..\evil`, `..\..\evil/win.txt`, "inside", "inside/ok.txt", "top.txt"}
	if !slices.Equal(found, want) {
		t.Errorf("outputs/ holds %q, want %q", found, want)
	}
	if got := e.read("workitems", id, "outputs", `..\..\evil`, "win.txt"); got != "top\n" {
		t.Errorf(`..\..\evil/win.txt = %q`, got)
	}
	for _, p := range []string{
		e.path("workitems", id, "escape.txt"), e.path("workitems", id, "escape2.txt"), e.path("workitems", "b.txt"),
		e.path("b.txt"), e.path("abs.txt"), e.path("abs2.txt"), e.path("abs3.txt"), e.path("workitems", id, "evil"),
		filepath.Join(out, "inside", "dot.txt"), filepath.Join(out, "inside", "x"),
	} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want it not to exist", p, err)
		}
	}
}

func TestOutputsPassFSTest(t *testing.T) {
	files := map[string][]byte{
		"StdOut.txt":          []byte("out\n"),
		"StdErr.txt":          {},
		"results/summary.csv": []byte("a,b\n1,2\n"),
		"results/deep/x.bin":  randomBytes(9, 70_000),
		"results/deep/y.json": []byte(`{"y": 1}`),
	}
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var outs []localcomps.SeedFile
		for _, p := range slices.Sorted(maps.Keys(files)) {
			outs = append(outs, localcomps.SeedFile{Path: p, Data: files[p]})
		}
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "fstest", State: "Succeeded", Outputs: outs})
	})
	fsys := os.DirFS(e.path("workitems", id, "outputs"))
	if err := fstest.TestFS(fsys, slices.Sorted(maps.Keys(files))...); err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		got, err := fs.ReadFile(fsys, p)
		if err != nil || string(got) != string(data) {
			t.Errorf("%s: %d bytes (%v), want %d", p, len(got), err, len(data))
		}
	}
}

// Output files prefer I/O of 512 KiB (st_blksize), as network filesystems
// prefer large reads; the small metadata files keep the page size.
func TestOutputFilesPreferLargeReads(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "blksize", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte("out\n")}}})
	})
	for path, want := range map[string]int64{
		e.path("workitems", id, "outputs", "StdOut.txt"): 512 << 10,
		e.path("workitems", id, "state"):                 4096,
	} {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil || st.Blksize != want {
			t.Errorf("stat %s: block size %d, %v; want %d", path, st.Blksize, err, want)
		}
	}
}

func TestOutputFilesAnswerExtendedAttributes(t *testing.T) {
	data := []byte("xattrs\n")
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "xattr", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "logs/StdOut.txt", Data: data}}})
	})
	files, err := e.client.OutputFiles(context.Background(), client.KindWorkItem, id)
	if err != nil || len(files) != 1 {
		t.Fatalf("listing: %v %v", files, err)
	}
	path := e.path("workitems", id, "outputs", "logs", "StdOut.txt")
	buf := make([]byte, 4096)
	n, err := unix.Listxattr(path, buf)
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Split(strings.TrimSuffix(string(buf[:n]), "\x00"), "\x00")
	wantNames := []string{"user.comps.id", "user.comps.type", "user.comps.md5", "user.comps.url"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("listxattr = %q, want %q", names, wantNames)
	}
	want := map[string]string{
		"user.comps.id":   files[0].ID,
		"user.comps.type": "OutputFile",
		"user.comps.md5":  md5Of(data),
		"user.comps.url":  files[0].URL,
	}
	for name, w := range want {
		n, err := unix.Getxattr(path, name, buf)
		if err != nil || string(buf[:n]) != w {
			t.Errorf("%s = %q (%v), want %q", name, buf[:n], err, w)
		}
	}
	if _, err := unix.Getxattr(path, "user.comps.nope", buf); !errors.Is(err, unix.ENODATA) {
		t.Errorf("unknown attribute: %v, want ENODATA", err)
	}
}

// compsfs has no SELinux labels, POSIX ACLs or trusted attributes: asking
// for one is ENOTSUP on every node, as on a filesystem without them, so
// that ls -l stops asking after its first file. Names in user. it does
// not have stay ENODATA.
func TestAttributesOutsideTheUserNamespaceAreNotSupported(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "labels", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte("out\n")}}})
	})
	buf := make([]byte, 256)
	for _, path := range []string{e.path(), e.path("workitems"), e.path("workitems", id),
		e.path("workitems", id, "state"), e.path("workitems", id, "outputs", "StdOut.txt")} {
		for _, name := range []string{"security.selinux", "system.posix_acl_access", "system.posix_acl_default", "trusted.x"} {
			if _, err := unix.Getxattr(path, name, buf); !errors.Is(err, unix.ENOTSUP) {
				t.Errorf("getxattr %s %s: %v, want ENOTSUP", path, name, err)
			}
		}
		if _, err := unix.Getxattr(path, "user.comps.nope", buf); !errors.Is(err, unix.ENODATA) {
			t.Errorf("getxattr %s user.comps.nope: %v, want ENODATA", path, err)
		}
	}
	if n, err := unix.Getxattr(e.path("workitems", id), "user.comps.id", buf); err != nil || string(buf[:n]) != id {
		t.Errorf("user.comps.id = %q, %v; want %s", buf[:max(n, 0)], err, id)
	}
}

func TestListingManyOutputsCostsOneListingRequest(t *testing.T) {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var outs []localcomps.SeedFile
		for i := range 300 {
			outs = append(outs, localcomps.SeedFile{Path: fmt.Sprintf("d%d/f%03d.txt", i%3, i), Data: []byte(fmt.Sprint(i))})
		}
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "many", State: "Succeeded", Outputs: outs})
	})
	before := e.srv.Stats().Requests
	var files int
	err := filepath.WalkDir(e.path("workitems", id, "outputs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, err := d.Info(); err != nil {
			return err
		}
		if !d.IsDir() {
			files++
		}
		return nil
	})
	if err != nil || files != 300 {
		t.Fatalf("walked %d files: %v", files, err)
	}
	after := e.srv.Stats().Requests
	var total int64
	for k, v := range after {
		total += v - before[k]
	}
	if n := after[outputListingKey] - before[outputListingKey]; n != 1 || total > 3 {
		t.Errorf("ls -lR of 300 outputs made %d listing requests and %d requests in all (%v)", n, total, after)
	}
}

func TestSimulationOutputsAreTheSameTree(t *testing.T) {
	data := randomBytes(13, 123_456)
	var running, done string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		var err error
		outs := []localcomps.SeedFile{{Path: "output/InsetChart.json", Data: data}, {Path: "status.txt", Data: []byte("ok\n")}}
		if done, err = s.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "done", SimulationState: "Succeeded", Outputs: outs}); err != nil {
			t.Fatal(err)
		}
		if running, err = s.SeedEntity(ctx, "Simulation", localcomps.SeedEntity{Name: "running", SimulationState: "Running", Outputs: outs[1:]}); err != nil {
			t.Fatal(err)
		}
	})
	sim, err := e.client.GetSimulation(context.Background(), done, client.Query{})
	if err != nil {
		t.Fatal(err)
	}
	path := e.path("simulations", done, "outputs", "output", "InsetChart.json")
	st, err := os.Stat(path)
	if err != nil || st.Size() != int64(len(data)) || !st.ModTime().Equal(sim.LastModified.Time) {
		t.Fatalf("stat: %v %v, want size %d mtime %v", st, err, len(data), sim.LastModified.Time)
	}
	if got := fileMD5(t, path); got != md5Of(data) {
		t.Errorf("md5 %s, want %s", got, md5Of(data))
	}
	if got := e.read("simulations", running, "outputs", "status.txt"); got != "ok\n" {
		t.Errorf("running simulation's status.txt = %q", got)
	}
	// A finished simulation's listing is kept: a second listing costs nothing.
	before := e.srv.Stats().Requests["GET /asset/Simulations/{id}/Output"]
	if _, err := os.ReadDir(e.path("simulations", done, "outputs", "output")); err != nil {
		t.Fatal(err)
	}
	if after := e.srv.Stats().Requests["GET /asset/Simulations/{id}/Output"]; after != before {
		t.Errorf("listing a finished simulation's outputs again made %d requests", after-before)
	}
}

func TestATimedOutReadLeavesTheDownloadRunning(t *testing.T) {
	data := randomBytes(17, 600_000)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "slow", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "slow.bin", Data: data}}})
	}, func(o *compsfs.Options) { o.Timeout = time.Second })
	path := e.path("workitems", id, "outputs", "slow.bin")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	// The answer comes after 3 s. A failed read-ahead is retried by the
	// kernel as a plain read, so one read(2) may wait for two --timeouts.
	e.srv.SetFaults(localcomps.Faults{Latency: 3 * time.Second})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	head := make([]byte, 64<<10)
	_, err = f.ReadAt(head, 0)
	if !errors.Is(err, syscall.EIO) {
		t.Errorf("read slower than --timeout: %v, want EIO", err)
	}
	d := time.Since(start)
	t.Logf("a read slower than --timeout %v failed after %v", e.opts.Timeout, d)
	if d > 2*e.opts.Timeout+time.Second {
		t.Errorf("a read slower than --timeout returned after %v", d)
	}
	downloads := e.srv.Stats().Requests[outputDownloadKey]
	e.srv.SetFaults(localcomps.Faults{})
	for i := 0; e.opts.Content.Stats().BytesOnDisk < int64(len(head)); i++ {
		if i > 200 {
			t.Fatal("the download did not go on after the read gave up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := f.ReadAt(head, 0); err != nil || md5Of(head) != md5Of(data[:len(head)]) {
		t.Fatalf("read again: %v, or wrong bytes", err)
	}
	if n := e.srv.Stats().Requests[outputDownloadKey]; n != downloads {
		t.Errorf("reading again what the timed-out read asked for made %d more download requests, want none", n-downloads)
	}
	if got := fileMD5(t, path); got != md5Of(data) {
		t.Errorf("md5 %s, want %s", got, md5Of(data))
	}
}

func TestOutputsReadWholeUnder503sAndCutBodies(t *testing.T) {
	// The client retries 503s and resumes bodies cut short, for the
	// downloads a reader waits for: reads through the mount still give the
	// file's exact bytes.
	data := randomBytes(29, 3*cache.DefaultChunkSize+4321)
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "flaky", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "flaky.bin", Data: data}}})
	})
	path := e.path("workitems", id, "outputs", "flaky.bin")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	e.srv.SetFaults(localcomps.Faults{FailRate: 0.15, ResetRate: 0.15, Seed: 13})
	defer e.srv.SetFaults(localcomps.Faults{})
	if got := fileMD5(t, path); got != md5Of(data) {
		t.Errorf("md5 %s, want %s", got, md5Of(data))
	}
	if n := e.srv.Stats().Injected; n == 0 {
		t.Error("no fault was injected")
	}
}

// TestAFileThatFailsItsCheckFailsOnceNotEveryTime: a file whose bytes do
// not match the md5 the server lists is EIO, and reading it again within
// --attr-ttl fails at once without downloading it again.
func TestAFileThatFailsItsCheckFailsOnceNotEveryTime(t *testing.T) {
	var id string
	data := bytes.Repeat([]byte("payload "), 256<<10) // 2 MiB
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "lying", State: "Succeeded",
			Outputs: []localcomps.SeedFile{{Path: "bad.bin", Data: data}}})
	}, func(o *compsfs.Options) { o.AttrTTL = time.Minute })
	wrong, _ := client.MD5ToUUID(md5Of([]byte("something else")))
	e.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/WorkItems/"+id+"/Output") {
			return false
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, r)
		var listing struct{ Resources []map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &listing); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return true
		}
		for _, res := range listing.Resources {
			res["MD5"] = wrong // the server lies about the file's md5
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(listing)
		return true
	})
	path := e.path("workitems", id, "outputs", "bad.bin")
	if _, err := os.ReadFile(path); !errors.Is(err, syscall.EIO) {
		t.Fatalf("a file failing its check: %v, want EIO", err)
	}
	downloads := e.counted(outputDownloadKey)
	for range 3 {
		if _, err := os.ReadFile(path); !errors.Is(err, syscall.EIO) {
			t.Errorf("reading it again: %v, want EIO", err)
		}
	}
	if n := e.counted(outputDownloadKey) - downloads; n != 0 {
		t.Errorf("reading it again downloaded it %d more times, want none within --attr-ttl", n)
	}
}
