package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// sizeValue is a flag value in humanized bytes: it reads "10GiB", "500MB"
// or "4096" and shows its value the way help should, "10GiB".
type sizeValue struct{ p *int64 }

// String renders the size in binary units without a space ("10GiB").
func (v sizeValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.ReplaceAll(humanize.IBytes(uint64(max(*v.p, 0))), " ", "")
}

// Set parses a humanized size.
func (v sizeValue) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	if n > 1<<62 {
		return fmt.Errorf("size %q is too large", s)
	}
	*v.p = int64(n)
	return nil
}

// Type names the value in help.
func (v sizeValue) Type() string { return "size" }

// parseBytes reads a humanized size ("10GiB", "50MB", "4096").
func parseBytes(s string) (uint64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return n, nil
}

// durationValue is a flag value in Go duration syntax that shows its value
// without zero units: "1h", not "1h0m0s".
type durationValue struct{ p *time.Duration }

// String renders the duration compactly; zero is "0", which help omits.
func (v durationValue) String() string {
	if v.p == nil || *v.p == 0 {
		return "0"
	}
	s := v.p.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Set parses a duration ("30s", "2m", "1h30m").
func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("duration %q: want a number and a unit, e.g. 30s or 2m", s)
	}
	if d < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*v.p = d
	return nil
}

// Type names the value in help.
func (v durationValue) Type() string { return "duration" }
