package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs"
	"github.com/compsfs/compsfs/localcomps"
)

// mountFlags are the flags of compsfs mount (docs/cli.md): the mount's
// settings, whose defaults are fs.DefaultSettings, and how to log. Each is
// also a key of the config file.
type mountFlags struct {
	fs.Settings
	cacheSize         byteSize
	logLevel, logFile string
	caFile            string
	daemon, verbose   bool
}

// define registers the mount flags on fset.
func (f *mountFlags) define(fset *flag.FlagSet) {
	d := fs.DefaultSettings()
	fset.StringVar(&f.Server, "server", os.Getenv("COMPS_SERVER"), "COMPS server to mount (default: the embedded local COMPS)")
	fset.StringVar(&f.caFile, "ca-file", "", "PEM file of a private CA (or a self-signed server certificate) to trust besides the system's")
	fset.StringVar(&f.Data, "data", defaultDataDir(), "data folder of the embedded local COMPS")
	fset.BoolVar(&f.Demo, "demo", d.Demo, "fill the embedded local COMPS with sample work items first")
	fset.IntVar(&f.Workers, "workers", d.Workers, "work items the embedded local COMPS runs at a time (0: none)")
	fset.DurationVar(&f.JobTimeout, "job-timeout", d.JobTimeout, "longest a work item's command may run in the embedded local COMPS")
	fset.StringVar(&f.Environment, "environment", d.Environment, "default environment for new work items")
	fset.BoolVar(&f.AllOwners, "all-owners", d.AllOwners, "list everyone's work items, not only yours")
	fset.StringVar(&f.CacheDir, "cache-dir", defaultCacheDir(), "folder of the output-file cache")
	fset.StringVar(&f.SpoolDir, "spool-dir", "", "folder of the inbox's spool (default: $XDG_DATA_HOME/compsfs/spool/<key of the server>)")
	f.cacheSize = byteSize(d.CacheSize)
	fset.Var(&f.cacheSize, "cache-size", "bound of the output-file cache (humanized, e.g. 10GiB)")
	fset.DurationVar(&f.DirTTL, "dir-ttl", d.DirTTL, "how long a folder listing is reused")
	fset.DurationVar(&f.AttrTTL, "attr-ttl", d.AttrTTL, "how long metadata of unfinished work items is reused")
	fset.DurationVar(&f.Timeout, "timeout", d.Timeout, "longest any filesystem call waits on the server")
	fset.BoolVar(&f.ReadOnly, "read-only", d.ReadOnly, "refuse every write (EROFS)")
	fset.BoolVar(&f.AllowOther, "allow-other", d.AllowOther, "let other users see the mount")
	fset.BoolVar(&f.daemon, "daemon", false, "detach once the mount is ready")
	fset.BoolVar(&f.verbose, "v", false, "verbose logging (debug level)")
	fset.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fset.StringVar(&f.logFile, "log-file", "", "write logs to this file instead of stderr")
	fset.BoolVar(&f.FuseDebug, "fuse-debug", d.FuseDebug, "log every FUSE request")
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

// xdgDir is $env/compsfs, or ~/fallback/compsfs.
func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return filepath.Join(d, "compsfs")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, fallback, "compsfs")
}

