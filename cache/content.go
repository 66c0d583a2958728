package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for [ContentOptions]; DefaultFetchTimeout also bounds the fetches
// of [Meta.GetOrFetch].
const (
	DefaultChunkSize    = 4 << 20
	DefaultFetchTimeout = 60 * time.Second
	DefaultMaxMemory    = 32 << 20
	maxChunkSize        = 1 << 30
)

// bufSize is the size of download buffers (less for smaller chunks): a
// download's bytes go to disk, to the readers and to the check a buffer at
// a time.
const bufSize = 256 << 10

// ErrCorrupt means cached or downloaded bytes do not match the server's md5.
// Everything cached for that file has been discarded; a later read fetches it
// again.
var ErrCorrupt = errors.New("cache: content does not match its md5")

// Source reads length bytes of a remote file from offset off (a ranged GET).
// The body must hold exactly those bytes; a shorter one is an error. The
// cache calls it once per download and does not retry: retrying (and
// resuming a body cut short) is the Source's business, for as long as
// [Wanted] reports true for ctx.
type Source func(ctx context.Context, off, length int64) (io.ReadCloser, error)

// Key names the content of one remote file.
type Key struct {
	// MD5 is the server's md5 of the whole file, 32 hex digits, or "" when the
	// server gave none.
	MD5 string
	// ID identifies the content when MD5 is empty (e.g. its URL); it must
	// change whenever the content may have changed. Such content is cached
	// without verification.
	ID string
	// Size is the file's length in bytes.
	Size int64
}

// ContentOptions configures [OpenContent]. Zero fields take the defaults.
type ContentOptions struct {
	Dir          string        // where the cache lives; its data goes under Dir/content
	MaxBytes     int64         // bound on the bytes of cached chunks on disk; must be > 0
	ChunkSize    int64         // unit of storage and eviction, and largest download (DefaultChunkSize; at most 1 GiB)
	FetchTimeout time.Duration // bound on one download, its Source's retries included (DefaultFetchTimeout)
	Logger       *slog.Logger  // slog.Default() when nil
	// MaxMemory bounds the bytes of buffers held in memory at once by the
	// whole cache (DefaultMaxMemory): half for downloads running (one
	// buffer is always let through), half for downloaded bytes kept for
	// the md5 check until it hashes them (beyond, it reads them back from
	// disk).
	MaxMemory int64
}

// ContentStats counts what a [Content] did since it was opened.
type ContentStats struct {
	Hits           int64 // chunk reads served from disk
	Misses         int64 // chunk reads that waited for a download
	BytesFetched   int64 // bytes read from Source bodies (failed attempts included)
	BytesOnDisk    int64 // bytes of cached chunks on disk now
	Evictions      int64 // chunks removed to stay under MaxBytes
	ReadBack       int64 // bytes the md5 check read back from disk, no longer in memory
	VerifyFailures int64 // files whose bytes did not match their md5
}

// Content is an on-disk cache of remote files' bytes, stored in aligned
// chunks, shared by every reader of the same content, bounded by
// least-recently-used eviction. It is safe for concurrent use.
type Content struct {
	o       ContentOptions
	root    string
	log     *slog.Logger
	raSlots chan struct{} // read-ahead downloads running, bounded for the whole cache
	mem     *memBudget    // download buffers, bounded for the whole cache
	// maxLead bounds how far ahead of a reader the cache downloads:
	// maxWindow chunks, and a quarter of MaxBytes, so that it is not
	// evicted before being read.
	maxLead int64
	// align and minLead are fetchAlign and minLead, or the chunk size if
	// smaller.
	align, minLead int64
	closeOnce      sync.Once

	mu   sync.Mutex
	keys map[string]*keyState
	lru  list.List // of *piece; front is the most recently read
	fds  list.List // of *piece with an open file; front is the most recently used
	// failed names the files whose last check failed, until one passes: a
	// reader that was served their bytes before the check and reaches the
	// end gets ErrCorrupt, not EOF.
	failed map[string]bool
	// refetched names the files fetched again after a failed check of
	// bytes none had been served, until a check passes: a second failure
	// is reported.
	refetched map[string]bool
	onDisk    int64
	// pendingBytes counts the buffers kept for checks, at most pendingMax.
	pendingBytes, pendingMax int64
	wg                       sync.WaitGroup // running downloads, checks and their persisting

	hits, misses, fetched, evictions, verifyFailures, readBack atomic.Int64
}

