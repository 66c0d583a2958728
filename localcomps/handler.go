package localcomps

import (
	"net/http"
	"time"
)

// Patterns that need no token, and the chunk upload, whose body is bounded
// by its Content-Range rather than by Options.MaxRequestBytes.
const (
	patternLogin       = "POST /api/tokens"
	patternRenew       = "PUT /api/tokens"
	patternUploadChunk = "POST /api/upload/{md5}"
)

// ServeHTTP answers one request of the COMPS protocol: fault injection
// first, then the request size limit, authentication and routing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	f, fail, reset := s.drawFaults()
	sw := &statusWriter{ResponseWriter: w}
	var out http.ResponseWriter = sw
	if f.Bandwidth > 0 {
		out = &throttledWriter{ResponseWriter: out, rate: f.Bandwidth, done: r.Context().Done()}
	}
	if reset {
		out = &cutWriter{ResponseWriter: out, onCut: func() { s.stats.injected.Add(1) }}
	}
	_, pattern := s.mux.Handler(r)
	key := pattern
	if key == "" {
		key = r.Method + " (unmatched)"
	}
	s.stats.request(key)
	defer func() {
		if sw.status >= 400 {
			s.stats.errors.Add(1)
		}
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "route", key,
			"status", sw.status, "duration", time.Since(start))
	}()

	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fail {
		s.stats.injected.Add(1)
		s.writeError(out, r, errorf(http.StatusServiceUnavailable, "injected failure"))
		return
	}
	if pattern != patternUploadChunk {
		if r.ContentLength > s.opts.MaxRequestBytes {
			s.writeError(out, r, errorf(http.StatusRequestEntityTooLarge,
				"request body of %d bytes is larger than %d bytes", r.ContentLength, s.opts.MaxRequestBytes))
			return
		}
		r.Body = http.MaxBytesReader(out, r.Body, s.opts.MaxRequestBytes)
	}

	if pattern != patternLogin && pattern != patternRenew {
		user, err := s.auth.check(r.Context(), r.Header.Get("X-COMPS-Token"))
		if err != nil {
			s.writeError(out, r, err)
			return
		}
		r = r.WithContext(withUser(r.Context(), user))
	}
	if pattern == "" {
		s.unmatched(out, r)
		return
	}
	s.mux.ServeHTTP(out, r)
}

// unmatched answers a request no route takes: 405 when the path exists
// for other methods, else 404, both with the JSON error body.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if loc := rec.header.Get("Location"); loc != "" {
			w.Header().Set("Location", loc)
		}
		s.writeError(w, r, errorf(rec.status, "use the canonical path"))
	default:
		s.writeError(w, r, errorf(http.StatusNotFound, "no such resource: %s %s", r.Method, r.URL.Path))
	}
}

// headerRecorder captures the status and headers a handler writes.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(p), nil
}

func (h *headerRecorder) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}
