package nodes

import (
	"context"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
)

// What a write through the mount makes the kernel forget (docs/caching.md:
// writes show at once, the kernel's cache included). The
// catalog forgets synchronously, before the write's reply, so the next read
// asks the server; the kernel is told on a goroutine of its own, since a
// notification sent from the handler of a related request can deadlock
// (libfuse #341). Only inodes the kernel has been given are
// notified, found by walking the tree from the root.

// writeCtx bounds a save by --timeout but not by the caller's interrupts:
// Go programs send signals all the time, and a save cut short by one would
// leave the caller not knowing whether the server has the value.
func (m *Mount) writeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), m.cfg.Timeout)
}

// afterReply runs f on its own goroutine, so that the request being
// answered is not waiting on it.
func (m *Mount) afterReply(f func()) { go f() }

// forgetEntity makes the kernel drop the attributes and pages it keeps of
// the entity folder that holds from (from itself, or an ancestor): the
// folder, its files, its tags/ folder and tag files. Derived files
// (summary, metadata.json, ctl) change with what was written.
func (m *Mount) forgetEntity(from *gofs.Inode) {
	m.afterReply(func() {
		dir := entityFolderOf(from)
		if dir == nil {
			return
		}
		forgetInode(dir)
		for name, ch := range dir.Children() {
			if ch.IsDir() && name != "tags" {
				continue
			}
			forgetInode(ch)
			for _, tag := range ch.Children() {
				forgetInode(tag)
			}
		}
	})
}

// forgetStateLinks makes the kernel drop the by-state/<State>/<id> entries
// it keeps for work item id: after a state change the item has moved.
func (m *Mount) forgetStateLinks(id string) {
	m.afterReply(func() {
		byState := m.inode("by-state")
		if byState == nil {
			return
		}
		for _, dir := range byState.Children() {
			_ = dir.NotifyEntry(id)
		}
	})
}

// forgetEntry makes the kernel drop the entry name of the folder at path
// (names from the root), if that folder is loaded: a negative entry there
// would hide what was just created.
func (m *Mount) forgetEntry(name string, path ...string) {
	m.afterReply(func() {
		if dir := m.inode(path...); dir != nil {
			_ = dir.NotifyEntry(name)
		}
	})
}

// forgetWorkItem makes the kernel drop what it keeps of work item id after
// a change made outside its folder (by the inbox): its entry in workitems/
// and by-state/, its folder's attributes and files.
func (m *Mount) forgetWorkItem(id string) {
	m.forgetEntry(id, "workitems")
	m.forgetStateLinks(id)
	if dir := m.inode("workitems", id); dir != nil {
		m.forgetEntity(dir)
	}
}

// forgetRelation makes the kernel drop the entries of a new relation at
// both ends: the work item's relations/<type>/<target> and the target's
// reverse folder's <id>.
func (m *Mount) forgetRelation(id string, relType client.RelationType, kind client.Kind, target string) {
	for _, f := range relationFolders(client.KindWorkItem) {
		if !f.reverse && f.relType == relType {
			m.forgetEntry(target, "workitems", id, "relations", f.name)
		}
	}
	if rev := reverseFolder(kind, relType); rev != "" {
		m.forgetEntry(id, append(m.knownEntityPath(kind, target), "relations", rev)...)
	}
}

// inode is the loaded inode at path (names from the root), nil when the
// mount has no root yet or some folder on the way is not loaded.
func (m *Mount) inode(path ...string) *gofs.Inode {
	dir := m.root.Load()
	for _, p := range path {
		if dir == nil {
			return nil
		}
		dir = dir.GetChild(p)
	}
	return dir
}

// forgetInode drops the kernel's attributes and pages of one inode. An
// inode the kernel has forgotten answers ENOENT, which is fine.
func forgetInode(in *gofs.Inode) { _ = in.NotifyContent(0, 0) }

// entityFolderOf is the work item or entity folder holding in (or in
// itself), nil when in is not inside one or has been removed.
func entityFolderOf(in *gofs.Inode) *gofs.Inode {
	for in != nil {
		switch in.Operations().(type) {
		case *WorkItemDir, *EntityDir:
			return in
		}
		_, in = in.Parent()
	}
	return nil
}

// notifyBriefly sends a notification on a goroutine of its own and waits
// for it at most 100 ms, reporting whether it was sent by then: for a reply
// that must not go before the kernel has forgotten something, from a
// request during which the kernel holds no lock the notification needs.
func notifyBriefly(notify func()) bool {
	done := make(chan struct{})
	go func() {
		notify()
		close(done)
	}()
	t := time.NewTimer(100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
