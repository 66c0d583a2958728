package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ErrUnreachable means the server could not be reached (a connection was
// refused or could not be made) and has not been reached since: requests
// fail with it at once, without trying, while a probe in the background
// waits for the server to come back (docs/errors.md).
var ErrUnreachable = errors.New("server unreachable")

// Probe intervals while the server is unreachable: the first probe comes
// after probeMin, then the interval doubles up to probeMax.
const (
	probeMin = 200 * time.Millisecond
	probeMax = 2 * time.Second
)

// reachability knows whether the server can be reached: it marks it
// unreachable at the first failed connection and probes it in the
// background (a plain TCP connection, every probeMin doubling to probeMax)
// until a connection succeeds. It is an http.RoundTripper around the real
// transport.
type reachability struct {
	next http.RoundTripper
	addr string // host:port the probe connects to
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	now  func() time.Time

	mu        sync.Mutex
	downSince time.Time // zero while reachable
}

// newReachability wraps next for the server at host (scheme://host[:port]).
func newReachability(next http.RoundTripper, host string, now func() time.Time) *reachability {
	r := &reachability{next: next, addr: hostPort(host), now: now}
	d := &net.Dialer{Timeout: time.Second}
	r.dial = d.DialContext
	if t, ok := next.(*http.Transport); ok && t.DialContext != nil {
		r.dial = t.DialContext
	}
	return r
}

// hostPort is the host:port of a normalised host string.
func hostPort(host string) string {
	scheme, rest, _ := strings.Cut(host, "://")
	if _, _, err := net.SplitHostPort(rest); err == nil {
		return rest
	}
	if scheme == "http" {
		return net.JoinHostPort(rest, "80")
	}
	return net.JoinHostPort(rest, "443")
}

// RoundTrip fails at once while the server is unreachable; otherwise it
// sends the request and marks the server unreachable when no connection
// could be made.
func (r *reachability) RoundTrip(req *http.Request) (*http.Response, error) {
	if since := r.since(); !since.IsZero() {
		return nil, fmt.Errorf("%w since %s", ErrUnreachable, since.Format(time.RFC3339))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil && connectFailed(err) {
		r.markDown()
	}
	return resp, err
}

// connectFailed reports an error that proves the server could not be
// connected to (refused, unreachable network, dial timeout, unknown host).
func connectFailed(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// since is when the server became unreachable, zero when it is reachable.
func (r *reachability) since() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.downSince
}

// markDown marks the server unreachable and starts the probe, once.
func (r *reachability) markDown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.downSince.IsZero() {
		return
	}
	r.downSince = r.now()
	go r.probe()
}

// probe connects to the server until it answers, then marks it reachable.
func (r *reachability) probe() {
	for wait := probeMin; ; wait = min(2*wait, probeMax) {
		time.Sleep(wait)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := r.dial(ctx, "tcp", r.addr)
		cancel()
		if err == nil {
			conn.Close()
			r.mu.Lock()
			r.downSince = time.Time{}
			r.mu.Unlock()
			return
		}
	}
}

// Unreachable reports since when the server has been unreachable; ok is
// false while it is reachable.
func (c *Client) Unreachable() (since time.Time, ok bool) {
	since = c.reach.since()
	return since, !since.IsZero()
}
