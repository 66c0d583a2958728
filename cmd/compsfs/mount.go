package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/compsfs/compsfs/cache"
	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs"
)

// newMountCommand is compsfs mount [flags] MOUNTPOINT.
func newMountCommand() *cobra.Command {
	var f mountFlags
	cmd := &cobra.Command{
		Use:   "mount [flags] MOUNTPOINT",
		Short: "mount COMPS on a folder; runs until unmounted or SIGINT/SIGTERM",
		Long: `Mount COMPS on MOUNTPOINT, an empty folder, and serve it until it is unmounted
(compsfs unmount MOUNTPOINT) or compsfs gets SIGINT or SIGTERM. Without --server
it starts the embedded local COMPS, its data in --data; --demo fills it with
sample work items. With --server it mounts that COMPS with the token of
COMPS_TOKEN or of compsfs login.

Every flag is also a key of ~/.config/compsfs/config ("cache-size = 20GiB";
the command line wins) and has an -o spelling, dashes becoming underscores
(-o cache_size=20GiB,allow_other; --read-only is also -o ro). The generic
options mount(8) passes (rw, dev, suid, _netdev, noauto, user, x-systemd.*, …)
are accepted and ignored. The same options serve the mount-helper form of
fstab and mount -t fuse.compsfs: compsfs SERVER MOUNTPOINT -o OPTIONS, where
SERVER is a URL or local.`,
		Example: `  compsfs mount --demo ~/comps
  compsfs mount --server https://comps.example.org -o ro,cache_size=20GiB /mnt/comps
  compsfs mount --daemon --metrics-addr 127.0.0.1:9464 ~/comps`,
		Args:              exactArgs("MOUNTPOINT"),
		ValidArgsFunction: completeDirs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := applyConfig(cmd.Flags(), configPath()); err != nil {
				return err
			}
			return runMount(&f, args[0], false)
		},
	}
	f.define(cmd.Flags())
	cmd.Long += "\n\nThe -o options:\n" + optionSpellings(cmd.Flags())
	addMountCompletions(cmd)
	return cmd
}

// runMount mounts on dir as f says, in the background when it should
// detach, and serves the mount until it ends.
func runMount(f *mountFlags, dir string, helper bool) error {
	if err := checkServerURL(f.Server); err != nil {
		return err
	}
	lv, err := logLevel(f.logLevel, f.verbose)
	if err != nil {
		return err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	if err := checkMountpoint(dir, f.AllowNonEmpty); err != nil {
		return err // before detaching, so that a daemon's parent says it at once
	}
	if f.detach(helper) {
		return daemonize(dir, f.logFile)
	}
	parent := openDaemonParent(f.readyFD)
	log, closeLog, err := newLogger(lv, f.logFile)
	if err != nil {
		parent.report(err)
		return err
	}
	defer closeLog.Close()
	err = serveMount(f, dir, log, func() { parent.report(nil) })
	if err != nil && f.logFile != "" && parent == nil {
		log.Error("mount failed", "err", err) // a daemon's stderr is its log already
	}
	parent.report(err)
	return err
}

// serveMount mounts, calls ready once the mount answers, and serves until
// the mount is unmounted or a signal stops it.
func serveMount(f *mountFlags, dir string, log *slog.Logger, ready func()) error {
	systemd := newSystemdNotifier()
	if err := fs.RunAsBatch(); err != nil {
		log.Warn("the mount's threads keep the normal scheduling policy; cold reads may be slower on a busy machine", "err", err)
	}
	if err := checkOutside(dir, f.CacheDir, f.Data); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var metrics net.Listener
	if f.metricsAddr != "" {
		ln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		defer ln.Close()
		metrics = ln
	}

	c, closeServer, err := connect(ctx, f, log)
	if err != nil {
		return err
	}
	defer closeServer()
	tok, err := c.CurrentToken(ctx)
	if err != nil {
		return explainServer(c.Host(), err)
	}
	// Load the first page before reporting the mount ready: a wrong server
	// or token fails here, not on the user's first ls.
	if _, err := c.QueryWorkItems(ctx, client.Query{Fields: []string{"Id"}, Count: 1}); err != nil {
		return explainServer(c.Host(), err)
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
	if err := checkOutside(dir, opts.SpoolDir); err != nil {
		return err
	}
	opts.UID, opts.GID = uint32(os.Getuid()), uint32(os.Getgid())
	mnt, err := fs.Mount(dir, opts)
	if err != nil {
		return explainMount(dir, err)
	}
	// fs.Mount returns once the kernel has the mount; one stat through it
	// proves it answers before anyone is told it is ready.
	if _, err := os.Stat(filepath.Join(dir, ".stats")); err != nil {
		_ = mnt.Unmount()
		return fmt.Errorf("the mount on %s does not answer: %w", dir, err)
	}
	if metrics != nil {
		hs := &http.Server{Handler: metricsMux(mnt), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(metrics)
		defer hs.Close()
		log.Info("serving metrics", "url", "http://"+metrics.Addr().String()+"/metrics")
	}
	log.Info("mounted", "server", c.Host(), "user", tok.User, "mountpoint", dir, "spool", opts.SpoolDir)
	if f.readyFD == 0 { // a daemon's parent says it instead
		fmt.Fprintf(os.Stderr, "compsfs: %s mounted on %s (stop with Ctrl-C or compsfs unmount %s)\n", c.Host(), dir, dir)
	}
	ready()
	if err := systemd.notify("READY=1\nSTATUS=mounted on " + dir); err != nil {
		log.Warn("systemd notification failed", "err", err)
	}
	return waitUnmounted(ctx, mnt, log, func() {
		if err := systemd.notify("STOPPING=1"); err != nil {
			log.Warn("systemd notification failed", "err", err)
		}
	})
}

// metricsMux serves the mount's counters at /metrics.
func metricsMux(mnt *fs.Mounted) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/metrics", fs.MetricsHandler(mnt.Mount.Stats))
	return mux
}

// waitUnmounted serves until the mount is unmounted, or until ctx ends
// (a signal), then unmounts, lazily if the mount is busy. It calls stopping
// as soon as the mount starts to end.
func waitUnmounted(ctx context.Context, mnt *fs.Mounted, log *slog.Logger, stopping func()) error {
	done := make(chan struct{})
	go func() { mnt.Wait(); close(done) }()
	select {
	case <-done:
		stopping()
		log.Info("unmounted", "mountpoint", mnt.Dir)
		return nil
	case <-ctx.Done():
	}
	stopping()
	log.Info("signal received; unmounting", "mountpoint", mnt.Dir)
	if err := mnt.Unmount(); err != nil {
		// Busy: detach lazily so that no dead mount is left behind.
		log.Warn("unmount failed; detaching lazily", "err", err)
		if err := lazyUnmount(mnt.Dir); err != nil {
			return err
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
