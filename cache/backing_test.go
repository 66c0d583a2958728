package cache

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// backingBytes reads all of b's file.
func backingBytes(t *testing.T, b *Backing, size int64) []byte {
	t.Helper()
	got := make([]byte, size+1)
	n, err := b.File().ReadAt(got, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return got[:n]
}

func TestBackingIsTheWholeVerifiedFile(t *testing.T) {
	data := content(0, 2500)
	k := Key{MD5: md5Of(data), Size: 2500}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(2500)
	readOK(t, c, k, src.Source, 0, 1000)
	if _, ok := c.Backing(k); ok {
		t.Fatal("Backing of a file cached in part")
	}
	readOK(t, c, k, src.Source, 0, 2500)
	b, ok := c.Backing(k)
	if !ok {
		t.Fatal("no Backing for a whole verified file")
	}
	defer b.Release()
	if got := backingBytes(t, b, 2500); !bytes.Equal(got, data) {
		t.Fatalf("Backing's file holds %d bytes that are not the file's", len(got))
	}
	// Without an md5 nothing is verified: never a Backing.
	id := Key{ID: "no-md5", Size: 1000}
	readOK(t, c, id, src.Source, 0, 1000)
	if _, ok := c.Backing(id); ok {
		t.Fatal("Backing of a file without an md5")
	}
}

func TestBackingKeepsItsChunksFromEviction(t *testing.T) {
	data := content(0, 2000)
	k := Key{MD5: md5Of(data), Size: 2000}
	c := openTest(t, ContentOptions{MaxBytes: 2500, ChunkSize: 1000})
	src := newSource(2000)
	readOK(t, c, k, src.Source, 0, 2000)
	b, ok := c.Backing(k)
	if !ok {
		t.Fatal("no Backing")
	}
	// Another file needs room: k's chunks are held, so they stay.
	readOK(t, c, Key{ID: "other", Size: 1000}, newSource(1000).Source, 0, 1000)
	c.wg.Wait()
	if got := backingBytes(t, b, 2000); !bytes.Equal(got, data) {
		t.Fatal("a held Backing lost bytes to eviction")
	}
	b.Release()
	b.Release() // again: nothing
	readOK(t, c, Key{ID: "third", Size: 1000}, newSource(1000).Source, 0, 1000)
	c.wg.Wait()
	if s := c.Stats(); s.Evictions == 0 || s.BytesOnDisk > 2500 {
		t.Fatalf("Stats = %+v: once released, the file's chunks are evicted again", s)
	}
	if _, ok := c.Backing(k); ok {
		t.Fatal("Backing of a file that lost chunks")
	}
}

func TestBackingAfterARestartWaitsForTheChunksChecks(t *testing.T) {
	dir := t.TempDir()
	o := ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000}
	data := content(0, 2500)
	k := Key{MD5: md5Of(data), Size: 2500}
	c := openTest(t, o)
	readOK(t, c, k, newSource(2500).Source, 0, 2500)
	c.Close()
	c = openTest(t, o)
	if _, ok := c.Backing(k); ok {
		t.Fatal("Backing of a file whose chunks are not checked since the start")
	}
	none := newSource(2500)
	none.fail = errors.New("must not be called")
	readOK(t, c, k, none.Source, 0, 2500) // checks every chunk against its CRC
	c.wg.Wait()
	b, ok := c.Backing(k)
	if !ok {
		t.Fatal("no Backing once every chunk was checked")
	}
	defer b.Release()
	if got := backingBytes(t, b, 2500); !bytes.Equal(got, data) {
		t.Fatal("Backing's bytes after a restart are not the file's")
	}
}

func TestFolderOfTheEarlierLayoutIsDropped(t *testing.T) {
	// An earlier compsfs kept one file per chunk, holding its bytes, and
	// no data file: a start removes such folders rather than trust them.
	dir := t.TempDir()
	k := Key{MD5: md5Of(content(0, 2000)), Size: 2000}
	name, _, _ := k.dirName()
	old := filepath.Join(dir, "content", name)
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1000} {
		if err := os.WriteFile(filepath.Join(old, strconv.FormatInt(off, 10)), content(off, 1000), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := openTest(t, ContentOptions{Dir: dir, MaxBytes: 1 << 20, ChunkSize: 1000})
	if s := c.Stats(); s.BytesOnDisk != 0 {
		t.Fatalf("Stats = %+v: chunks of the earlier layout kept", s)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("folder of the earlier layout left: %v", err)
	}
	readOK(t, c, k, newSource(2000).Source, 0, 2000)
}

func TestDiscardedFileStaysReadableByItsHolders(t *testing.T) {
	// A reader holding bytes of a file that is then discarded (its data
	// file unlinked) reads the bytes it holds; the file is fetched anew.
	data := content(0, 2000)
	k := Key{ID: "held", Size: 2000}
	c := openTest(t, ContentOptions{MaxBytes: 1 << 20, ChunkSize: 1000})
	src := newSource(2000)
	readOK(t, c, k, src.Source, 0, 2000)
	h, err := c.Hold(context.Background(), k, src.Source, 500, 1000) // across both chunks
	if err != nil {
		t.Fatal(err)
	}
	f, at, ok := h.File()
	if !ok || at != 500 {
		t.Fatalf("File() = %v, %d, %v; want the data file at 500", f, at, ok)
	}
	name, _, _ := k.dirName()
	c.mu.Lock()
	c.discard(c.keys[name])
	c.mu.Unlock()
	got := make([]byte, 1000)
	if n, err := h.Copy(got); err != nil || n != 1000 || !bytes.Equal(got, data[500:1500]) {
		t.Fatalf("held bytes after the discard: %d, %v, equal %v", n, err, bytes.Equal(got, data[500:1500]))
	}
	h.Release()
	calls := len(src.Calls())
	readOK(t, c, k, src.Source, 0, 2000)
	if len(src.Calls()) == calls {
		t.Fatal("the discarded file was not fetched again")
	}
}
