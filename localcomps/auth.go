package localcomps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// tokenStore holds the static token in memory and the tokens minted by
// login and renewal in the database (as SHA-256 digests, with their user
// and expiry), so that those outlive a restart of the server until they
// expire or are revoked.
type tokenStore struct {
	static string
	user   string
	envs   []string
	db     *sql.DB
	now    func() time.Time
}

// tokenExpiryLayout is field 6 of a token (docs/protocol.md §1.5).
const tokenExpiryLayout = "2006-01-02-15-04-05"

// init sets the static token, minting one when none is given.
func (t *tokenStore) init(db *sql.DB, now func() time.Time, user, static string, envs []string) {
	t.db, t.now = db, now
	t.user = user
	t.envs = envs
	if static == "" {
		static = t.mint("System", user, t.now().UTC().AddDate(systemTokenLifetimeYears, 0, 0))
	}
	t.static = static
}

// mint builds a token of docs/protocol.md §1.5's shape: 15 comma-separated fields,
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

// tokenDigest is how a minted token is kept: never the token itself.
func tokenDigest(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// issue mints an Auth token for user, valid authTokenLifetimeHours, and
// records it.
func (t *tokenStore) issue(ctx context.Context, user string) (string, error) {
	now := t.now().UTC()
	// The expiry travels in whole seconds (field 6); keep the same instant.
	exp := now.Add(authTokenLifetimeHours * time.Hour).Truncate(time.Second)
	tok := t.mint("Auth", user, exp)
	if _, err := t.db.ExecContext(ctx, `INSERT INTO tokens(digest, user, kind, expires, created) VALUES (?, ?, 'Auth', ?, ?)`,
		tokenDigest(tok), user, exp.UnixNano(), now.UnixNano()); err != nil {
		return "", fmt.Errorf("record a new token: %w", err)
	}
	return tok, nil
}

// check returns the user of a valid token, else a 401 apiError.
func (t *tokenStore) check(ctx context.Context, tok string) (string, error) {
	if tok == "" {
		return "", errorf(http.StatusUnauthorized, "missing X-COMPS-Token header")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(t.static)) == 1 {
		return t.user, nil
	}
	var user string
	var expires int64
	digest := tokenDigest(tok)
	err := t.db.QueryRowContext(ctx, `SELECT user, expires FROM tokens WHERE digest = ?`, digest).Scan(&user, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errorf(http.StatusUnauthorized, "invalid or revoked token")
	}
	if err != nil {
		return "", fmt.Errorf("look up a token: %w", err)
	}
	if !t.now().Before(time.Unix(0, expires)) {
		if _, err := t.db.ExecContext(ctx, `DELETE FROM tokens WHERE digest = ?`, digest); err != nil {
			return "", fmt.Errorf("drop an expired token: %w", err)
		}
		return "", errorf(http.StatusUnauthorized, "token expired at %s; log in again", time.Unix(0, expires).UTC().Format(time.RFC3339))
	}
	return user, nil
}

// dropExpired deletes the expired tokens.
func (t *tokenStore) dropExpired(ctx context.Context) error {
	if _, err := t.db.ExecContext(ctx, `DELETE FROM tokens WHERE expires <= ?`, t.now().UnixNano()); err != nil {
		return fmt.Errorf("drop expired tokens: %w", err)
	}
	return nil
}

// RevokeTokens makes every token minted by login or renewal invalid, in
// this server and in the store for later runs, and returns how many there
// were; the static token stays valid.
func (s *Server) RevokeTokens() (int, error) {
	res, err := s.db.ExecContext(context.Background(), `DELETE FROM tokens`)
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	s.log.Info("tokens revoked", "count", n)
	return int(n), nil
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
	tok, err := s.auth.issue(r.Context(), s.opts.User)
	if err != nil {
		return err
	}
	w.Header().Set("X-COMPS-Token", tok)
	s.log.Info("login", "user", s.opts.User)
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// renew handles PUT /api/tokens: a valid token in, a fresh one out.
func (s *Server) renew(w http.ResponseWriter, r *http.Request) error {
	user, err := s.auth.check(r.Context(), r.Header.Get("X-COMPS-Token"))
	if err != nil {
		return err
	}
	tok, err := s.auth.issue(r.Context(), user)
	if err != nil {
		return err
	}
	w.Header().Set("X-COMPS-Token", tok)
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
