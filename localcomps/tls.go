package localcomps

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// selfSignedLifetime is how long a self-signed certificate is valid;
// selfSignedRenewBefore is how close to its end one is replaced.
const (
	selfSignedLifetime    = 365 * 24 * time.Hour
	selfSignedRenewBefore = 30 * 24 * time.Hour
)

// SelfSignedCertificate makes a TLS server certificate for hosts (names or
// IP addresses) that is its own certificate authority, so that a client
// can trust exactly it (compsfs mount --ca-file). It returns the
// certificate and its ECDSA P-256 key, PEM-encoded.
func SelfSignedCertificate(hosts []string) (certPEM, keyPEM []byte, err error) {
	if len(hosts) == 0 {
		return nil, nil, errors.New("self-signed certificate: no host names")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"compsfs local COMPS"}, CommonName: hosts[0]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// EnsureSelfSigned makes sure certFile and keyFile hold a self-signed
// certificate for hosts: an existing pair that covers every host and is
// valid for more than 30 more days is kept (clients that trust it go on
// trusting it), anything else is replaced. The key is written 0600, the
// certificate 0644 (it is public: clients read it). made reports a new
// certificate.
func EnsureSelfSigned(certFile, keyFile string, hosts []string) (made bool, err error) {
	if usableCertificate(certFile, keyFile, hosts) {
		return false, nil
	}
	certPEM, keyPEM, err := SelfSignedCertificate(hosts)
	if err != nil {
		return false, err
	}
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return false, err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return false, err
	}
	return true, nil
}

// usableCertificate reports whether the pair loads, covers hosts and stays
// valid long enough.
func usableCertificate(certFile, keyFile string, hosts []string) bool {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil || len(pair.Certificate) == 0 {
		return false
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || time.Until(cert.NotAfter) < selfSignedRenewBefore {
		return false
	}
	for _, h := range hosts {
		if cert.VerifyHostname(h) != nil {
			return false
		}
	}
	return slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
}

// writeFileAtomic writes data to path with mode perm through a temporary
// file and a rename.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
