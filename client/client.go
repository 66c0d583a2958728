package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure a Client. Only Server is required.
type Options struct {
	// Server is the COMPS host string (§1.1), e.g. "https://comps.idmod.org".
	Server string
	// Token, when set, is used as it is (COMPS_TOKEN, an embedded server's token).
	Token string
	// Username and Password, when set, let the client log in by itself: when it
	// has no token, when the token expires, and once after a 401.
	Username, Password string
	// TokenCacheDir overrides the folder of the shared token cache file (§1.7).
	TokenCacheDir string
	// NoTokenCache turns the token cache file off (neither read nor written).
	NoTokenCache bool
	// HTTPClient replaces the default HTTP client.
	HTTPClient *http.Client
	// CAFile is a PEM file of certificate authorities trusted besides the
	// system's, for a server with a private CA or a self-signed
	// certificate; it needs the default HTTP client.
	CAFile string
	// MaxAttempts bounds the requests of one call, retries and resumptions of
	// a download cut short included (default 10, as pyCOMPS).
	MaxAttempts int
	// RetryBase is the first wait before a retry, doubled per retry up to
	// 16×RetryBase, with jitter (default 100 ms).
	RetryBase time.Duration
	// PageSize is the count asked for per page when a query is paged (default 1000).
	PageSize int
	// Logger receives debug lines for requests and retries; tokens never appear.
	Logger *slog.Logger
	// Now is the clock used for token expiry (default time.Now).
	Now func() time.Time
}

// Client talks to one COMPS server. It is safe for concurrent use.
type Client struct {
	host       string
	http       *http.Client
	log        *slog.Logger
	now        func() time.Time
	attempts   int
	retryBase  time.Duration
	pageSize   int
	auth       *auth
	requests   requestCounter
	reach      *reachability // fails requests at once while the server is unreachable
	knownMu    sync.Mutex
	knownFiles map[string]bool // md5 hex of files the server is known to hold
}

// New makes a client for opts.Server. It does not contact the server; the
// first request logs in if it needs to.
func New(opts Options) (*Client, error) {
	host, err := NormalizeHost(opts.Server)
	if err != nil {
		return nil, err
	}
	c := &Client{
		host:       host,
		http:       opts.HTTPClient,
		log:        opts.Logger,
		now:        opts.Now,
		attempts:   opts.MaxAttempts,
		retryBase:  opts.RetryBase,
		pageSize:   opts.PageSize,
		knownFiles: map[string]bool{},
	}
	if c.http == nil {
		t, err := newTransport(opts.CAFile)
		if err != nil {
			return nil, err
		}
		c.http = &http.Client{Transport: t}
	} else if opts.CAFile != "" {
		return nil, errors.New("client options: CAFile applies to the default HTTP client, not to HTTPClient")
	}
	if c.now == nil {
		c.now = time.Now
	}
	hc := *c.http // the caller's client is not changed
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.reach = newReachability(next, host, c.now)
	hc.Transport = c.reach
	c.http = &hc
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.attempts <= 0 {
		c.attempts = 10
	}
	if c.retryBase <= 0 {
		c.retryBase = 100 * time.Millisecond
	}
	if c.pageSize <= 0 {
		c.pageSize = 1000
	}
	c.auth = &auth{username: opts.Username, password: opts.Password}
	if !opts.NoTokenCache {
		c.auth.cachePath = TokenCachePath(opts.TokenCacheDir, host, "")
	}
	if opts.Token != "" {
		t, err := ParseToken(opts.Token)
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", host, err)
		}
		c.auth.tok = t
	}
	return c, nil
}

// Host is the normalised server address the client talks to.
func (c *Client) Host() string { return c.host }

// defaultTransport is http.DefaultTransport's settings with bounded dialing
// and header waits, so that a dead server cannot hold a call forever even when
// the caller's context has no deadline.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = 16
	return t
}
