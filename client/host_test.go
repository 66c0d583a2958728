package client

import "testing"

func TestNormalizeHost(t *testing.T) {
	cases := []struct{ in, want string }{
		{"comps.idmod.org", "https://comps.idmod.org"},
		{"comps.idmod.org:443", "https://comps.idmod.org"},
		{"https://comps.idmod.org/", "https://comps.idmod.org"},
		{"http://localhost:80", "http://localhost"},
		{"http://127.0.0.1:8420", "http://127.0.0.1:8420"},
		{"comps2_dev.idmod.org:8080", "https://comps2_dev.idmod.org:8080"},
	}
	for _, c := range cases {
		got, err := NormalizeHost(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "https://host/path", "host name", "https://"} {
		if got, err := NormalizeHost(bad); err == nil {
			t.Errorf("NormalizeHost(%q) = %q, want an error", bad, got)
		}
	}
}

func TestEndpointURL(t *testing.T) {
	h := "https://comps.idmod.org"
	cases := map[string]string{
		"WorkItems/abc":            h + "/api/WorkItems/abc",
		"/tokens":                  h + "/api/tokens",
		"asset/WorkItems/x/Output": h + "/asset/WorkItems/x/Output",
		"/asset/WorkItems/x":       h + "/asset/WorkItems/x",
	}
	for in, want := range cases {
		if got := endpointURL(h, in); got != want {
			t.Errorf("endpointURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAssetURL(t *testing.T) {
	got, err := assetURL("http://127.0.0.1:9", "https://elsewhere.example:444/x/asset/WorkItems/1/Output/a%20b.txt?x=1")
	if err != nil || got != "http://127.0.0.1:9/asset/WorkItems/1/Output/a%20b.txt?x=1" {
		t.Fatalf("assetURL = %q, %v", got, err)
	}
	if _, err := assetURL("http://h", "https://h/api/WorkItems/1"); err == nil {
		t.Fatal("a URL without /asset/ must be refused")
	}
}
