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
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for [ContentOptions]; DefaultFetchTimeout also bounds the fetches
// of [Meta.GetOrFetch].
const (
	DefaultChunkSize    = 4 << 20
	DefaultFetchTimeout = 60 * time.Second
	DefaultRetries      = 3
	DefaultMaxMemory    = 64 << 20
	maxChunkSize        = 1 << 30
)

// ErrCorrupt means cached or downloaded bytes do not match the server's md5.
// Everything cached for that file has been discarded; a later read fetches it
// again.
var ErrCorrupt = errors.New("cache: content does not match its md5")

// Source reads length bytes of a remote file from offset off (a ranged GET).
// The body must hold exactly those bytes; a shorter one is an error.
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
	ChunkSize    int64         // unit of download and eviction (DefaultChunkSize; at most 1 GiB)
	FetchTimeout time.Duration // bound on one attempt to download one chunk (DefaultFetchTimeout)
	Retries      int           // attempts after the first failure (DefaultRetries; negative: none)
	Logger       *slog.Logger  // slog.Default() when nil
	// MaxMemory bounds the bytes of chunks held in memory at once by the
	// whole cache: downloads running, until their readers have copied them
	// (DefaultMaxMemory; at least one chunk is always let through). Half of
	// it at most, and no more than maxReadAhead chunks, goes to read-ahead.
	MaxMemory int64
}

// ContentStats counts what a [Content] did since it was opened.
type ContentStats struct {
	Hits           int64 // chunk reads served from disk
	Misses         int64 // chunk reads that waited for a download
	BytesFetched   int64 // bytes read from Source bodies (failed attempts included)
	BytesOnDisk    int64 // bytes of cached chunks on disk now
	Evictions      int64 // chunks removed to stay under MaxBytes
	VerifyFailures int64 // files whose bytes did not match their md5
}

