package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Sentinel errors that an *Error matches with errors.Is, by status.
var (
	ErrBadRequest   = errors.New("bad request")  // 400 (and other 4xx without a sentinel of their own)
	ErrUnauthorized = errors.New("unauthorized") // 401
	ErrForbidden    = errors.New("forbidden")    // 403
	ErrNotFound     = errors.New("not found")    // 404
	ErrServer       = errors.New("server error") // 5xx
	ErrMalformed    = errors.New("malformed answer")
)

// Error is a COMPS answer with an error status (§11). It carries the request
// (its URL without any token) and the server's ResponseMessage, and matches
// the sentinels above with errors.Is.
type Error struct {
	Method        string
	URL           string // the request URL; the token never appears in it
	StatusCode    int
	Message       string   // the server's ResponseMessage, if any
	CorrelationID string   // the server's CorrelationId, if any
	UntrackedIDs  []string // §3.3: md5s (UUID form) the server does not hold
}

// Error formats the failure the way pyCOMPS does: "<status> <reason> -
// <message> (CorrelationId = <id>)", after the request.
func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += " - " + e.Message
	}
	if e.CorrelationID != "" {
		s += " (CorrelationId = " + e.CorrelationID + ")"
	}
	return s
}

// Is matches the sentinel of the error's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrServer:
		return e.StatusCode >= 500
	case ErrBadRequest:
		return e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusUnauthorized &&
			e.StatusCode != http.StatusForbidden && e.StatusCode != http.StatusNotFound
	}
	return false
}

// errorBody is the JSON error answer of §11 (plus UntrackedIds of §3.3).
type errorBody struct {
	ResponseMessage string   `json:"ResponseMessage"`
	CorrelationID   string   `json:"CorrelationId"`
	UntrackedIDs    []string `json:"UntrackedIds"`
}

// newError builds the Error of a failed answer from its status and body.
func newError(method string, u *url.URL, status int, body []byte) *Error {
	e := &Error{Method: method, URL: sanitizeURL(u), StatusCode: status}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Message, e.CorrelationID, e.UntrackedIDs = b.ResponseMessage, b.CorrelationID, b.UntrackedIDs
	}
	return e
}

// sanitizeURL renders a request URL for messages and logs: no user info and no
// query parameter that looks like a credential.
func sanitizeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	q := c.Query()
	for k := range q {
		switch k {
		case "token", "Token", "X-COMPS-Token", "password", "Password":
			q.Set(k, "REDACTED")
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}
