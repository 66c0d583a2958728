package nodes

import (
	"slices"
	"sync"
)

// openFiles is what the mount knows of its writable files (name,
// description, tag values) while they are open, by inode number: their
// write handles, how many handles of any kind are open, and whether the
// file was removed meanwhile. go-fuse may make more than one node for one
// file (a lookup racing a create); they all share this, so what one open
// wrote is seen through any of them. An entry lives while a handle is open.
type openFiles struct {
	mu    sync.Mutex
	files map[uint64]*openFile
}

// openFile is one open writable file.
type openFile struct {
	handles  int            // open handles, reading or writing
	writers  []*writeHandle // write handles, the newest last
	unlinked bool           // removed while open: fstat shows no link
}

// opened records an open handle of file ino, w when it is a write handle
// (nil for reading).
func (o *openFiles) opened(ino uint64, w *writeHandle) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.files == nil {
		o.files = map[uint64]*openFile{}
	}
	f := o.files[ino]
	if f == nil {
		f = &openFile{}
		o.files[ino] = f
	}
	f.handles++
	if w != nil {
		f.writers = append(f.writers, w)
	}
}

// closed forgets a handle opened earlier (w as given to opened).
func (o *openFiles) closed(ino uint64, w *writeHandle) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.files[ino]
	if f == nil {
		return
	}
	f.handles--
	f.writers = slices.DeleteFunc(f.writers, func(x *writeHandle) bool { return x == w })
	if f.handles <= 0 {
		delete(o.files, ino)
	}
}

// newestWriter is the newest write handle of file ino that was not removed
// with the file, of process pid (any process for 0), and for which keep
// holds (any for nil); nil if there is none.
func (o *openFiles) newestWriter(ino uint64, pid uint32, keep func(*writeHandle) bool) *writeHandle {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.files[ino]
	if f == nil {
		return nil
	}
	for _, h := range slices.Backward(f.writers) {
		if (pid == 0 || h.pid == pid) && !h.isRemoved() && (keep == nil || keep(h)) {
			return h
		}
	}
	return nil
}

// liveWriters returns the write handles of file ino not removed with it.
func (o *openFiles) liveWriters(ino uint64) []*writeHandle {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.files[ino]
	if f == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(f.writers), (*writeHandle).isRemoved)
}

// setUnlinked records whether file ino is removed while open.
func (o *openFiles) setUnlinked(ino uint64, unlinked bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if f := o.files[ino]; f != nil {
		f.unlinked = unlinked
	}
}

// isUnlinked reports whether file ino was removed while open.
func (o *openFiles) isUnlinked(ino uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.files[ino]
	return f != nil && f.unlinked
}
