package client

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// hostPattern is the host string form of §1.1: optional scheme, a host made of
// letters, digits, '_', '.', '-', an optional port, and no path.
var hostPattern = regexp.MustCompile(`^(?:(https?)://)?([A-Za-z0-9_.\-]+)(?::(\d{1,5}))?/?$`)

// NormalizeHost turns a host string ("host", "host:port", "http://host:port",
// ...) into the canonical "scheme://host[:port]" of §1.1: https by default, no
// trailing slash, and the scheme's default port dropped.
func NormalizeHost(s string) (string, error) {
	m := hostPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", fmt.Errorf("invalid COMPS host %q: want host, host:port or http(s)://host[:port] with no path", s)
	}
	scheme, host, port := m[1], m[2], m[3]
	if scheme == "" {
		scheme = "https"
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// endpointURL builds the URL of a protocol path (§1.2): "/api" is put in front
// of every path except those of the asset service, which start with "asset/".
func endpointURL(host, path string) string {
	path = strings.TrimPrefix(path, "/")
	if strings.HasPrefix(path, "asset/") {
		return host + "/" + path
	}
	return host + "/api/" + path
}

// assetURL re-roots a download URL sent by the server on the client's own host:
// only the part from the first "/asset/" on is kept (§1.2), so all traffic goes
// to the logged-in host. A URL without "/asset/" is an error.
func assetURL(host, serverURL string) (string, error) {
	i := strings.Index(serverURL, "/asset/")
	if i < 0 {
		return "", fmt.Errorf("download URL %q has no /asset/ part", serverURL)
	}
	rest := serverURL[i:]
	if _, err := url.Parse(host + rest); err != nil {
		return "", fmt.Errorf("download URL %q: %w", serverURL, err)
	}
	return host + rest, nil
}
