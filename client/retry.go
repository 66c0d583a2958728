package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The client's one retry policy (docs/protocol.md §11). Every request of a
// call, and every resumption of a download cut short, spends the call's
// budget of MaxAttempts. Idempotent requests are tried again after a
// transport failure, a body cut short, a 5xx or a 429; others only when the
// failure proves the request never reached the server. Waits double from
// RetryBase up to backoffCap×RetryBase, with jitter, or last what a
// Retry-After header of a 429 or 503 says; they end at once with the
// context.

// backoffCap bounds the wait between two attempts, in units of RetryBase.
const backoffCap = 16

// maxRetryAfter is the longest Retry-After the client waits for; a server
// asking for more ends the call at once.
const maxRetryAfter = 5 * time.Minute

// errBudget means a call has made all the attempts it may.
var errBudget = errors.New("no attempts left")

// Backoff is how long the client waits before retry number attempt (1 for
// the first retry) of a request: RetryBase doubled per attempt up to
// 16×RetryBase, with jitter (between half and all of it) so that many
// clients do not retry in step. Other layers that retry on their own
// schedule (the inbox's background submissions) may use it.
func (c *Client) Backoff(attempt int) time.Duration {
	d := c.retryBase * backoffCap
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 5 { // 1<<4 == backoffCap: beyond, the cap holds
		d = min(d, c.retryBase<<(attempt-1))
	}
	return d/2 + time.Duration(jitter(int64(d/2)+1))
}

// retryGate is the context value of RetryWhile.
type retryGate struct{}

// RetryWhile returns a context under which the client starts a new attempt
// of a failed request (a retry, or the resumption of a download cut short)
// only while keep reports true. The attempt running is not affected. The
// content cache uses it to stop retrying downloads that no reader waits
// for any more, while letting the one in progress fill the cache.
func RetryWhile(ctx context.Context, keep func() bool) context.Context {
	return context.WithValue(ctx, retryGate{}, keep)
}

// attempts is one call's retry budget and state.
type attempts struct {
	c    *Client
	made int // requests sent so far
}

func (c *Client) newAttempts() *attempts { return &attempts{c: c} }

// sent counts one request sent.
func (a *attempts) sent() { a.made++ }

// wait sleeps before another attempt and returns nil, or returns why no
// other attempt is made: the budget is spent, ctx ended (or would end
// during the wait), the caller's RetryWhile said stop, or the server asked
// to wait longer than maxRetryAfter. after is the server's Retry-After (0:
// none), which replaces the backoff.
func (a *attempts) wait(ctx context.Context, after time.Duration) error {
	if a.made >= a.c.attempts {
		return errBudget
	}
	if err := a.allowed(ctx); err != nil {
		return err
	}
	d := after
	if d > maxRetryAfter {
		return fmt.Errorf("server asks to retry in %v, more than %v", d, maxRetryAfter)
	}
	if d <= 0 {
		d = a.c.Backoff(a.made)
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("next attempt in %v is past the deadline: %w", d, context.DeadlineExceeded)
	}
	if err := sleep(ctx, d); err != nil {
		return err
	}
	return a.allowed(ctx)
}

// sleep waits for d, or returns ctx.Err() as soon as ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// allowed returns why a new attempt may not start now, or nil.
func (a *attempts) allowed(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if keep, ok := ctx.Value(retryGate{}).(func() bool); ok && !keep() {
		return errors.New("retries no longer wanted")
	}
	return nil
}

// giveUp is the error of a call that stops after failure err because of
// why (from wait): err itself when the budget is spent, both otherwise.
func giveUp(err, why error) error {
	if errors.Is(why, errBudget) {
		return err
	}
	return fmt.Errorf("%w (not retried: %w)", err, why)
}

// retryableStatus reports whether an idempotent request answered status is
// tried again.
func retryableStatus(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// retryAfter is the wait a 429 or 503 answer asks for in its Retry-After
// header (delay-seconds or an HTTP date, RFC 9110 section 10.2.3); 0 when there is
// none or it cannot be read.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter + time.Second // refused by wait
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
