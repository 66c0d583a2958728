package localcomps

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// blobStore keeps file contents on disk addressed by MD5:
// <dir>/blobs/ab/abcdef... . Blobs are written to a temporary file, checked
// against their MD5 and renamed into place, so a blob that exists is complete.
type blobStore struct {
	root string // <dir>/blobs
	tmp  string // <dir>/uploads
}

// emptyMD5 is the MD5 of zero bytes; its blob always exists.
const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"

// newBlobStore creates the blob and upload folders under dir.
func newBlobStore(dir string) (*blobStore, error) {
	b := &blobStore{root: filepath.Join(dir, "blobs"), tmp: filepath.Join(dir, "uploads")}
	for _, d := range []string{b.root, b.tmp} {
		if err := os.MkdirAll(d, dirMode); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
		if err := os.Chmod(d, dirMode); err != nil {
			return nil, fmt.Errorf("restrict %s: %w", d, err)
		}
	}
	if !b.has(emptyMD5) {
		if _, _, err := b.put(emptyMD5, nilReader{}, false); err != nil {
			return nil, fmt.Errorf("store empty blob: %w", err)
		}
	}
	return b, nil
}

// nilReader is an empty reader.
type nilReader struct{}

func (nilReader) Read([]byte) (int, error) { return 0, io.EOF }

// path returns where the blob with this hex MD5 lives.
func (b *blobStore) path(md5hex string) string {
	if len(md5hex) < 2 {
		return filepath.Join(b.root, "_", md5hex)
	}
	return filepath.Join(b.root, md5hex[:2], md5hex)
}

// has reports whether the blob is stored.
func (b *blobStore) has(md5hex string) bool {
	fi, err := os.Stat(b.path(md5hex))
	return err == nil && fi.Mode().IsRegular()
}

// size returns the stored blob's length.
func (b *blobStore) size(md5hex string) (int64, error) {
	fi, err := os.Stat(b.path(md5hex))
	if err != nil {
		return 0, fmt.Errorf("stat blob %s: %w", md5hex, err)
	}
	return fi.Size(), nil
}

// errMD5Mismatch reports content whose MD5 is not the one announced.
var errMD5Mismatch = errors.New("md5 mismatch")

// tempFile creates a temporary file in the uploads folder.
func (b *blobStore) tempFile() (*os.File, error) {
	f, err := os.CreateTemp(b.tmp, "tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	return f, nil
}

// put stores r as a blob. With want != "" the content must have that MD5,
// else errMD5Mismatch and nothing is stored. It returns the MD5 and length.
// With sync the data is flushed to disk before the rename.
func (b *blobStore) put(want string, r io.Reader, sync bool) (string, int64, error) {
	f, err := b.tempFile()
	if err != nil {
		return "", 0, err
	}
	name := f.Name()
	defer os.Remove(name) // no-op after a successful rename
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		f.Close()
		return "", 0, fmt.Errorf("write blob: %w", err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return "", 0, fmt.Errorf("sync blob: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("close blob: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if want != "" && sum != want {
		return "", 0, fmt.Errorf("content has md5 %s, expected %s: %w", sum, want, errMD5Mismatch)
	}
	if err := b.adopt(name, sum); err != nil {
		return "", 0, err
	}
	return sum, n, nil
}

// adopt renames a verified temporary file into place as blob md5hex.
func (b *blobStore) adopt(tmpName, md5hex string) error {
	if b.has(md5hex) {
		return os.Remove(tmpName)
	}
	dst := b.path(md5hex)
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return fmt.Errorf("create blob folder: %w", err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return fmt.Errorf("move blob %s into place: %w", md5hex, err)
	}
	return nil
}

// fileMD5 computes the MD5 of a file on disk.
func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
