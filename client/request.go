package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"syscall"
)

// request is one protocol call before it is sent.
type request struct {
	method      string
	path        string // protocol path ("WorkItems/{id}", "asset/...") or, with absolute, a full URL
	absolute    bool
	query       url.Values
	body        []byte
	contentType string // default application/json (§1.3)
	header      http.Header
	idempotent  bool  // may be retried on 5xx and on any transport failure
	noAuth      bool  // login and renewal: no X-COMPS-Token
	accept      []int // statuses ≥ 300 that are answers, not errors (404 of upload check)
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 1 << 20

// url is the request's full address.
func (r *request) url(host string) (*url.URL, error) {
	s := r.path
	if !r.absolute {
		s = endpointURL(host, r.path)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("request URL %q: %w", s, err)
	}
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	return u, nil
}

// open sends the request and returns the answer with its body open; the
// caller closes it. Failures are retried under the client's retry policy
// (retry.go). A 401 leads to one fresh token and one more try.
func (c *Client) open(ctx context.Context, r *request) (*http.Response, error) {
	return c.openWith(ctx, r, c.newAttempts())
}

// openWith is open spending the attempts of a, so that a caller that goes
// on after the answer (reading its body) shares one budget with it.
func (c *Client) openWith(ctx context.Context, r *request, a *attempts) (*http.Response, error) {
	u, err := r.url(c.host)
	if err != nil {
		return nil, err
	}
	reauthed := false
	for {
		a.sent()
		resp, err := c.send(ctx, r, u)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", r.method, sanitizeURL(u), ctx.Err())
			}
			err = fmt.Errorf("%s %s: %w", r.method, sanitizeURL(u), err)
			if errors.Is(err, ErrUnreachable) { // no use trying again before the probe reaches it
				return nil, err
			}
			if !r.idempotent && !notSent(err) {
				return nil, err
			}
			if why := a.wait(ctx, 0); why != nil {
				return nil, giveUp(err, why)
			}
			c.log.Debug("retrying after transport error", "method", r.method, "url", sanitizeURL(u), "attempt", a.made, "err", err)
			continue
		}
		if resp.StatusCode < 300 || slices.Contains(r.accept, resp.StatusCode) {
			return resp, nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		apiErr := newError(r.method, u, resp.StatusCode, body)
		if resp.StatusCode == http.StatusUnauthorized && !r.noAuth && !reauthed {
			reauthed = true
			if aerr := c.reauthenticate(ctx, resp.Request.Header.Get(tokenHeader)); aerr == nil {
				continue
			} else {
				c.log.Debug("re-login after 401 failed", "err", aerr)
			}
		}
		if !r.idempotent || !retryableStatus(resp.StatusCode) {
			return nil, apiErr
		}
		if why := a.wait(ctx, retryAfter(resp)); why != nil {
			return nil, giveUp(apiErr, why)
		}
		c.log.Debug("retrying after server error", "method", r.method, "url", sanitizeURL(u), "status", resp.StatusCode, "attempt", a.made)
	}
}

// tokenHeader carries the token on every request but login (§1.3).
const tokenHeader = "X-COMPS-Token"

// send makes one attempt: headers of §1.3, the token, the body.
func (c *Client) send(ctx context.Context, r *request, u *url.URL) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	ct := r.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("User-Agent", "") // the official client adds none (§1.3)
	if !r.noAuth {
		tok, err := c.currentToken(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set(tokenHeader, tok)
	}
	c.requests.count(r.method, r.path)
	hc := c.http
	if r.noAuth {
		hc = c.noRedirectClient()
	}
	return hc.Do(req)
}

// noRedirectClient is the HTTP client for login: redirects are answers (§1.4).
func (c *Client) noRedirectClient() *http.Client {
	nc := *c.http
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &nc
}

// notSent reports whether a transport error proves the request never reached
// the server (a refused or failed connection), so even a POST may be repeated.
func notSent(err error) bool {
	if errors.Is(err, errNoToken) || errors.Is(err, ErrUnauthorized) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// call sends the request, reads the whole answer and decodes its JSON into
// out (when out is not nil), as it streams in. A body cut short is tried
// again within the same attempt budget for idempotent requests, and is
// otherwise an error, never short data.
func (c *Client) call(ctx context.Context, r *request, out any) (*http.Response, error) {
	return c.callWith(ctx, r, out, c.newAttempts())
}

// callWith is call spending the attempts of a.
func (c *Client) callWith(ctx context.Context, r *request, out any, a *attempts) (*http.Response, error) {
	return c.fetchWith(ctx, r, a, func(body io.Reader) error {
		if out == nil {
			_, err := io.Copy(io.Discard, body)
			return err
		}
		return decodeJSON(body, out)
	})
}

// fetch sends the request and hands a successful answer's body to read,
// which must consume all of it. When read fails because the body was cut
// short (not because of what it holds), an idempotent request is sent again
// within the same attempt budget and read starts over.
func (c *Client) fetch(ctx context.Context, r *request, read func(body io.Reader) error) (*http.Response, error) {
	return c.fetchWith(ctx, r, c.newAttempts(), read)
}

// fetchWith is fetch spending the attempts of a.
func (c *Client) fetchWith(ctx context.Context, r *request, a *attempts, read func(body io.Reader) error) (*http.Response, error) {
	for {
		resp, err := c.openWith(ctx, r, a)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 300 { // an accepted status: the body is not the answer's data
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			return resp, nil
		}
		body := &bodyReader{r: resp.Body}
		err = read(body)
		resp.Body.Close()
		if err == nil {
			return resp, nil
		}
		if body.err == nil { // the body arrived whole: its content is wrong
			return nil, fmt.Errorf("%s %s: %w: %v", r.method, r.path, ErrMalformed, err)
		}
		err = fmt.Errorf("%s %s: read answer: %w", r.method, r.path, body.err)
		if ctx.Err() != nil || !r.idempotent {
			return nil, err
		}
		if why := a.wait(ctx, 0); why != nil {
			return nil, giveUp(err, why)
		}
		c.log.Debug("retrying after a cut answer", "method", r.method, "path", r.path, "attempt", a.made, "err", body.err)
	}
}

// bodyReader remembers the error reading a body failed with, telling a body
// cut short from one whose content is wrong.
type bodyReader struct {
	r   io.Reader
	err error
}

// Read reads from the body, keeping any error but io.EOF.
func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