// Content is an on-disk cache of remote files' bytes, read in aligned chunks,
// shared by every reader of the same content, bounded by least-recently-used
// eviction. It is safe for concurrent use.
type Content struct {
	o       ContentOptions
	root    string
	log     *slog.Logger
	backoff func(attempt int) time.Duration
	raSlots chan struct{} // read-ahead downloads running, bounded for the whole cache
	mem     *memBudget    // chunk buffers, bounded for the whole cache
	// maxWindow bounds the chunks read ahead of one reader (also to a
	// quarter of MaxBytes, so that they are not evicted before being read).
	maxWindow int64
	closeOnce sync.Once

	mu      sync.Mutex
	keys    map[string]*keyState
	lru     list.List // of *piece; front is the most recently read
	fds     list.List // of *piece with an open file; front is the most recently used
	flights map[flightID]*flight
	// failed names the files whose last check failed, until one passes: a
	// reader that was served their bytes before the check and reaches the
	// end gets ErrCorrupt, not EOF.
	failed map[string]bool
	onDisk int64
	wg     sync.WaitGroup // running downloads, checks and their persisting

	hits, misses, fetched, evictions, verifyFailures atomic.Int64
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
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	c := &Content{
		o:         o,
		root:      filepath.Join(o.Dir, "content"),
		log:       o.Logger.With("component", "content-cache"),
		backoff:   defaultBackoff,
		raSlots:   make(chan struct{}, min(max(o.MaxMemory/o.ChunkSize/2, 1), maxReadAhead)),
		mem:       newMemBudget(o.MaxMemory, o.ChunkSize),
		maxWindow: min(maxWindow, o.MaxBytes/o.ChunkSize/4),
		keys:      map[string]*keyState{},
		flights:   map[flightID]*flight{},
		failed:    map[string]bool{},
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
		for e := c.lru.Front(); e != nil; e = e.Next() {
			pc := e.Value.(*piece)
			if pc.synced {
				continue
			}
			fh, ferr := c.pieceFile(pc)
			if ferr == nil {
				ferr = fh.Sync()
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
		VerifyFailures: c.verifyFailures.Load(),
	}
}

// ReadAt reads len(p) bytes of k's content at off, as io.ReaderAt does: n <
// len(p) only with an error, io.EOF past the end. Chunks on disk are read
// without src; missing ones are downloaded with src, once for all concurrent
// readers, under a context of their own: when ctx ends ReadAt returns
// ctx.Err() at once, and the download goes on to fill the cache.
//
// A file with an md5 is hashed in the background as its chunks arrive, and
// served unverified until the check: a read that reaches the end of the file,
// or whose download brings the file's last missing chunk, waits for the
// verdict, and gets an error matching ErrCorrupt if the bytes do not match
// k.MD5 (everything cached of the file is then discarded). So a reader going
// to the end of a corrupt file never sees EOF without an error.
func (c *Content) ReadAt(ctx context.Context, k Key, src Source, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("cache: read at negative offset %d", off)
	}
	name, md5, err := k.dirName()
	if err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off >= k.Size {
		return 0, io.EOF
	}
	cs := c.o.ChunkSize
	want := min(int64(len(p)), k.Size-off)
	var n int64
	var checks []*flight
	for n < want {
		pos := off + n
		idx := pos / cs
		within := pos - idx*cs
		m := min(cs-within, k.Size-pos, want-n)
		vf, err := c.readChunk(ctx, name, md5, k.Size, src, idx, p[n:n+m], within, pos+m == k.Size)
		if err != nil {
			return int(n), err
		}
		if vf != nil && !slices.Contains(checks, vf) {
			checks = append(checks, vf)
		}
		n += m
	}
	c.readAhead(ctx, name, src, off, n)
	for _, vf := range checks {
		if err := vf.wait(ctx); err != nil {
			return 0, err
		}
	}
	if md5 != "" && off+n == k.Size {
		if err := c.failedCheck(name); err != nil {
			return 0, err
		}
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// failedCheck returns an error matching ErrCorrupt when the file's last
// check failed and none passed since: the bytes of a reader reaching the end
// may be from before the check.
func (c *Content) failedCheck(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed[name] {
		return nil
	}
	if ks := c.keys[name]; ks != nil && ks.verified {
		return nil
	}
	return fmt.Errorf("cache: %s: a check of the file found it did not match its md5 (its bytes were discarded and are being fetched again): %w", name, ErrCorrupt)
}

// touchEvery is how stale a chunk file's time may get before a read sets it
// again: the exact order of reads is kept in memory and written at Close;
// this only keeps a rough order for a start after a crash.
const touchEvery = time.Minute

// readChunk fills dst from chunk idx of the file, starting within bytes into
// the chunk. It returns the check whose verdict the reader must wait for, if
// any: when its download brought the file's last missing chunk, or when end
// (the read reaches the end of the file) and the file is complete but not
// yet verified.
func (c *Content) readChunk(ctx context.Context, name, md5 string, size int64, src Source, idx int64, dst []byte, within int64, end bool) (check *flight, err error) {
	for tries := 0; ; tries++ {
		if tries > 3 { // only when chunk files vanish or shrink behind our back, again and again
			return nil, fmt.Errorf("cache: read chunk %d of %s: chunk file keeps disappearing", idx, name)
		}
		c.mu.Lock()
		ks := c.keyState(name, md5, size)
		if pc := ks.pieces[idx]; pc != nil {
			fh, err := c.pieceFile(pc)
			if err != nil {
				c.log.Warn("cached chunk vanished", "file", name, "chunk", idx, "err", err)
				c.removePiece(pc)
				c.mu.Unlock()
				continue
			}
			c.lru.MoveToFront(pc.elem)
			now := time.Now()
			pc.used = now
			touch := now.Sub(pc.mtime) > touchEvery
			if touch {
				pc.mtime = now
			}
			if end && ks.md5 != "" && !ks.verified && ks.complete() {
				check = c.startVerify(ks)
			} else {
				c.kickVerify(ks) // a file found at start-up
			}
			c.mu.Unlock()
			c.hits.Add(1)
			if touch {
				_ = os.Chtimes(c.chunkPath(name, idx), now, now) // may race an eviction
			}
			n, err := fh.ReadAt(dst, within)
			if n == len(dst) {
				return check, nil
			}
			if errors.Is(err, os.ErrClosed) {
				continue // evicted, or closed for the open-file limit, as we read
			}
			c.log.Warn("cached chunk unreadable", "file", name, "chunk", idx, "read", n, "want", len(dst), "err", err)
			c.mu.Lock()
			if ks.pieces[idx] == pc {
				c.removePiece(pc)
			}
			c.mu.Unlock()
			continue
		}
		f := c.startDownload(ctx, ks, idx, src)
		f.refs++
		c.mu.Unlock()
		c.misses.Add(1)
		err := f.wait(ctx)
		if err == nil {
			copy(dst, f.data[within:])
		}
		c.mu.Lock()
		c.unref(f)
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return f.verify, nil
	}
}
