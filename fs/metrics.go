package fs

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// MetricsHandler serves the counters stats returns as Prometheus metrics,
// in the text exposition format (version 0.0.4), for compsfs mount
// --metrics-addr (docs/service.md).
func MetricsHandler(stats func() Stats) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = WriteMetrics(w, stats())
	})
}

// inboxCounters are the inbox figures of Stats that only grow, with their
// metric's name and help; the other figures count the spool's entries by
// state.
var inboxCounters = map[string]struct{ name, help string }{
	"save_calls": {"compsfs_inbox_save_calls_total", "Save requests the inbox sent."},
	"adopted":    {"compsfs_inbox_adopted_total", "Submissions found on the server by their tag after a lost answer."},
}

// WriteMetrics writes s in the Prometheus text exposition format: the same
// figures as .stats (docs/tree.md), named compsfs_*.
func WriteMetrics(w io.Writer, s Stats) error {
	m := metricWriter{w: bufio.NewWriter(w)}
	m.family("compsfs_requests_total", "counter", "Requests sent to the COMPS server (retries included), by method and endpoint.")
	for _, k := range slices.Sorted(maps.Keys(s.Requests)) {
		method, endpoint, _ := strings.Cut(k, " ")
		m.sample("compsfs_requests_total", s.Requests[k], "method", method, "endpoint", endpoint)
	}
	m.family("compsfs_errors_total", "counter", "Filesystem calls answered with an error.")
	m.sample("compsfs_errors_total", s.Errors)
	if c := s.Content; c != nil {
		for _, f := range []struct {
			name, typ, help string
			v               int64
		}{
			{"compsfs_content_cache_hits_total", "counter", "Chunk reads served from the output-file cache.", c.Hits},
			{"compsfs_content_cache_misses_total", "counter", "Chunk reads that waited for a download.", c.Misses},
			{"compsfs_content_cache_fetched_bytes_total", "counter", "Bytes downloaded into the output-file cache.", c.BytesFetched},
			{"compsfs_content_cache_evictions_total", "counter", "Chunks removed to stay within the cache's bound.", c.Evictions},
			{"compsfs_content_cache_verify_failures_total", "counter", "Files whose bytes did not match their md5.", c.VerifyFailures},
			{"compsfs_content_cache_disk_bytes", "gauge", "Bytes of the output-file cache on disk.", c.BytesOnDisk},
		} {
			m.family(f.name, f.typ, f.help)
			m.sample(f.name, f.v)
		}
	}
	for _, kind := range []string{"hits", "misses"} {
		name := "compsfs_metadata_cache_" + kind + "_total"
		m.family(name, "counter", "Metadata cache "+kind+", by cache.")
		for _, k := range slices.Sorted(maps.Keys(s.Metadata)) {
			if cache, ok := strings.CutSuffix(k, "_"+kind); ok {
				m.sample(name, s.Metadata[k], "cache", cache)
			}
		}
	}
	m.family("compsfs_inbox_entries", "gauge", "Entries of the inbox's spool, by state.")
	for _, k := range slices.Sorted(maps.Keys(s.Inbox)) {
		if _, counter := inboxCounters[k]; !counter {
			m.sample("compsfs_inbox_entries", s.Inbox[k], "state", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(inboxCounters)) {
		if v, ok := s.Inbox[k]; ok {
			c := inboxCounters[k]
			m.family(c.name, "counter", c.help)
			m.sample(c.name, v)
		}
	}
	return m.flush()
}

// metricWriter writes exposition lines, remembering the first write error.
type metricWriter struct {
	w   *bufio.Writer
	err error
}

// family writes the HELP and TYPE lines of a metric.
func (m *metricWriter) family(name, typ, help string) {
	m.printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// sample writes one value with its labels, given as name, value pairs.
func (m *metricWriter) sample(name string, v int64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		fmt.Fprintf(&b, "%s%s=\"%s\"", sep, labels[i], escapeLabel(labels[i+1]))
	}
	if len(labels) > 0 {
		b.WriteByte('}')
	}
	m.printf("%s %d\n", b.String(), v)
}

func (m *metricWriter) printf(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

func (m *metricWriter) flush() error {
	if m.err != nil {
		return fmt.Errorf("metrics: %w", m.err)
	}
	if err := m.w.Flush(); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// escapeLabel escapes a label value: backslash, double quote and newline.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
