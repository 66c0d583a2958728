// Package fs mounts COMPS as a FUSE filesystem: it builds the root of
// fs/nodes, chooses the kernel cache policy and mount options, and mounts and
// unmounts. The nodes themselves are in fs/nodes.
package fs

import (
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/fs/catalog"
	"github.com/compsfs/compsfs/fs/inbox"
	"github.com/compsfs/compsfs/fs/nodes"
)

// Mounted is a live mount.
type Mounted struct {
	Dir    string
	Server *fuse.Server
	Mount  *nodes.Mount
	// Inbox is the inbox's spool and submitter, when the mount has one.
	Inbox *inbox.Inbox
}

// Mount mounts COMPS on dir and returns once the kernel has the mount ready.
func Mount(dir string, opts Options) (*Mounted, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("mount point: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("mount point %s is not a folder", dir)
	}
	opts.Settings = opts.Settings.withDefaults()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// A read-only mount leaves the spool alone: its pending entries wait for
	// the next mount that may write.
	var opened *inbox.Inbox // closed again if the mount fails
	if opts.Inbox == nil && opts.SpoolDir != "" && opts.Client != nil && !opts.ReadOnly {
		in, err := inbox.Open(opts.SpoolDir, opts.Client, inbox.Options{Environment: opts.Environment,
			Wait: opts.Timeout, Logger: opts.Logger})
		if err != nil {
			return nil, err
		}
		opts.Inbox, opened = in, in
	}
	m := nodes.NewMount(nodeConfig(opts))
	m.SetMountPoint(dir) // for `ln -s` targets given as absolute paths
	// Never zero: Linux behaves badly with zero entry and attribute timeouts;
	// nodes set their own per answer, these are the fallbacks.
	second, negative := time.Second, time.Second
	fo := &gofs.Options{
		EntryTimeout:    &second,
		AttrTimeout:     &second,
		NegativeTimeout: &negative,
		UID:             opts.UID,
		GID:             opts.GID,
		MountOptions: fuse.MountOptions{
			FsName:       "compsfs",
			Name:         "compsfs",
			MaxWrite:     1 << 20,
			MaxReadAhead: 1 << 20,
			AllowOther:   opts.AllowOther,
			DirectMount:  os.Geteuid() == 0,
			Debug:        opts.FuseDebug,
			// The kernel's default of 12 background requests (read-ahead,
			// async reads) queues the 13th reader behind 12 others, each
			// bounded by --timeout: raised so that every call is bounded by
			// --timeout alone (docs/errors.md).
			MaxBackground: maxBackground,
			// Shared mappings of direct-I/O files (kernels from 6.6): an
			// output not yet verified is opened for direct I/O where the
			// mount can use passthrough, and mmap must still work on it
			// (docs/caching.md).
			ExtraCapabilities: fuse.CAP_DIRECT_IO_ALLOW_MMAP,
		},
	}
	if opts.AllowOther {
		// Other users read what the modes allow, and never write: the
		// kernel checks the modes (files belong to the mounting user).
		fo.MountOptions.Options = append(fo.MountOptions.Options, "default_permissions")
	}
	if opts.ReadOnly {
		// ro for the kernel too (it shows in /proc/mounts): a flag for a
		// direct mount, an option for fusermount3.
		fo.MountOptions.DirectMountFlags = syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_RDONLY
	}
	fo.Logger = slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug)
	fo.MountOptions.Logger = fo.Logger
	server, err := mountNodes(dir, nodes.NewRoot(m), fo)
	if err != nil && fo.MountOptions.DirectMount {
		// Direct mounting can fail in containers; fusermount3 may still work.
		fo.MountOptions.DirectMount = false
		if opts.ReadOnly {
			fo.MountOptions.Options = append(fo.MountOptions.Options, "ro")
		}
		server, err = mountNodes(dir, nodes.NewRoot(m), fo)
	}
	if err == nil {
		if err = server.WaitMount(); err != nil {
			_ = server.Unmount()
		}
	}
	if err != nil {
		if opened != nil {
			opened.Close()
		}
		return nil, fmt.Errorf("mount %s: %w", dir, err)
	}
	m.SetPassthrough(opts.Content != nil && passthroughWorks(server, opts.Content.Folder(), opts.Logger))
	mt := &Mounted{Dir: dir, Server: server, Mount: m, Inbox: opts.Inbox}
	if mt.Inbox != nil {
		// Started once the kernel serves the mount, so that resumed
		// entries' notifications have a server to go to.
		mt.Inbox.Start()
		go func() { server.Wait(); mt.Inbox.Close() }()
	}
	return mt, nil
}

// Unmount unmounts, retrying for about a second while the mount is busy.
func (mt *Mounted) Unmount() error {
	var err error
	for i := 0; i < 5; i++ {
		if err = mt.Server.Unmount(); err == nil {
			if mt.Inbox != nil {
				mt.Inbox.Close() // pending entries stay in the spool
			}
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("unmount %s: %w", mt.Dir, err)
}

// Wait blocks until the filesystem is unmounted.
func (mt *Mounted) Wait() { mt.Server.Wait() }

// maxBackground bounds the kernel's background requests to the mount
// (go-fuse's MountOptions.MaxBackground; the congestion threshold follows at
// three quarters).
const maxBackground = 256

// nodeConfig is the tree's configuration from the mount's options: a
// catalog over the client, and the kernel-side settings.
func nodeConfig(opts Options) nodes.Config {
	cat := catalog.New(catalog.Options{Client: opts.Client, Owner: opts.Owner, AllOwners: opts.AllOwners,
		DirTTL: opts.DirTTL, AttrTTL: opts.AttrTTL, Timeout: opts.Timeout, Entries: opts.MetaEntries,
		Now: opts.Now, Logger: opts.Logger})
	return nodes.Config{Catalog: cat, Client: opts.Client, Content: opts.Content, CacheBytes: opts.CacheSize,
		AttrTTL: opts.AttrTTL, FinalTTL: opts.FinalTTL, Timeout: opts.Timeout, ReadOnly: opts.ReadOnly,
		UID: opts.UID, GID: opts.GID, Logger: opts.Logger, Now: opts.Now, Inbox: opts.Inbox}
}

// mountNodes is gofs.Mount with the node tree's raw filesystem wrapped in
// userNamespaces: it starts serving and waits for the kernel.
func mountNodes(dir string, root gofs.InodeEmbedder, options *gofs.Options) (*fuse.Server, error) {
	raw := userNamespaces{gofs.NewNodeFS(root, options)}
	server, err := fuse.NewServer(raw, dir, &options.MountOptions)
	if err != nil {
		return nil, err
	}
	go server.Serve()
	if err := server.WaitMount(); err != nil {
		return nil, err
	}
	return server, nil
}
