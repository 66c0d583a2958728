package localcomps

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// tokenInfo is what the server knows about a token it accepts.
type tokenInfo struct {
	user    string
	expires time.Time
}

// tokenStore holds the static token and the tokens minted by login.
type tokenStore struct {
	static string
	user   string
	envs   []string

	mu     sync.Mutex
	minted map[string]tokenInfo
}

// tokenExpiryLayout is field 6 of a token (protocol §1.5).
const tokenExpiryLayout = "2006-01-02-15-04-05"

// init sets the static token, minting one when none is given.
func (t *tokenStore) init(user, static string, envs []string) {
	t.user = user
	t.envs = envs
	t.minted = map[string]tokenInfo{}
	if static == "" {
		static = t.mint("System", user, time.Now().UTC().AddDate(systemTokenLifetimeYears, 0, 0))
	}
	t.static = static
}

// mint builds a token of protocol §1.5's shape: 15 comma-separated fields,
// [0] random hex, [1] type, [2] user, [6] expiry, [12] groups, [13]
// environments; the others empty.
func (t *tokenStore) mint(kind, user string, expires time.Time) string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	f := make([]string, 15)
	f[0] = hex.EncodeToString(b[:])
	f[1] = kind
	f[2] = user
	f[6] = expires.UTC().Format(tokenExpiryLayout)
	f[12] = tokenGroup
	f[13] = strings.Join(t.envs, "-")
	return strings.Join(f, ",")
}

// issue mints a 24-hour Auth token for user and remembers it.
func (t *tokenStore) issue(user string) string {
	exp := time.Now().UTC().Add(authTokenLifetimeHours * time.Hour)
	tok := t.mint("Auth", user, exp)
	t.mu.Lock()
	t.minted[tok] = tokenInfo{user: user, expires: exp}
	t.mu.Unlock()
	return tok
}

// check returns the user of a valid token, else a 401 apiError.
func (t *tokenStore) check(tok string) (string, error) {
	if tok == "" {
		return "", errorf(http.StatusUnauthorized, "missing X-COMPS-Token header")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(t.static)) == 1 {
		return t.user, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	info, ok := t.minted[tok]
	if !ok {
		return "", errorf(http.StatusUnauthorized, "invalid or revoked token")
	}
	if time.Now().After(info.expires) {
		delete(t.minted, tok)
		return "", errorf(http.StatusUnauthorized, "token expired")
	}
	return info.user, nil
}

// RevokeTokens makes every token minted by login or renewal invalid; the
// static token stays valid.
func (s *Server) RevokeTokens() {
	s.auth.mu.Lock()
	s.auth.minted = map[string]tokenInfo{}
	s.auth.mu.Unlock()
}

// userKey is the context key of the authenticated user name.
type userKey struct{}

func withUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// userOf returns the authenticated user of a request context.
func userOf(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// login handles POST /api/tokens: user name and base64 password in,
// a new token out in the X-COMPS-Token response header.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req wireLogin
	if err := s.readJSON(r, &req); err != nil {
		return err
	}
	pw, err := base64.StdEncoding.DecodeString(req.Password)
	if err != nil {
		return errorf(http.StatusUnauthorized, "bad user name or password")
	}
	userOK := subtle.ConstantTimeCompare([]byte(strings.TrimSpace(req.Username)), []byte(s.opts.User)) == 1
	pwOK := subtle.ConstantTimeCompare(pw, []byte(s.opts.Password)) == 1
	if s.opts.Password == "" || !userOK || !pwOK {
		return errorf(http.StatusUnauthorized, "bad user name or password")
	}
	w.Header().Set("X-COMPS-Token", s.auth.issue(s.opts.User))
	s.log.Info("login", "user", s.opts.User)
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// renew handles PUT /api/tokens: a valid token in, a fresh one out.
func (s *Server) renew(w http.ResponseWriter, r *http.Request) error {
	user, err := s.auth.check(r.Header.Get("X-COMPS-Token"))
	if err != nil {
		return err
	}
	w.Header().Set("X-COMPS-Token", s.auth.issue(user))
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
