package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/compsfs/compsfs/client"
)

// The messages of this file say what went wrong with a server in one line,
// and what to do next (docs/errors.md).

// checkServerURL refuses a server address without its scheme: guessing
// https for a server that speaks http fails later with an obscure TLS error.
func checkServerURL(server string) error {
	if server == "" || strings.HasPrefix(server, "http://") || strings.HasPrefix(server, "https://") {
		return nil
	}
	return usagef("server %q: http:// or https://? e.g. --server https://%s", server, server)
}

// reachTimeout bounds the first connection to a server.
const reachTimeout = 10 * time.Second

// checkReachable opens one connection to the server, so that a server that
// is down is reported at once and plainly, not after the client's retries.
func checkReachable(ctx context.Context, server string) error {
	u, err := url.Parse(server)
	if err != nil {
		return fmt.Errorf("server %q: %w", server, err)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	d := net.Dialer{Timeout: reachTimeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return unreachable(server, err)
	}
	defer conn.Close()
	if u.Scheme != "https" {
		return nil
	}
	// Only whether the server speaks TLS at all: trusting its certificate
	// is the client's business, with its own settings, and nothing is sent.
	hctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	tc := tls.Client(conn, &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: true}) //nolint:gosec // no data sent
	var notTLS tls.RecordHeaderError
	if err := tc.HandshakeContext(hctx); errors.As(err, &notTLS) {
		return speaksHTTP(server)
	}
	return nil
}

// speaksHTTP is the error of an https URL to a server that speaks http.
func speaksHTTP(server string) error {
	return fmt.Errorf("%s speaks http, not https: use --server http://%s", server, strings.TrimPrefix(server, "https://"))
}

// unreachable explains a failed connection to server.
func unreachable(server string, err error) error {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		hint := "is the server running?"
		if isLoopback(server) {
			hint += " try: compsfs serve"
		}
		return fmt.Errorf("cannot reach %s: connection refused; %s", server, hint)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Errorf("cannot reach %s: no such host; is the address right?", server)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("cannot reach %s: no answer within %v; is the address right, and the network up?", server, reachTimeout)
	}
	return fmt.Errorf("cannot reach %s: %w", server, err)
}

// isLoopback tells whether server is on this machine.
func isLoopback(server string) bool {
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// explainServer says what to do about an error of the first requests to a
// server that answered: mostly a token it refuses.
func explainServer(server string, err error) error {
	var apiErr *client.Error
	switch {
	case errors.As(err, &apiErr) && errors.Is(err, client.ErrUnauthorized):
		reason := apiErr.Message
		if reason == "" {
			reason = "401 Unauthorized"
		}
		return fmt.Errorf("%s refused the token (%s): log in again: compsfs login --server %s", server, reason, server)
	case errors.Is(err, client.ErrUnauthorized) && strings.Contains(err.Error(), "expired"):
		return fmt.Errorf("the token for %s has expired: log in again: compsfs login --server %s", server, server)
	case errors.Is(err, client.ErrUnauthorized):
		return fmt.Errorf("not logged in to %s: compsfs login --server %s (or set COMPS_TOKEN)", server, server)
	}
	return err // it names the request, and so the server
}
