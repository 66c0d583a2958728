package client

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Time is a date as COMPS sends it (§2.4). It decodes any RFC 3339 form (and
// the .NET form without a zone, taken as UTC) and encodes the server's own
// form: UTC with exactly seven fractional digits and a trailing Z, which is
// what pyCOMPS needs to parse it.
type Time struct{ time.Time }

// wireTimeLayout is the .NET round-trip form with seven fractional digits.
const wireTimeLayout = "2006-01-02T15:04:05.0000000Z"

// FormatWireTime renders t the way a COMPS server sends dates.
func FormatWireTime(t time.Time) string { return t.UTC().Format(wireTimeLayout) }

// MarshalJSON encodes the time in the wire form; the zero time is null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + FormatWireTime(t.Time) + `"`), nil
}

// UnmarshalJSON accepts RFC 3339 with any fraction, or the same without a zone
// (UTC assumed); null and "" leave the time zero.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("date %s: not a string", b)
	}
	s = string(b[1 : len(b)-1])
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	parsed, err := ParseWireTime(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// ParseWireTime parses a COMPS date: RFC 3339 with any number of fractional
// digits, or the same without zone (taken as UTC). The result is in UTC.
func ParseWireTime(s string) (time.Time, error) {
	if p, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return p.UTC(), nil
	}
	if !strings.ContainsAny(s[min(len(s), 10):], "Z+-") {
		if p, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
			return p.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q: want RFC 3339", s)
}