// OpenContent opens (creating it if needed) the cache in o.Dir, finding what an
// earlier run cached there and removing what a crash left half-written.
func OpenContent(o ContentOptions) (*Content, error) {
	if o.Dir == "" {
		return nil, errors.New("cache: ContentOptions.Dir is empty")
	}
	if o.MaxBytes <= 0 {
		return nil, fmt.Errorf("cache: ContentOptions.MaxBytes is %d, must be positive", o.MaxBytes)
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < 0 || o.ChunkSize > maxChunkSize {
		return nil, fmt.Errorf("cache: ContentOptions.ChunkSize %d is not in 1..%d", o.ChunkSize, maxChunkSize)
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	buf := min(int64(bufSize), o.ChunkSize)
	c := &Content{
		o:          o,
		root:       filepath.Join(o.Dir, "content"),
		log:        o.Logger.With("component", "content-cache"),
		raSlots:    make(chan struct{}, min(max(o.MaxMemory/2/buf/2, 1), maxReadAhead)),
		mem:        newMemBudget(o.MaxMemory/2, buf),
		maxLead:    max(min(maxWindow*o.ChunkSize, o.MaxBytes/4), min(minLead, o.ChunkSize)),
		align:      min(fetchAlign, o.ChunkSize),
		minLead:    min(minLead, o.ChunkSize),
		keys:       map[string]*keyState{},
		failed:     map[string]bool{},
		refetched:  map[string]bool{},
		pendingMax: o.MaxMemory / 2,
	}
	if err := os.MkdirAll(c.root, 0o700); err != nil {
		return nil, fmt.Errorf("cache: open content cache: %w", err)
	}
	clean, err := c.takeCleanMark()
	if err != nil {
		return nil, fmt.Errorf("cache: open content cache in %s: %w", c.root, err)
	}
	if err := c.scan(clean); err != nil {
		return nil, fmt.Errorf("cache: open content cache in %s: %w", c.root, err)
	}
	return c, nil
}

// Close waits for the downloads and checks still running (a reader may have
// left them) to finish, makes every chunk durable, records the order of last
// reads in the chunk files' times and marks the shutdown clean, so that the
// next start trusts what is cached. The Content must not be used afterwards;
// closing again does nothing.
func (c *Content) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.wg.Wait()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.persistLRU()
		synced := map[*keyState]error{} // one fsync per data file
		for e := c.lru.Front(); e != nil; e = e.Next() {
			pc := e.Value.(*piece)
			if pc.synced || pc.path != c.chunkPath(pc.ks.name, pc.idx) {
				continue // durable, or not kept across runs (see scan)
			}
			ferr, done := synced[pc.ks]
			if !done {
				var fh *os.File
				if fh, ferr = c.pieceFile(pc); ferr == nil {
					ferr = fh.Sync()
				}
				synced[pc.ks] = ferr
			}
			if ferr != nil {
				err = fmt.Errorf("cache: close: make chunk durable: %w", ferr)
				c.log.Warn("cannot make cached chunk durable; the next start will not trust the cache", "file", pc.ks.name, "chunk", pc.idx, "err", ferr)
			}
			pc.synced = ferr == nil
		}
		for c.fds.Len() > 0 {
			c.closeFile(c.fds.Front().Value.(*piece))
		}
		if err == nil {
			err = c.putCleanMark()
		}
	})
	return err
}

// Folder is the folder that holds the cached files (Dir/content).
func (c *Content) Folder() string { return c.root }

// Stats returns the counters.
func (c *Content) Stats() ContentStats {
	c.mu.Lock()
	onDisk := c.onDisk
	c.mu.Unlock()
	return ContentStats{
		Hits:           c.hits.Load(),
		Misses:         c.misses.Load(),
		BytesFetched:   c.fetched.Load(),
		BytesOnDisk:    onDisk,
		Evictions:      c.evictions.Load(),
		ReadBack:       c.readBack.Load(),
		VerifyFailures: c.verifyFailures.Load(),
	}
}

// ReadAt reads len(p) bytes of k's content at off, as io.ReaderAt does: n <
// len(p) only with an error, io.EOF past the end. It is Hold, a copy and
// Release: see Hold for how bytes are fetched and checked.
func (c *Content) ReadAt(ctx context.Context, k Key, src Source, p []byte, off int64) (int, error) {
	h, err := c.Hold(ctx, k, src, off, len(p))
	if err != nil {
		return 0, err
	}
	defer h.Release()
	n, err := h.Copy(p)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}
