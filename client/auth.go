package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// clientVersion is the ClientVersion the official client sends (§1.4).
const clientVersion = 12

// errNoToken means the client has neither a token nor credentials to get one.
var errNoToken = fmt.Errorf("%w: not logged in (run compsfs login, or set COMPS_TOKEN)", ErrUnauthorized)

// auth holds the client's token and what it needs to get a new one.
type auth struct {
	mu                 sync.Mutex
	tok                *Token
	cachePath          string // "" when the cache file is off
	username, password string
}

// currentToken returns the token to send, first renewing or replacing it as
// §1.6 says: past its renewal time the cache file is read again (another
// process may have renewed it); past expiry the client logs in again; past the
// renewal time it renews.
func (c *Client) currentToken(ctx context.Context) (string, error) {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	now := c.now().UTC()
	if a.tok == nil || now.After(a.tok.RenewAt()) {
		c.adoptCachedTokenLocked()
	}
	switch {
	case a.tok == nil || now.After(a.tok.Expiry):
		if a.username == "" {
			if a.tok != nil {
				return "", fmt.Errorf("%w: token expired at %s", ErrUnauthorized, a.tok.Expiry)
			}
			return "", errNoToken
		}
		if err := c.loginLocked(ctx, a.username, a.password); err != nil {
			return "", err
		}
	case now.After(a.tok.RenewAt()) && a.tok.Type == TokenAuth:
		if err := c.renewLocked(ctx); err != nil {
			// The token is still valid until expiry: keep using it.
			c.log.Warn("token renewal failed; using the current token until it expires", "err", err)
		}
	}
	return a.tok.Raw(), nil
}

// adoptCachedTokenLocked takes the cache file's token when it parses and lives
// longer than the one in memory.
func (c *Client) adoptCachedTokenLocked() {
	a := c.auth
	if a.cachePath == "" {
		return
	}
	raw, err := readTokenCache(a.cachePath)
	if err != nil || raw == "" {
		return
	}
	t, err := ParseToken(raw)
	if err != nil {
		c.log.Debug("ignoring unreadable token cache", "path", a.cachePath, "err", err)
		return
	}
	if a.tok == nil || t.Expiry.After(a.tok.Expiry) {
		a.tok = t
	}
}

// reauthenticate reacts to a 401 answered to failedToken: unless another
// request already replaced that token, it drops it, re-reads the cache file
// and, failing a different token there, logs in with the credentials.
func (c *Client) reauthenticate(ctx context.Context, failedToken string) error {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok != nil && a.tok.Raw() != failedToken {
		return nil
	}
	a.tok = nil
	c.adoptCachedTokenLocked()
	if a.tok != nil && a.tok.Raw() != failedToken {
		return nil
	}
	a.tok = nil
	if a.username == "" {
		return errNoToken
	}
	return c.loginLocked(ctx, a.username, a.password)
}

// Login obtains a token with a user name and password (POST /api/tokens,
// §1.4), keeps it, and writes it to the token cache file. The credentials are
// remembered for later re-logins. A bad password is an error matching
// ErrUnauthorized.
func (c *Client) Login(ctx context.Context, username, password string) error {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := c.loginLocked(ctx, username, password); err != nil {
		return err
	}
	a.username, a.password = username, password
	return nil
}

// loginBody is the JSON of POST /api/tokens (§1.4).
type loginBody struct {
	Username      string `json:"Username"`
	Password      string `json:"Password"`
	ClientVersion int    `json:"ClientVersion"`
}

func (c *Client) loginLocked(ctx context.Context, username, password string) error {
	body, err := json.Marshal(loginBody{
		Username:      username,
		Password:      base64.StdEncoding.EncodeToString([]byte(password)),
		ClientVersion: clientVersion,
	})
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	r := &request{method: http.MethodPost, path: "tokens", body: body, noAuth: true, accept: []int{http.StatusFound}}
	resp, err := c.call(ctx, r, nil)
	if err != nil {
		return fmt.Errorf("login to %s as %s: %w", c.host, username, err)
	}
	if resp.StatusCode == http.StatusFound {
		return fmt.Errorf("login to %s: redirected; the server wants https", c.host)
	}
	return c.adoptAnsweredTokenLocked(resp, "login")
}

// renewLocked exchanges the current Auth token for a new one (PUT /api/tokens).
func (c *Client) renewLocked(ctx context.Context) error {
	body, _ := json.Marshal(map[string]int{"ClientVersion": clientVersion})
	r := &request{method: http.MethodPut, path: "tokens", body: body, noAuth: true,
		header: http.Header{tokenHeader: {c.auth.tok.Raw()}}}
	resp, err := c.call(ctx, r, nil)
	if err != nil {
		return fmt.Errorf("renew token: %w", err)
	}
	return c.adoptAnsweredTokenLocked(resp, "renew")
}

// adoptAnsweredTokenLocked takes the token from an answer's X-COMPS-Token
// header and writes it to the cache file.
func (c *Client) adoptAnsweredTokenLocked(resp *http.Response, what string) error {
	raw := resp.Header.Get(tokenHeader)
	if raw == "" {
		return fmt.Errorf("%s: %w: no %s header in the answer", what, ErrMalformed, tokenHeader)
	}
	t, err := ParseToken(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.auth.tok = t
	if c.auth.cachePath != "" {
		if err := writeTokenCache(c.auth.cachePath, raw); err != nil {
			c.log.Warn("could not cache the token", "err", err)
		}
	}
	return nil
}

// CurrentToken returns the parsed token the client holds, logging in or
// renewing first if it must; the caller must not log its Raw text.
func (c *Client) CurrentToken(ctx context.Context) (*Token, error) {
	if _, err := c.currentToken(ctx); err != nil {
		return nil, err
	}
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	if c.auth.tok == nil {
		return nil, errors.New("no token")
	}
	return c.auth.tok, nil
}

// Logout forgets the token and deletes the token cache file (§1.7).
func (c *Client) Logout() error {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tok = nil
	if a.cachePath == "" {
		return nil
	}
	if err := removeIfExists(a.cachePath); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
