package fs_test

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/hanwen/go-fuse/v2/posixtest"

	"github.com/compsfs/compsfs/localcomps"
)

// go-fuse's posixtest cases run against a work item's tags/ folder of a
// real mount: each creates, writes, reads or removes plain files in the
// folder it is given, which tags/ takes as tags.
//
// The cases that cannot fit tags/, and why:
//   - TruncateFile and AppendWrite compare the file with the bytes written,
//     while a tag file shows its value and a newline (docs/tree.md): they
//     read "hello\n" and "helloworld\n". TestTruncateAndAppendOnATag makes
//     the same calls and expects the newline.
//   - TruncateNoFile truncates a file without opening it to 1 byte of
//     "hello": the value "h", which reads "h\n" (2 bytes), for the same
//     reason.
//   - FileBasic, FileLarge and DirectIO expect their bytes back as written
//     (FileLarge writes more than the 1 MiB a value may hold).
//   - MkdirRmdir, SymlinkReadlink, SetattrSymlink, Link, LinkUnlinkRename,
//     NlinkZero, RenameOverwriteDestNoExist, RenameOverwriteDestExist,
//     RenameOpenDir, OpenAt, OpenSymlinkRace: tags/ holds files only, and
//     refuses folders, links and renames (EACCES, docs/errors.md).
//   - DirSeek lists a folder it makes with mkdir.
//   - XAttr and XAttrLarge set extended attributes, which are refused
//     (EACCES).
//   - Fallocate, FallocateKeepSize, LseekHoleSeeksToEOF, LseekEnxioCheck,
//     FcntlFlockSetLk, FcntlFlockLocksFile, Tmpfile: preallocation, holes,
//     locks and O_TMPFILE have no meaning for a value saved whole at close.
func TestPosixTestsOnTags(t *testing.T) {
	two := map[string]any{"a": "1", "b": "2"}
	cases := []struct {
		name string
		tags map[string]any // the work item's tags before the case
		test func(t *testing.T, dir string)
	}{
		{"ReadDirConsistency", two, posixtest.ReadDirConsistency},
		{"ReadDirBasic", nil, posixtest.ReadDirBasic}, // expects only the files it creates
		{"ParallelFileOpen", two, posixtest.ParallelFileOpen},
		{"FdLeak", two, posixtest.FdLeak},
		{"FstatDeleted", two, posixtest.FstatDeleted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.test(t, newTagsEnv(t, c.tags))
		})
	}
}

// newTagsEnv mounts a running work item with tags and returns its tags/
// folder.
func newTagsEnv(t *testing.T, tags map[string]any) string {
	var id string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		id = seedOne(t, s, localcomps.SeedWorkItem{Name: "posix", State: "Running", Tags: tags})
	})
	return e.path("workitems", id, "tags")
}

// TestTruncateAndAppendOnATag makes posixtest's TruncateFile and
// AppendWrite calls on tag files, expecting the newline a value shows with:
// ftruncate of an open file then close saves the cut content, and writes
// with O_APPEND go one after the other.
func TestTruncateAndAppendOnATag(t *testing.T) {
	dir := newTagsEnv(t, nil)
	fn := dir + "/file"
	if err := os.WriteFile(fn, []byte("hello world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(fn, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(6); err != nil {
		t.Errorf("ftruncate: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if got, err := os.ReadFile(fn); err != nil || string(got) != "hello \n" {
		t.Errorf("after ftruncate to 6: %q, %v; want %q", got, err, "hello \n")
	}

	fd, err := syscall.Open(dir+"/appended", syscall.O_WRONLY|syscall.O_APPEND|syscall.O_CREAT, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hello", "world\n"} {
		if _, err := syscall.Write(fd, []byte(s)); err != nil {
			t.Errorf("write %q: %v", s, err)
		}
	}
	if err := syscall.Close(fd); err != nil {
		t.Errorf("close: %v", err)
	}
	if got, err := os.ReadFile(dir + "/appended"); err != nil || string(got) != "helloworld\n" {
		t.Errorf("after two appends: %q, %v", got, err)
	}
}
