package main

import (
	"os"
	"slices"
	"testing"
)

func TestCertHosts(t *testing.T) {
	name, _ := os.Hostname()
	for _, c := range []struct {
		listen string
		extra  []string
	}{
		{"127.0.0.1:8420", nil},
		{"localhost:8420", nil},
		{"[::1]:8420", nil},
		{"10.1.2.3:8420", []string{"10.1.2.3"}},
		{"comps.lan:443", []string{"comps.lan"}},
		{":8420", []string{name}},
		{"0.0.0.0:8420", []string{name}},
	} {
		got := certHosts(c.listen)
		want := append([]string{"localhost", "127.0.0.1", "::1"}, c.extra...)
		if name == "" || name == "localhost" {
			want = slices.DeleteFunc(want, func(h string) bool { return h == "" || h == "localhost" && len(want) > 3 })
		}
		if !slices.Equal(got, want) {
			t.Errorf("certHosts(%q) = %q, want %q", c.listen, got, want)
		}
	}
}
