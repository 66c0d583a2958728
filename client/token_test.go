package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeToken builds a token in the shape of §1.5.
func makeToken(typ, user string, expiry time.Time) string {
	f := make([]string, 15)
	f[0], f[1], f[2], f[6], f[12], f[13] = "abc123", typ, user, expiry.UTC().Format(tokenExpiryLayout), "g1-g2", "Local-Belegost"
	return strings.Join(f, ",")
}

func TestParseToken(t *testing.T) {
	exp := time.Date(2026, 11, 25, 14, 3, 59, 0, time.UTC)
	tok, err := ParseToken(makeToken("Auth", "jdoe", exp))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Type != TokenAuth || tok.User != "jdoe" || !tok.Expiry.Equal(exp) {
		t.Fatalf("parsed %+v", tok)
	}
	if strings.Join(tok.Groups, "|") != "g1|g2" || strings.Join(tok.Environments, "|") != "Local|Belegost" {
		t.Fatalf("groups %v envs %v", tok.Groups, tok.Environments)
	}
	if !tok.RenewAt().Equal(exp.Add(-2 * time.Hour)) {
		t.Fatalf("renew at %v", tok.RenewAt())
	}
	sys, _ := ParseToken(makeToken("System", "svc", exp))
	if !sys.RenewAt().Equal(exp) {
		t.Fatalf("system token renews at %v, want expiry", sys.RenewAt())
	}
	if strings.Contains(tok.String(), "abc123") {
		t.Fatal("String reveals the token")
	}
	for _, bad := range []string{"", "a,b,c", makeToken("Other", "u", exp), "x,Auth,u,,,,2026-13-01-00-00-00"} {
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) must fail", bad)
		}
	}
}

func TestTokenCachePath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	got := TokenCachePath("", "https://comps.idmod.org", "jdoe")
	if want := filepath.Join(dir, "COMPS_Authtoken_https___comps.idmod.org_jdoe.txt"); got != want {
		t.Fatalf("path %q, want %q", got, want)
	}
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "missing"))
	if got := TokenCachePath("", "http://h:1", "u"); filepath.Dir(got) != os.TempDir() {
		t.Fatalf("without a runtime dir the cache goes to the temp dir, got %q", got)
	}
}

func TestTokenCacheFileIsPrivateAndHasNoNewline(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tok.txt")
	if err := writeTokenCache(p, "a,Auth,u"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "a,Auth,u" {
		t.Fatalf("content %q", b)
	}
	got, err := readTokenCache(p)
	if err != nil || got != "a,Auth,u" {
		t.Fatalf("read back %q, %v", got, err)
	}
}
