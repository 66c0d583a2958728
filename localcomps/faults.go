package localcomps

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// SetFaults changes fault injection at run time and reseeds the random
// draws from f.Seed.
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	seed := uint64(f.Seed)
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// drawFaults returns the current faults and whether this request fails
// outright and whether its body is cut.
func (s *Server) drawFaults() (f Faults, fail, reset bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	f = s.faults
	if f.FailRate > 0 {
		fail = s.rng.Float64() < f.FailRate
	}
	if f.ResetRate > 0 {
		reset = s.rng.Float64() < f.ResetRate
	}
	return f, fail, reset
}

// cutWriter lets about half of a 2xx body through, announced with its full
// Content-Length, then aborts the connection.
type cutWriter struct {
	http.ResponseWriter
	limit   int64 // bytes still allowed; -1 = no cut
	started bool
	onCut   func()
}

func (c *cutWriter) WriteHeader(status int) {
	if !c.started {
		c.started = true
		c.limit = -1
		if status >= 200 && status < 300 {
			if n, err := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64); err == nil && n > 1 {
				c.limit = n / 2
			}
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.limit < 0 {
		return c.ResponseWriter.Write(p)
	}
	if int64(len(p)) < c.limit {
		n, err := c.ResponseWriter.Write(p)
		c.limit -= int64(n)
		return n, err
	}
	_, _ = c.ResponseWriter.Write(p[:c.limit])
	_ = http.NewResponseController(c.ResponseWriter).Flush()
	c.onCut()
	// Deliberate: the standard server treats this panic as "abort the
	// connection" and does not log it.
	panic(http.ErrAbortHandler)
}

func (c *cutWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// throttledWriter limits body writes to rate bytes per second.
type throttledWriter struct {
	http.ResponseWriter
	rate  int64
	start time.Time
	sent  int64
	done  <-chan struct{}
}

func (t *throttledWriter) Write(p []byte) (int, error) {
	if t.start.IsZero() {
		t.start = time.Now()
	}
	total := 0
	for len(p) > 0 {
		chunk := min(len(p), 16<<10)
		n, err := t.ResponseWriter.Write(p[:chunk])
		total += n
		t.sent += int64(n)
		if err != nil {
			return total, err
		}
		p = p[chunk:]
		due := t.start.Add(time.Duration(float64(t.sent) / float64(t.rate) * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			_ = http.NewResponseController(t.ResponseWriter).Flush()
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-t.done:
				timer.Stop()
				return total, http.ErrHandlerTimeout
			}
		}
	}
	return total, nil
}

func (t *throttledWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// statusWriter remembers the status of the answer for logs and counters.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom lets a file body reach the connection with sendfile when
// nothing in between needs its bytes (no fault injection).
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *statusWriter) Flush() {
	if fl, ok := w.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
