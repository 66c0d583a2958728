package client_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// tlsServer starts a localcomps over HTTPS with a self-signed certificate
// (whatever COMPSFS_TEST_TLS says) and returns it with the certificate's
// file.
func tlsServer(t *testing.T) (*testServer, string) {
	t.Helper()
	srv := openServer(t, localcomps.Options{})
	rec := &recorder{next: srv}
	hs, caFile := startTLS(t, rec, t.TempDir())
	t.Cleanup(hs.Close)
	return &testServer{srv: srv, hs: hs, rec: rec, caFile: caFile}, caFile
}

// TestTLSSelfSignedTrustedByCAFile: over HTTPS, with the server's
// self-signed certificate given as the CA file, the client logs in, saves
// a work item with a file, reads it, lists and downloads (ranged) outputs.
func TestTLSSelfSignedTrustedByCAFile(t *testing.T) {
	ts, _ := tlsServer(t)
	if !strings.HasPrefix(ts.hs.URL, "https://") {
		t.Fatalf("test server at %s", ts.hs.URL)
	}
	c := ts.login(t, nil)
	ctx := t.Context()
	id := saveOne(t, c, "over tls")
	wi, err := c.GetWorkItem(ctx, id, client.Query{Children: []string{"Files"}})
	if err != nil || wi.Name != "over tls" || len(wi.Files) != 1 {
		t.Fatalf("work item %+v %v", wi, err)
	}
	if got, err := download(t, c, wi.Files[0].URI, 2, 10); err != nil || len(got) != 10 {
		t.Fatalf("ranged download over TLS: %q %v", got, err)
	}
	w := seedWorld(t, ts.srv)
	outs, err := c.OutputFiles(ctx, client.KindWorkItem, w.workItem)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := download(t, c, findOutput(t, outs, "StdOut.txt").URL, 0, -1); err != nil || string(got) != string(w.stdout) {
		t.Fatalf("download over TLS: %q %v", got, err)
	}
	if !strings.HasPrefix(findOutput(t, outs, "StdOut.txt").URL, "https://") {
		t.Fatalf("download URLs over TLS must be https: %s", findOutput(t, outs, "StdOut.txt").URL)
	}
}

// TestTLSWrongCA: a client trusting another CA, or only the system's, is
// refused with a CertificateError that says to pass --ca-file; a CA file
// without a certificate is refused when the client is made.
func TestTLSWrongCA(t *testing.T) {
	ts, _ := tlsServer(t)
	_, otherCA := tlsServer(t) // another self-signed certificate
	for _, caFile := range []string{otherCA, ""} {
		c := ts.newClient(t, func(o *client.Options) { o.CAFile = caFile; o.MaxAttempts = 1 })
		err := c.Login(t.Context(), testUser, testPassword)
		var ce *client.CertificateError
		if !errors.As(err, &ce) {
			t.Fatalf("CA file %q: %v, want a CertificateError", caFile, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "certificate signed by unknown authority") || !strings.Contains(msg, "pass --ca-file") {
			t.Fatalf("CA file %q: message %q does not say what to do", caFile, msg)
		}
		if caFile != "" && !strings.Contains(msg, caFile) {
			t.Fatalf("message %q does not name the CA file", msg)
		}
		t.Logf("CA file %q: %v", caFile, err)
	}
	bad := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(bad, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(client.Options{Server: ts.hs.URL, CAFile: bad}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("CA file without a certificate: %v", err)
	}
}
