package nodes

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/inbox"
)

// Config is what a mount is made of: the COMPS client, the content cache and
// the options of docs/cli.md that concern the tree.
type Config struct {
	Client  *client.Client
	Content *cache.Content
	// Owner is the logged-in user; workitems/ lists only theirs unless AllOwners.
	Owner     string
	AllOwners bool
	// DirTTL bounds how long a listing is reused; AttrTTL how long metadata of
	// an unfinished work item is. Finished work items are cached without expiry.
	DirTTL, AttrTTL time.Duration
	// Timeout is the longest any filesystem call waits on the server.
	Timeout time.Duration
	// FinalTTL is the kernel's entry and attribute timeout for what cannot
	// change (finished work items); default one hour.
	FinalTTL    time.Duration
	ReadOnly    bool
	Environment string
	UID, GID    uint32
	Logger      *slog.Logger
	Now         func() time.Time
	// MetaEntries bounds each metadata cache (entries); default 100,000.
	MetaEntries int
	// Inbox is the spool and submitter behind inbox/; nil leaves inbox/
	// empty and read-only.
	Inbox *inbox.Inbox
}

// Mount is the state every node shares: configuration, caches and counters.
type Mount struct {
	cfg Config
	log *slog.Logger
	cat *catalog
	// Started is when the mount was made; the root's times.
	Started time.Time
	errors  atomic.Int64 // errors returned to the kernel
}

// NewMount prepares the shared state of a mount from cfg, filling defaults.
func NewMount(cfg Config) *Mount {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DirTTL <= 0 {
		cfg.DirTTL = 30 * time.Second
	}
	if cfg.AttrTTL <= 0 {
		cfg.AttrTTL = 2 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.FinalTTL <= 0 {
		cfg.FinalTTL = time.Hour
	}
	if cfg.MetaEntries <= 0 {
		cfg.MetaEntries = 100_000
	}
	m := &Mount{cfg: cfg, log: cfg.Logger, Started: cfg.Now()}
	m.cat = newCatalog(m)
	return m
}

// callCtx bounds a filesystem call's wait on the server by --timeout.
func (m *Mount) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.Timeout)
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
