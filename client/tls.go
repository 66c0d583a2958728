package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// CertificateError is a server certificate the client does not trust: signed
// by an authority it does not know, or not valid for the host. The client
// always verifies certificates; a private CA is trusted with Options.CAFile
// (compsfs mount --ca-file).
type CertificateError struct {
	Host   string // the server's host
	CAFile string // the CA file in use, "" for the system's authorities
	Err    error  // the verification failure
}

// Error says what failed and what to do about it.
func (e *CertificateError) Error() string {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(e.Err, &unknown) && e.CAFile == "":
		return fmt.Sprintf("TLS certificate of %s not trusted: certificate signed by unknown authority: pass --ca-file "+
			"with the certificate of the CA that signed it (for compsfs serve --tls-self-signed, the certificate it wrote)", e.Host)
	case errors.As(e.Err, &unknown):
		return fmt.Sprintf("TLS certificate of %s not trusted: certificate signed by unknown authority, not by the CA in %s "+
			"nor by a system one: pass --ca-file with the CA that signed it", e.Host, e.CAFile)
	case errors.As(e.Err, &hostErr):
		return fmt.Sprintf("TLS certificate of %s not trusted: %v: use the host name the certificate names", e.Host, e.Err)
	}
	return fmt.Sprintf("TLS certificate of %s not trusted: %v", e.Host, e.Err)
}

// Unwrap returns the verification failure.
func (e *CertificateError) Unwrap() error { return e.Err }

// certPool is the system's authorities plus those of the PEM file caFile.
func certPool(caFile string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
	}
	return pool, nil
}

// certCheckingTransport turns certificate verification failures into
// CertificateErrors that say what to do.
type certCheckingTransport struct {
	next   http.RoundTripper
	caFile string
}

// RoundTrip sends the request, explaining a certificate failure.
func (t *certCheckingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		var unknown x509.UnknownAuthorityError
		var hostErr x509.HostnameError
		var invalid x509.CertificateInvalidError
		var verify *tls.CertificateVerificationError
		if errors.As(err, &unknown) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verify) {
			return nil, &CertificateError{Host: r.URL.Host, CAFile: t.caFile, Err: err}
		}
	}
	return resp, err
}

// newTransport is the client's default transport, trusting caFile's
// authorities besides the system's when caFile is set.
func newTransport(caFile string) (http.RoundTripper, error) {
	t := defaultTransport()
	if caFile != "" {
		pool, err := certPool(caFile)
		if err != nil {
			return nil, err
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &certCheckingTransport{next: t, caFile: caFile}, nil
}
