package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"time"
)

// Faults configures fault injection. The zero value injects nothing.
type Faults struct {
	// Latency is added before every response.
	Latency time.Duration
	// FailRate is the share of requests (0..1) answered 503 at once.
	FailRate float64
	// ResetRate is the share of response bodies (0..1) cut off about half
	// way, after headers announcing the full Content-Length.
	ResetRate float64
	// Bandwidth limits each response body to this many bytes per second;
	// 0 means unlimited.
	Bandwidth int64
	// Seed seeds the random draws so that runs are repeatable.
	Seed int64
}

// Options configures a Server.
type Options struct {
	// Dir is the data folder: SQLite database, blobs/, uploads/ and work/.
	Dir string
	// User owns the static token; default "localuser".
	User string
	// Password is User's password for POST /api/tokens; empty refuses every
	// login with 401.
	Password string
	// Token is the static token to accept; empty mints a random one.
	Token string
	// Environments are the accepted EnvironmentName values; default
	// []string{"Local"}.
	Environments []string
	// MaxPageSize caps the number of results per query answer; default
	// 100000, the most the official client asks for in one request
	// (docs/protocol.md §3.2), so that its unpaged queries are complete.
	MaxPageSize int
	// MaxRequestBytes caps request bodies (413 above), chunks of the large
	// file upload excepted (each is bounded by its Content-Range and
	// streamed to disk); default 1 GiB, above the official client's 398 MiB
	// asset-collection saves. Multipart file parts are spooled to disk.
	MaxRequestBytes int64
	// MaxJSONBytes caps JSON request bodies and the entity part of a
	// multipart save, the bodies read whole into memory; default 4 MiB.
	MaxJSONBytes int64
	// Faults is the initial fault injection.
	Faults Faults
	// Logger receives the server's logs; default slog.Default().
	Logger *slog.Logger
	// Workers is how many commissioned work items the local worker runs at
	// a time (docs/localcomps.md). 0, the zero value, turns the worker off:
	// commissioned items then stay CommissionRequested and a cancel ends in
	// Canceled at once. The command line's default is 1.
	Workers int
	// JobTimeout is the longest a work item's command may run before it is
	// stopped and the item Failed; default 1 hour.
	JobTimeout time.Duration
	// Now is the clock of token expiry; default time.Now.
	Now func() time.Time
}

// Server is a COMPS-compatible HTTP server over a local store. It is safe
// for concurrent use.
type Server struct {
	opts  Options
	dir   string
	db    *sql.DB
	blobs *blobStore
	log   *slog.Logger
	mux   *http.ServeMux

	auth tokenStore

	faultMu sync.Mutex
	faults  Faults
	rng     *rand.Rand

	stats statsCounter

	clockMu sync.Mutex
	lastNow int64

	uploadMu    sync.Mutex
	uploadLocks map[string]*sync.Mutex

	worker *worker // nil when Options.Workers is 0
}

// Open opens (creating if needed) the store in opts.Dir and returns a
// server ready to serve.
func Open(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("open local COMPS: no data folder given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("open local COMPS: resolve %s: %w", opts.Dir, err)
	}
	if opts.User == "" {
		opts.User = "localuser"
	}
	if len(opts.Environments) == 0 {
		opts.Environments = []string{"Local"}
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = maxCount
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = 1 << 30
	}
	if opts.MaxJSONBytes <= 0 {
		opts.MaxJSONBytes = 4 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Workers < 0 {
		opts.Workers = 0
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := privateDir(dir, opts.Logger); err != nil {
		return nil, fmt.Errorf("open local COMPS: %w", err)
	}
	blobs, err := newBlobStore(dir)
	if err != nil {
		return nil, fmt.Errorf("open local COMPS: %w", err)
	}
	db, err := openDB(context.Background(), dir)
	if err != nil {
		return nil, fmt.Errorf("open local COMPS: %w", err)
	}
	s := &Server{
		opts:        opts,
		dir:         dir,
		db:          db,
		blobs:       blobs,
		log:         opts.Logger,
		uploadLocks: map[string]*sync.Mutex{},
	}
	s.auth.init(db, opts.Now, opts.User, opts.Token, opts.Environments)
	if err := s.auth.dropExpired(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local COMPS: %w", err)
	}
	s.SetFaults(opts.Faults)
	s.stats.reset()
	s.routes()
	if opts.Workers > 0 {
		if err := s.recoverClaims(context.Background()); err != nil {
			db.Close()
			return nil, fmt.Errorf("open local COMPS: %w", err)
		}
		s.worker = newWorker(s, opts.Workers, opts.JobTimeout)
		s.worker.start()
	}
	return s, nil
}

// Token returns the static token the server accepts.
func (s *Server) Token() string { return s.auth.static }

// Close stops the local worker (running commands are killed, their items
// Failed as interrupted) and closes the store.
func (s *Server) Close() error {
	if s.worker != nil {
		s.worker.stop()
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close local COMPS store: %w", err)
	}
	return nil
}

// workDir is the working directory of an entity (it need not exist).
func (s *Server) workDir(id string) string {
	return filepath.Join(s.dir, "work", id)
}

// handlerFunc is a handler that reports failures as errors; see handle.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers h for pattern; an error it returns becomes the JSON
// error answer.
func (s *Server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// now returns the current time in Unix nanoseconds, rounded to the 100 ns
// the wire dates carry, and strictly later than any earlier call.
func (s *Server) now() int64 {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	n := time.Now().UnixNano() / 100 * 100
	if n <= s.lastNow {
		n = s.lastNow + 100
	}
	s.lastNow = n
	return n
}