// cmdMount is compsfs mount [flags] MOUNTPOINT: it runs in the foreground
// until unmounted, SIGINT or SIGTERM.
func cmdMount(args []string) error {
	var f mountFlags
	fset := flag.NewFlagSet("mount", flag.ContinueOnError)
	f.define(fset)
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: compsfs mount [flags] MOUNTPOINT")
		fset.PrintDefaults()
	}
	if err := applyConfig(fset, configPath()); err != nil {
		return err
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		fset.Usage()
		return errors.New("mount: want exactly one MOUNTPOINT")
	}
	dir, err := filepath.Abs(fset.Arg(0))
	if err != nil {
		return err
	}
	if f.daemon {
		return daemonize(args, dir)
	}
	log, closeLog, err := newLogger(f.logLevel, f.logFile, f.verbose)
	if err != nil {
		return err
	}
	defer closeLog.Close()
	f.CacheSize = int64(f.cacheSize)
	if err := checkMountpoint(dir, f.CacheDir, f.Data); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	c, closeServer, err := connect(ctx, &f, log)
	if err != nil {
		return err
	}
	defer closeServer()
	tok, err := c.CurrentToken(ctx)
	if err != nil {
		return fmt.Errorf("log in to %s: %w", c.Host(), err)
	}
	// Load the first page before reporting the mount ready: a wrong server
	// or token fails here, not on the user's first ls.
	if _, err := c.QueryWorkItems(ctx, client.Query{Fields: []string{"Id"}, Count: 1}); err != nil {
		return fmt.Errorf("reach %s: %w", c.Host(), err)
	}
	content, err := cache.OpenContent(cache.ContentOptions{Dir: f.CacheDir, MaxBytes: f.CacheSize, Logger: log})
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer content.Close()
	opts := fs.Options{Settings: f.Settings, Client: c, Content: content, Owner: tok.User, Logger: log}
	if opts.Environment == "" && f.Server == "" {
		opts.Environment = fs.LocalEnvironment
	}
	if opts.SpoolDir == "" {
		opts.SpoolDir = defaultSpoolDir(f.Server, c.Host(), f.Data)
	}
	if err := checkMountpoint(dir, opts.SpoolDir); err != nil {
		return err
	}
	opts.UID, opts.GID = uint32(os.Getuid()), uint32(os.Getgid())
	mnt, err := fs.Mount(dir, opts)
	if err != nil {
		return err
	}
	log.Info("mounted", "server", c.Host(), "user", tok.User, "mountpoint", dir, "spool", opts.SpoolDir)
	fmt.Fprintf(os.Stderr, "compsfs: %s mounted on %s (stop with Ctrl-C or compsfs unmount %s)\n", c.Host(), dir, dir)
	done := make(chan struct{})
	go func() { mnt.Wait(); close(done) }()
	select {
	case <-done:
		log.Info("unmounted", "mountpoint", dir)
		return nil
	case <-ctx.Done():
	}
	log.Info("signal received; unmounting", "mountpoint", dir)
	if err := mnt.Unmount(); err != nil {
		// Busy: detach lazily so that no dead mount is left behind.
		log.Warn("unmount failed; detaching lazily", "err", err)
		if err := lazyUnmount(dir); err != nil {
			return fmt.Errorf("unmount %s: %w", dir, err)
		}
		// Detached: the mount is gone from the tree. The kernel ends the
		// connection when this process exits, if a user still holds it.
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		return nil
	}
	<-done
	return nil
}

// checkMountpoint refuses a mount point that is not a usable empty-or-not
// folder, and cache or data folders inside it (they would recurse).
func checkMountpoint(dir string, inside ...string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, syscall.ENOTCONN) {
		return fmt.Errorf("mount point %s is a dead mount: run compsfs unmount --force %s", dir, dir)
	}
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("mount point %s is not a folder", dir)
	}
	for _, p := range inside {
		abs, err := filepath.Abs(p)
		if err == nil && (abs == dir || strings.HasPrefix(abs, dir+string(filepath.Separator))) {
			return fmt.Errorf("%s is inside the mount point %s", abs, dir)
		}
	}
	return nil
}

// connect makes the client: for --server, with COMPS_TOKEN or the token cache
// (compsfs login's, shared with pyCOMPS); otherwise it starts the embedded
// local COMPS on a random loopback port with a random token. The returned
// function stops the embedded server.
func connect(ctx context.Context, f *mountFlags, log *slog.Logger) (*client.Client, func(), error) {
	if f.Server != "" {
		c, err := client.New(client.Options{Server: f.Server, Token: os.Getenv("COMPS_TOKEN"), CAFile: f.caFile, Logger: log})
		return c, func() {}, err
	}
	if f.Workers < 0 || f.JobTimeout <= 0 {
		return nil, nil, errors.New("--workers must be 0 or more and --job-timeout positive")
	}
	srv, err := localcomps.Open(localcomps.Options{Dir: f.Data, User: client.LocalUserName(), Logger: log,
		Workers: f.Workers, JobTimeout: f.JobTimeout})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded local COMPS: %w", err)
	}
	if f.Demo {
		if err := localcomps.Demo(ctx, srv); err != nil {
			srv.Close()
			return nil, nil, fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("embedded local COMPS: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	go hs.Serve(ln)
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		srv.Close()
	}
	c, err := client.New(client.Options{Server: "http://" + ln.Addr().String(), Token: srv.Token(), NoTokenCache: true, Logger: log})
	if err != nil {
		stop()
		return nil, nil, err
	}
	log.Info("embedded local COMPS started", "url", c.Host(), "data", f.Data)
	return c, stop, nil
}
