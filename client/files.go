package client

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FileUpload is a file to attach to a new work item: its name and type in
// COMPS, its checksum and size, and where its bytes are (memory or a local
// file, read only when they must be sent).
type FileUpload struct {
	FileName    string // base name in COMPS (directories are dropped, §3.3)
	FileType    string // "WorkOrder", "input", ... (§4)
	Description string
	MD5         string // 32 lowercase hex digits
	Size        int64
	data        []byte
	path        string
}

// FileFromBytes makes an upload from bytes in memory.
func FileFromBytes(name, fileType string, data []byte) FileUpload {
	sum := md5.Sum(data)
	return FileUpload{FileName: filepath.Base(name), FileType: fileType, MD5: hex.EncodeToString(sum[:]),
		Size: int64(len(data)), data: data}
}

// FileFromPath makes an upload from a local file, reading it once to compute
// its checksum. The file must not change until it is saved.
func FileFromPath(name, fileType, path string) (FileUpload, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileUpload{}, fmt.Errorf("file %s: %w", path, err)
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileUpload{}, fmt.Errorf("checksum %s: %w", path, err)
	}
	return FileUpload{FileName: filepath.Base(name), FileType: fileType, MD5: hex.EncodeToString(h.Sum(nil)),
		Size: n, path: path}, nil
}

// readerAt gives random access to the file's bytes; close releases it.
func (f FileUpload) readerAt() (r io.ReaderAt, close func() error, err error) {
	if f.path == "" {
		return bytes.NewReader(f.data), func() error { return nil }, nil
	}
	file, err := os.Open(f.path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", f.path, err)
	}
	return file, file.Close, nil
}

// bytes reads the whole file (only done for files small enough to go in a
// multipart save), checking that it still has the size it was hashed with.
func (f FileUpload) bytes() ([]byte, error) {
	if f.path == "" {
		return f.data, nil
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	if int64(len(b)) != f.Size {
		return nil, fmt.Errorf("read %s: size changed from %d to %d since it was hashed", f.path, f.Size, len(b))
	}
	return b, nil
}

// partContentType is the content type pyCOMPS gives a file part, from the
// file name's extension, case-sensitively (§3.3).
func partContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".xml"):
		return "application/xml"
	case strings.HasSuffix(name, ".txt"), strings.HasSuffix(name, ".csv"):
		return "text/plain"
	}
	return "application/octet-stream"
}
