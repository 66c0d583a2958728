package client

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenType is the second field of a COMPS token (§1.5).
type TokenType string

// The token types the client knows: Auth tokens are renewed, System ones not.
const (
	TokenAuth   TokenType = "Auth"
	TokenSystem TokenType = "System"
)

// tokenExpiryLayout is the expiry field's format, UTC.
const tokenExpiryLayout = "2006-01-02-15-04-05"

// renewMargin is how long before expiry an Auth token is renewed (§1.6).
const renewMargin = 120 * time.Minute

// Token is a parsed COMPS token. The raw text is only ever sent in the
// X-COMPS-Token header; String redacts it so that it cannot reach a log.
type Token struct {
	raw          string
	Type         TokenType
	User         string
	Expiry       time.Time
	Groups       []string
	Environments []string
}

// ErrInvalidToken is returned for a token that does not parse (§1.5).
var ErrInvalidToken = errors.New("invalid auth token")

// ParseToken reads the fields of §1.5 out of a token: type [1], user [2],
// expiry [6], groups [12] and environments [13] of its comma-separated fields.
func ParseToken(raw string) (*Token, error) {
	raw = strings.TrimSpace(raw)
	f := strings.SplitN(raw, ",", 16)
	if len(f) < 7 {
		return nil, fmt.Errorf("%w: %d fields", ErrInvalidToken, len(f))
	}
	t := &Token{raw: raw, Type: TokenType(f[1]), User: f[2]}
	if t.Type != TokenAuth && t.Type != TokenSystem {
		return nil, fmt.Errorf("%w: type %q", ErrInvalidToken, f[1])
	}
	exp, err := time.Parse(tokenExpiryLayout, f[6])
	if err != nil {
		return nil, fmt.Errorf("%w: expiry: %v", ErrInvalidToken, err)
	}
	t.Expiry = exp.UTC()
	if len(f) > 12 && f[12] != "" {
		t.Groups = strings.Split(f[12], "-")
	}
	if len(f) > 13 && f[13] != "" {
		t.Environments = strings.Split(f[13], "-")
	}
	return t, nil
}

// Raw is the token's text, for the X-COMPS-Token header and the cache file.
func (t *Token) Raw() string { return t.raw }

// String describes the token without revealing it.
func (t *Token) String() string {
	return fmt.Sprintf("%s token of %s, expires %s", t.Type, t.User, t.Expiry.Format(time.RFC3339))
}

// RenewAt is when the client renews the token: two hours before expiry for
// Auth tokens, at expiry for System tokens, which cannot be renewed (§1.6).
func (t *Token) RenewAt() time.Time {
	if t.Type == TokenAuth {
		return t.Expiry.Add(-renewMargin)
	}
	return t.Expiry
}
