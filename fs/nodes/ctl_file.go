package nodes

import (
	"context"
	"slices"
	"strings"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
)

// The ctl file of a work item. Reading it gives two lines:
//
//	state Running
//	commands: cancel
//
// the work item's state and the commands that are valid in that state, in
// the order they would be used: "commission" for a Created item, "cancel"
// for an active one (CommissionRequested, Commissioned, Validating, Running,
// Waiting, ResumeRequested, Resumed; docs/protocol.md §6), none otherwise ("commands:"
// with nothing after it). Writing "commission" or "cancel" (a trailing
// newline allowed) asks the server for that state; anything else is EINVAL.

// activeStates are the states a cancel is valid in (docs/protocol.md §6).
var activeStates = []client.WorkItemState{
	client.StateCommissionRequested, client.StateCommissioned, client.StateValidating, client.StateRunning,
	client.StateWaiting, client.StateResumeRequested, client.StateResumed,
}

// ctlCommands lists the ctl commands valid for a work item in state.
func ctlCommands(state client.WorkItemState) []string {
	switch {
	case state == client.StateCreated:
		return []string{"commission"}
	case slices.Contains(activeStates, state):
		return []string{"cancel"}
	}
	return nil
}

// renderCtl is the content of ctl for a work item in state.
func renderCtl(state client.WorkItemState) []byte {
	cmds := strings.Join(ctlCommands(state), " ")
	return []byte("state " + string(state) + "\ncommands:" + strings.TrimRight(" "+cmds, " ") + "\n")
}

// CtlFile is a work item's ctl: read, the state and the valid commands;
// written, a command run as soon as a write completes it, so that the
// server's refusal reaches the writer as write(2)'s errno (a 400 for an
// invalid transition is EINVAL); what is left incomplete fails at close.
type CtlFile struct {
	TextFile
	id string
}

var _ = (gofs.NodeGetattrer)((*CtlFile)(nil))
var _ = (gofs.NodeOpener)((*CtlFile)(nil))
var _ = (gofs.NodeReader)((*CtlFile)(nil))
var _ = (gofs.NodeWriter)((*CtlFile)(nil))
var _ = (gofs.NodeFlusher)((*CtlFile)(nil))
var _ = (gofs.NodeSetattrer)((*CtlFile)(nil))

// ctlHandle is ctl open for writing: the start of a command not yet
// complete.
type ctlHandle struct {
	mu      sync.Mutex
	pending string
}

// newCtlFile makes the ctl file of work item id.
func newCtlFile(m *Mount, id string) gofs.InodeEmbedder {
	return &CtlFile{id: id, TextFile: TextFile{nodeDefaults: nodeDefaults{m}, m: m, render: func(ctx context.Context) (text, error) {
		wi, err := m.cat.WorkItem(ctx, id)
		if err != nil {
			return text{}, err
		}
		return text{data: renderCtl(wi.State), mtime: wi.LastModified.Time, final: wi.State.Final()}, nil
	}}}
}

// Getattr reports 0644 and the size of the rendered content.
func (f *CtlFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	return f.attr(ctx, fh, f.m.writableMode(modeWritableFile), out)
}

// Open for reading renders the content; for writing it makes a command
// handle (EROFS on a --read-only mount).
func (f *CtlFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) == 0 {
		return f.TextFile.Open(ctx, flags)
	}
	if f.m.cfg.ReadOnly {
		return nil, 0, syscall.EROFS
	}
	return &ctlHandle{}, fuse.FOPEN_DIRECT_IO, 0
}

// Read serves a read handle; a command handle reads nothing.
func (f *CtlFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if _, ok := fh.(*ctlHandle); ok {
		return fuse.ReadResultData(nil), 0
	}
	return f.TextFile.Read(ctx, fh, dest, off)
}

// Write adds data to the command being written and runs it once complete;
// text that cannot become a command is EINVAL at once.
func (f *CtlFile) Write(ctx context.Context, fh gofs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	h, ok := fh.(*ctlHandle)
	if !ok {
		return 0, syscall.EBADF
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.pending)+len(data) > 64 {
		h.pending = ""
		return 0, syscall.EINVAL
	}
	h.pending += string(data)
	cmd := strings.TrimSpace(h.pending)
	switch {
	case cmd == "commission" || cmd == "cancel":
		h.pending = ""
		if errno := f.run(ctx, cmd); errno != 0 {
			return 0, errno
		}
	case cmd == "" || strings.HasPrefix("commission", cmd) || strings.HasPrefix("cancel", cmd):
		// the start of a command: wait for the rest
	default:
		h.pending = ""
		return 0, syscall.EINVAL
	}
	return uint32(len(data)), 0
}

// Flush fails with EINVAL when an incomplete command was written.
func (f *CtlFile) Flush(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	h, ok := fh.(*ctlHandle)
	if !ok {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rest := strings.TrimSpace(h.pending)
	h.pending = ""
	if rest != "" {
		return syscall.EINVAL
	}
	return 0
}

// Setattr accepts the truncation of open(O_TRUNC) and touch's times, and
// changes nothing: ctl holds no data.
func (f *CtlFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if f.m.cfg.ReadOnly {
		return syscall.EROFS
	}
	return setattrReply(ctx, f, nil, out)
}

// run asks the server to commission or cancel the work item, then makes
// the catalog and the kernel forget its state (state, ctl, summary and the
// by-state/ links show the new one at once).
func (f *CtlFile) run(ctx context.Context, cmd string) syscall.Errno {
	wctx, cancel := f.m.writeCtx(ctx)
	defer cancel()
	var err error
	if cmd == "commission" {
		err = f.m.cat.Commission(wctx, f.id)
	} else {
		err = f.m.cat.Cancel(wctx, f.id)
	}
	f.m.forgetEntity(f.EmbeddedInode())
	f.m.forgetStateLinks(f.id)
	if err != nil {
		f.m.logError("ctl", err, "id", f.id)
		return toErrno(err)
	}
	return 0
}
