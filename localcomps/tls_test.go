package localcomps

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestEnsureSelfSigned: a certificate is made once, kept while it covers
// the hosts, replaced when the hosts change; the key is private; a client
// trusting the certificate reaches a server using it over HTTPS, one
// trusting nothing is refused.
func TestEnsureSelfSigned(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "localcomps.crt"), filepath.Join(dir, "localcomps.key")
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for i, want := range []bool{true, false} {
		made, err := EnsureSelfSigned(certFile, keyFile, hosts)
		if err != nil || made != want {
			t.Fatalf("call %d: made %v, want %v (%v)", i, made, want, err)
		}
	}
	first, _ := os.ReadFile(certFile)
	if made, err := EnsureSelfSigned(certFile, keyFile, append(hosts, "build.example.org")); err != nil || !made {
		t.Fatalf("new host: made %v, %v", made, err)
	}
	if second, _ := os.ReadFile(certFile); string(second) == string(first) {
		t.Fatal("certificate not replaced for a new host")
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v)", fi.Mode().Perm(), err)
	}

	e := newEnv(t, nil)
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(e.s)
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	hs.StartTLS()
	defer hs.Close()
	pem, _ := os.ReadFile(certFile)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("certificate does not parse")
	}
	get := func(roots *x509.CertPool) (*http.Response, error) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
		req, _ := http.NewRequest("GET", hs.URL+"/api/WorkItems?count=1", nil)
		req.Header.Set("X-COMPS-Token", e.tok)
		return c.Do(req)
	}
	resp, err := get(pool)
	if err != nil {
		t.Fatalf("HTTPS with the certificate trusted: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := get(x509.NewCertPool()); err == nil {
		t.Fatal("a client trusting nothing was served")
	}
}
