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
	DefaultRetries      = 3
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

	mu      sync.Mutex
	keys    map[string]*keyState
	lru     list.List // of *piece; front is the most recently read
	flights map[flightID]*flight
	onDisk  int64
	wg      sync.WaitGroup // running downloads and verifications

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
	c := &Content{
		o:       o,
		root:    filepath.Join(o.Dir, "content"),
		log:     o.Logger.With("component", "content-cache"),
		backoff: defaultBackoff,
		raSlots: make(chan struct{}, maxReadAhead),
		keys:    map[string]*keyState{},
		flights: map[flightID]*flight{},
	}
	if err := os.MkdirAll(c.root, 0o700); err != nil {
		return nil, fmt.Errorf("cache: open content cache: %w", err)
	}
	if err := c.scan(); err != nil {
		return nil, fmt.Errorf("cache: open content cache in %s: %w", c.root, err)
	}
	return c, nil
}

// Close waits for the downloads still running (a reader may have left them)
// to finish storing. The Content must not be used afterwards.
func (c *Content) Close() error {
	c.wg.Wait()
	return nil
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
// ctx.Err() at once, and the download goes on to fill the cache. A file whose
// bytes do not match k.MD5 gives an error matching ErrCorrupt.
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
	for n < want {
		pos := off + n
		idx := pos / cs
		within := pos - idx*cs
		m := min(cs-within, k.Size-pos, want-n)
		if err := c.readChunk(ctx, name, md5, k.Size, src, idx, p[n:n+m], within); err != nil {
			return int(n), err
		}
		n += m
	}
	c.readAhead(ctx, name, src, off, n)
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// readChunk fills dst from chunk idx of the file, starting within bytes into
// the chunk.
func (c *Content) readChunk(ctx context.Context, name, md5 string, size int64, src Source, idx int64, dst []byte, within int64) error {
	for tries := 0; ; tries++ {
		if tries > 3 { // only when chunk files vanish or shrink behind our back, again and again
			return fmt.Errorf("cache: read chunk %d of %s: chunk file keeps disappearing", idx, name)
		}
		c.mu.Lock()
		ks := c.keyState(name, md5, size)
		if ks.md5 != "" && !ks.verified && ks.complete() {
			// Complete, not yet verified: its last chunk just arrived, or a
			// restart found it so. Nothing is served before the check.
			f := c.startVerify(ks)
			c.mu.Unlock()
			if err := f.wait(ctx); err != nil {
				return err
			}
			continue
		}
		if pc := ks.pieces[idx]; pc != nil {
			path := c.chunkPath(name, idx)
			fh, err := os.Open(path) // under mu: eviction cannot unlink it first
			if err != nil {
				c.log.Warn("cached chunk vanished", "file", name, "chunk", idx, "err", err)
				c.removePiece(pc)
				c.mu.Unlock()
				continue
			}
			c.lru.MoveToFront(pc.elem)
			c.mu.Unlock()
			c.hits.Add(1)
			now := time.Now()
			_ = os.Chtimes(path, now, now) // LRU order for the next start; may race an eviction
			n, err := fh.ReadAt(dst, within)
			fh.Close()
			if n == len(dst) {
				return nil
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
		c.mu.Unlock()
		c.misses.Add(1)
		if err := f.wait(ctx); err != nil {
			return err
		}
		copy(dst, f.data[within:])
		return nil
	}
}
