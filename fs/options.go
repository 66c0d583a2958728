package fs

import (
	"log/slog"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/inbox"
)

// Settings are the user's choices for a mount: every flag of compsfs mount
// and key of its config file (docs/cli.md). DefaultSettings is the one table
// of their defaults; the CLI, the config file, the tests and the embedded
// local COMPS all start from it.
type Settings struct {
	// Server is the COMPS to mount; "" starts the embedded local COMPS.
	Server string
	// Data is the embedded local COMPS' data folder.
	Data string
	// Demo fills the embedded local COMPS with sample data first.
	Demo bool
	// Workers is how many work items the embedded local COMPS runs at a
	// time (0: none); JobTimeout bounds one work item's command there.
	Workers    int
	JobTimeout time.Duration
	// Environment is the default environment of new work items; "" means
	// LocalEnvironment on the embedded local COMPS, none elsewhere.
	Environment string
	// AllOwners lists everyone's work items, not only the user's.
	AllOwners bool
	// CacheDir and CacheSize place and bound the output-file cache.
	CacheDir  string
	CacheSize int64
	// SpoolDir is the inbox's spool ("" picks one per server).
	SpoolDir string
	// DirTTL bounds how long a listing is reused; AttrTTL how long metadata
	// of an unfinished work item is. Finished work items are cached without
	// expiry, and the kernel keeps them FinalTTL.
	DirTTL, AttrTTL, FinalTTL time.Duration
	// Timeout is the longest any filesystem call waits on the server.
	Timeout time.Duration
	// ReadOnly refuses every write (EROFS) and mounts with the kernel's ro.
	ReadOnly bool
	// AllowOther lets other users read the mount, with the kernel checking
	// permissions (default_permissions).
	AllowOther bool
	// AllowNonEmpty mounts over a non-empty folder.
	AllowNonEmpty bool
	// MetaEntries bounds each metadata cache (entries).
	MetaEntries int
	// FuseDebug logs every FUSE request.
	FuseDebug bool
}

// LocalEnvironment is the environment the embedded local COMPS accepts.
const LocalEnvironment = "Local"

// DefaultSettings returns every setting's default. Paths that depend on the
// user's home (Data, CacheDir, SpoolDir) are left empty: the CLI fills them
// from the XDG folders.
func DefaultSettings() Settings {
	return Settings{
		Workers:     1,
		JobTimeout:  time.Hour,
		CacheSize:   10 << 30,
		DirTTL:      30 * time.Second,
		AttrTTL:     2 * time.Second,
		FinalTTL:    time.Hour,
		Timeout:     30 * time.Second,
		MetaEntries: 100_000,
	}
}

// withDefaults fills the zero durations and bounds of s from
// DefaultSettings, so that a caller setting only some fields (a test) gets
// the defaults for the rest.
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	for _, f := range []struct{ v, def *time.Duration }{
		{&s.DirTTL, &d.DirTTL}, {&s.AttrTTL, &d.AttrTTL}, {&s.FinalTTL, &d.FinalTTL},
		{&s.Timeout, &d.Timeout}, {&s.JobTimeout, &d.JobTimeout},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if s.MetaEntries <= 0 {
		s.MetaEntries = d.MetaEntries
	}
	if s.CacheSize <= 0 {
		s.CacheSize = d.CacheSize
	}
	return s
}

// Options are what Mount needs: the user's settings and what the caller has
// already made of them (the client, the content cache, the user).
type Options struct {
	Settings
	Client  *client.Client
	Content *cache.Content
	// Owner is the logged-in user; workitems/ lists only theirs unless
	// AllOwners.
	Owner    string
	UID, GID uint32
	Logger   *slog.Logger
	// Now is the clock of the metadata caches (time.Now when nil).
	Now func() time.Time
	// Inbox is the spool and submitter behind inbox/, when the caller opened
	// it; otherwise Mount opens one in SpoolDir (if set and writable).
	Inbox *inbox.Inbox
}
