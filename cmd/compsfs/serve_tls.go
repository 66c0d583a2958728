package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/compsfs/compsfs/localcomps"
)

// selfSignedFiles makes sure a self-signed certificate for the listen
// address (and localhost) is beside the token file, as localcomps.crt
// with its key localcomps.key (0600), and returns their paths. A valid one
// from an earlier run is kept, so clients that trust it go on trusting it.
func selfSignedFiles(tokenFile, listen string) (certFile, keyFile string, err error) {
	dir := filepath.Dir(tokenFile)
	certFile, keyFile = filepath.Join(dir, "localcomps.crt"), filepath.Join(dir, "localcomps.key")
	if _, err := localcomps.EnsureSelfSigned(certFile, keyFile, certHosts(listen)); err != nil {
		return "", "", fmt.Errorf("self-signed certificate: %w", err)
	}
	return certFile, keyFile, nil
}

// certHosts are the names a self-signed certificate covers: the listen
// host (or, for every address, this machine's name), localhost and the
// loopback addresses.
func certHosts(listen string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	ip := net.ParseIP(host)
	switch {
	case host == "" || ip != nil && ip.IsUnspecified():
		if name, err := os.Hostname(); err == nil && name != "" && name != "localhost" {
			hosts = append(hosts, name)
		}
	case host != "localhost" && (ip == nil || !ip.IsLoopback()):
		hosts = append(hosts, host)
	}
	return hosts
}

// loadTLS is the server's TLS configuration with the certificate and key.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}
