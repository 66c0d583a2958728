package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/user"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/compsfs/compsfs/fs"
)

// mountFlags are the settings of one compsfs mount (docs/cli.md): the
// mount's own, whose defaults are fs.DefaultSettings, and how the process
// runs and logs.
type mountFlags struct {
	fs.Settings
	logLevel, logFile, metricsAddr string
	caFile                         string
	daemon, foreground, verbose    bool
	// readyFD is the pipe a --daemon parent waits on (see daemon.go).
	readyFD int
}

// define registers the mount flags on fset. This is the one table of mount
// options: the command line, the -o spellings (mount_options.go), the config
// file keys (config.go) and the help all come from it.
func (f *mountFlags) define(fset *pflag.FlagSet) {
	d := fs.DefaultSettings()
	f.Settings = d
	fset.StringVar(&f.Server, "server", os.Getenv("COMPS_SERVER"), "COMPS server to mount, http://… or https://… (default: the embedded local COMPS)")
	fset.StringVar(&f.caFile, "ca-file", "", "PEM file of a private CA (or a self-signed server certificate) to trust besides the system's")
	fset.StringVar(&f.Data, "data", defaultDataDir(), "data `folder` of the embedded local COMPS")
	fset.BoolVar(&f.Demo, "demo", d.Demo, "fill the embedded local COMPS with sample work items first")
	fset.IntVar(&f.Workers, "workers", d.Workers, "work items the embedded local COMPS runs at a time (0: none)")
	fset.Var(durationValue{&f.JobTimeout}, "job-timeout", "longest a work item's command may run in the embedded local COMPS")
	fset.StringVar(&f.Environment, "environment", d.Environment, "default environment for new work items (default Local on the embedded local COMPS)")
	fset.BoolVar(&f.AllOwners, "all-owners", d.AllOwners, "list everyone's work items, not only yours")
	fset.StringVar(&f.CacheDir, "cache-dir", defaultCacheDir(), "`folder` of the output-file cache")
	fset.Var(sizeValue{&f.CacheSize}, "cache-size", "bound of the output-file cache (e.g. 500MiB, 20GB)")
	fset.StringVar(&f.SpoolDir, "spool-dir", d.SpoolDir, "`folder` of the inbox's spool (default: $XDG_DATA_HOME/compsfs/spool/<key of the server>)")
	fset.Var(durationValue{&f.DirTTL}, "dir-ttl", "how long a folder listing is reused")
	fset.Var(durationValue{&f.AttrTTL}, "attr-ttl", "how long metadata of unfinished work items is reused")
	fset.Var(durationValue{&f.Timeout}, "timeout", "longest any filesystem call waits on the server")
	fset.BoolVar(&f.ReadOnly, "read-only", d.ReadOnly, "refuse every write (EROFS); -o ro")
	fset.BoolVar(&f.AllowOther, "allow-other", d.AllowOther, "let other users read the mount, the kernel checking permissions")
	fset.BoolVar(&f.AllowNonEmpty, "allow-non-empty", d.AllowNonEmpty, "mount over a folder that is not empty or is a mount point")
	fset.StringVar(&f.metricsAddr, "metrics-addr", "", "serve the counters as Prometheus metrics at http://`HOST:PORT`/metrics (e.g. 127.0.0.1:9464)")
	fset.BoolVar(&f.daemon, "daemon", false, "detach once the mount is ready (the mount-helper form always does)")
	fset.BoolVarP(&f.foreground, "foreground", "f", false, "stay in the foreground, also in the mount-helper form")
	fset.BoolVarP(&f.verbose, "verbose", "v", false, "log at debug level")
	fset.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fset.StringVar(&f.logFile, "log-file", "", "write logs to this `file` (default: stderr; with --daemon "+defaultLogFile()+")")
	fset.BoolVar(&f.FuseDebug, "fuse-debug", d.FuseDebug, "log every FUSE request")
	fset.VarP(mountOptions{fset}, "options", "o", "comma-separated mount `OPTIONS`: each flag's -o spelling (ro, allow_other, cache_size=20GiB, …)")
	fset.IntVar(&f.readyFD, "ready-fd", 0, "file descriptor to report readiness on (used by --daemon)")
	_ = fset.MarkHidden("ready-fd")
}

// detach tells whether this mount should run in the background: with
// --daemon, or in the mount-helper form, unless --foreground.
func (f *mountFlags) detach(helper bool) bool {
	return (f.daemon || helper) && !f.foreground
}

// defaultDataDir is $XDG_DATA_HOME/compsfs, i.e. ~/.local/share/compsfs.
func defaultDataDir() string { return xdgDir("XDG_DATA_HOME", ".local/share") }

// defaultSpoolDir is $XDG_DATA_HOME/compsfs/spool/<key>: the key is a hash
// of the server's address, or for the embedded local COMPS (whose port
// changes at every start) a hash of its data folder, so that a restart finds
// its pending entries and two servers never share a spool.
func defaultSpoolDir(server, host, data string) string {
	key := "server:" + host
	if server == "" {
		abs, err := filepath.Abs(data)
		if err != nil {
			abs = data
		}
		key = "local:" + abs
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(defaultDataDir(), "spool", hex.EncodeToString(sum[:8]))
}

// defaultCacheDir is $XDG_CACHE_HOME/compsfs, i.e. ~/.cache/compsfs.
func defaultCacheDir() string { return xdgDir("XDG_CACHE_HOME", ".cache") }

// defaultLogFile is where --daemon logs without --log-file:
// $XDG_STATE_HOME/compsfs/compsfs.log, i.e. ~/.local/state/compsfs/compsfs.log.
func defaultLogFile() string {
	return filepath.Join(xdgDir("XDG_STATE_HOME", ".local/state"), "compsfs.log")
}

// xdgDir is $env/compsfs, or ~/fallback/compsfs. Without $HOME (a system
// service) the home folder is the user's in the password database.
func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return filepath.Join(d, "compsfs")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		if u, uerr := user.Current(); uerr == nil {
			home = u.HomeDir
		}
	}
	return filepath.Join(home, fallback, "compsfs")
}
