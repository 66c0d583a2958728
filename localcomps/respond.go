package localcomps

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/google/uuid"
)

// apiError is an error with the HTTP status it should be answered with.
type apiError struct {
	status    int
	msg       string
	untracked []string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

// errorf builds an apiError with a formatted message.
func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// writeJSON sends v as JSON with an exact Content-Length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body = []byte(`{"ResponseMessage":"internal error: cannot encode answer"}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers err: an apiError with its own status and message,
// a body too large with 413, anything else with 500. It logs the failure.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
	default:
		ae = &apiError{status: http.StatusInternalServerError, msg: "internal error: " + err.Error()}
	}
	corr := uuid.NewString()
	level := s.log.Debug
	if ae.status == http.StatusInternalServerError {
		level = s.log.Error
	}
	level("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.status,
		"error", ae.msg, "correlation_id", corr)
	writeJSON(w, ae.status, wireError{ResponseMessage: ae.msg, CorrelationId: corr, UntrackedIds: ae.untracked})
}

// readJSON decodes a JSON request body into v, reading at most
// Options.MaxJSONBytes: a body announced or found larger is a 413 (the
// rest is never read), malformed JSON a 400.
func (s *Server) readJSON(r *http.Request, v any) error {
	limit := s.opts.MaxJSONBytes
	if r.ContentLength > limit {
		return errorf(http.StatusRequestEntityTooLarge, "JSON body of %d bytes is larger than %d bytes", r.ContentLength, limit)
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit))
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return errorf(http.StatusRequestEntityTooLarge, "JSON body larger than %d bytes", mbe.Limit)
		case errors.Is(err, io.EOF):
			return errorf(http.StatusBadRequest, "empty request body; JSON expected")
		}
		return badBody(err, "malformed JSON body")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, "malformed JSON body: data after the JSON value")
	}
	return nil
}
