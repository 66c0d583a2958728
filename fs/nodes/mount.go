package nodes

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
	"github.com/compsfs/compsfs/fs/inbox"
)

// Config is what the tree is made of: the catalog of metadata, the client
// and content cache for output bytes, the inbox, and the kernel-side
// settings. fs.Mount fills it from the mount's options, defaults included.
type Config struct {
	Catalog *catalog.Catalog
	// Client downloads output bytes and counts requests for .stats.
	Client  *client.Client
	Content *cache.Content
	// CacheBytes is the bound of Content (--cache-size): the size statfs
	// reports.
	CacheBytes int64
	// AttrTTL is the kernel's entry and attribute timeout for what may
	// change; FinalTTL for what cannot (finished work items).
	AttrTTL, FinalTTL time.Duration
	// Timeout is the longest any filesystem call waits on the server.
	Timeout  time.Duration
	ReadOnly bool
	UID, GID uint32
	Logger   *slog.Logger
	Now      func() time.Time
	// Inbox is the spool and submitter behind inbox/; nil leaves inbox/
	// empty and read-only.
	Inbox *inbox.Inbox
}

// Mount is the state every node shares: configuration, catalog and counters.
type Mount struct {
	cfg Config
	log *slog.Logger
	cat *catalog.Catalog
	// Started is when the mount was made; the root's times.
	Started time.Time
	errors  atomic.Int64 // errors returned to the kernel
	// mountPoints are the paths of the mount's root (as given and with
	// symlinks resolved), for symlink targets written as absolute paths.
	mountPoints atomic.Pointer[[]string]
	// root is the root folder's inode, once the kernel has it.
	root atomic.Pointer[gofs.Inode]
	// open are the writable files' open handles.
	open openFiles
	// passthrough: the kernel may read cached outputs itself
	// (passthrough.go).
	passthrough atomic.Bool
	// kernelSizes are the sizes of changeable text files the kernel holds.
	kernelSizes kernelSizes
}

// SetPassthrough says whether the kernel may read complete cached outputs
// from the cache's files itself (FUSE passthrough): the kernel offers it
// and compsfs may register files with it (root).
func (m *Mount) SetPassthrough(on bool) { m.passthrough.Store(on) }

// Passthrough reports whether the kernel may read cached outputs itself.
func (m *Mount) Passthrough() bool { return m.passthrough.Load() }

// NewMount prepares the shared state of a mount from cfg. A nil Logger
// discards, a nil Now is time.Now, and a nil Catalog is made over Client
// with the catalog's defaults.
func NewMount(cfg Config) *Mount {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.New(catalog.Options{Client: cfg.Client, Now: cfg.Now, Logger: cfg.Logger})
	}
	m := &Mount{cfg: cfg, log: cfg.Logger, cat: cfg.Catalog, Started: cfg.Now()}
	if cfg.Inbox != nil {
		cfg.Inbox.Observe(inboxObserver{m})
	}
	return m
}

// callCtx bounds a filesystem call's wait on the server by --timeout
// (call_context.go).
func (m *Mount) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	c := newCallContext(ctx, m.cfg.Timeout)
	return c, c.release
}

// kernelTTL is how long the kernel may keep entries and attributes of
// something that is final (never changes) or not.
func (m *Mount) kernelTTL(final bool) time.Duration {
	if final {
		return m.cfg.FinalTTL
	}
	return m.cfg.AttrTTL
}

// logError records a failed call with what it was doing; every error that
// reaches the kernel is logged once here.
func (m *Mount) logError(op string, err error, attrs ...any) {
	m.errors.Add(1)
	m.log.Warn(op+" failed", append(attrs, "err", err)...)
}
