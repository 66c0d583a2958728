package main

import (
	"os"
	"slices"
	"testing"
)

func TestCertHosts(t *testing.T) {
	var name []string // this machine's name, when it has a usable one
	if n, err := os.Hostname(); err == nil && n != "" && n != "localhost" {
		name = []string{n}
	}
	for _, c := range []struct {
		listen string
		extra  []string
	}{
		{"127.0.0.1:8420", nil},
		{"localhost:8420", nil},
		{"[::1]:8420", nil},
		{"10.1.2.3:8420", []string{"10.1.2.3"}},
		{"comps.lan:443", []string{"comps.lan"}},
		{":8420", name},
		{"0.0.0.0:8420", name},
	} {
		got := certHosts(c.listen)
		want := append([]string{"localhost", "127.0.0.1", "::1"}, c.extra...)
		if !slices.Equal(got, want) {
			t.Errorf("certHosts(%q) = %q, want %q", c.listen, got, want)
		}
	}
}
