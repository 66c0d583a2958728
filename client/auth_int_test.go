package client_test

// Integration tests of authentication: re-login after a 401, the shared
// token cache file, and renewal before expiry, against a real localcomps.

import (
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/localcomps"
)

// readCache returns the token cache file's content, failing unless its
// mode is 0600.
func readCache(t *testing.T, path string) string {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token cache: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token cache mode %v, want 0600", st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReloginAfter401(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	dir := t.TempDir()
	c := ts.login(t, func(o *client.Options) { o.TokenCacheDir = dir })
	ctx := t.Context()
	path := client.TokenCachePath(dir, c.Host(), "")
	tok1 := readCache(t, path)
	if cur, err := c.CurrentToken(ctx); err != nil || cur.Raw() != tok1 {
		t.Fatalf("the cache file does not hold the login's token (%v)", err)
	}
	// Loosen the file's mode so that the rewrite has to restore it.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}

	ts.srv.RevokeTokens()
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatalf("the call after the tokens were revoked: %v", err)
	}
	gets := ts.rec.matching(http.MethodGet, "/api/WorkItems")
	if len(gets) != 2 || ts.rec.count(http.MethodPost, "/api/tokens") != 1 || len(ts.rec.all()) != 3 {
		t.Fatalf("want GET (401), POST /api/tokens, GET; got:\n%s", ts.rec.summary())
	}
	tok2 := readCache(t, path)
	if tok2 == tok1 {
		t.Fatal("the token cache file was not rewritten after the re-login")
	}
	if gets[0].Header.Get("X-COMPS-Token") != tok1 || gets[1].Header.Get("X-COMPS-Token") != tok2 {
		t.Error("the retry must carry the new token")
	}

	// From then on the new token is used without further logins.
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.rec.all()); n != 1 {
		t.Errorf("%d requests for one call after the re-login:\n%s", n, ts.rec.summary())
	}

	// A second client sharing the cache file but without credentials takes
	// the token another process wrote, after a 401 too.
	c2 := ts.newClient(t, func(o *client.Options) { o.TokenCacheDir, o.Username, o.Password = dir, "", "" })
	if _, err := c2.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatalf("a client reading the shared cache: %v", err)
	}
	ts.srv.RevokeTokens()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil { // re-logs in, rewrites the cache
		t.Fatal(err)
	}
	tok3 := readCache(t, path)
	ts.rec.reset()
	if _, err := c2.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatalf("after another process re-logged in: %v", err)
	}
	gets = ts.rec.matching(http.MethodGet, "/api/WorkItems")
	if len(gets) != 2 || gets[1].Header.Get("X-COMPS-Token") != tok3 || ts.rec.count(http.MethodPost, "/api/tokens") != 0 {
		t.Errorf("want a 401 then a retry with the cached token and no login:\n%s", ts.rec.summary())
	}

	// Without credentials or a better cached token, a 401 is an error,
	// after exactly one request.
	cur, err := c.CurrentToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c3 := ts.newClient(t, func(o *client.Options) { o.Token, o.NoTokenCache, o.Username, o.Password = cur.Raw(), true, "", "" })
	ts.srv.RevokeTokens()
	ts.rec.reset()
	if _, err := c3.QueryWorkItems(ctx, client.Query{Count: 1}); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("revoked token, no credentials: %v, want ErrUnauthorized", err)
	}
	if n := len(ts.rec.all()); n != 1 {
		t.Errorf("%d requests, want 1:\n%s", n, ts.rec.summary())
	}
}

func TestTokenRenewal(t *testing.T) {
	ts := startServer(t, localcomps.Options{})
	dir := t.TempDir()
	var now nowFunc
	c := ts.login(t, func(o *client.Options) { o.Now, o.TokenCacheDir = now.get, dir })
	ctx := t.Context()
	path := client.TokenCachePath(dir, c.Host(), "")
	old, err := c.CurrentToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if old.Type != client.TokenAuth || old.Expiry.Before(time.Now().Add(time.Hour)) {
		t.Fatalf("login token: %v", old)
	}

	// More than two hours before expiry: no renewal.
	now.set(old.Expiry.Add(-2*time.Hour - time.Minute))
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.rec.all()); n != 1 {
		t.Errorf("before the renewal time: %d requests:\n%s", n, ts.rec.summary())
	}

	// Within two hours of expiry: PUT /api/tokens, then the new token.
	now.set(old.Expiry.Add(-2*time.Hour + time.Minute))
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	reqs := ts.rec.all()
	if len(reqs) != 2 || reqs[0].Method != http.MethodPut || reqs[0].Path != "/api/tokens" {
		t.Fatalf("within 2 h of expiry: want PUT /api/tokens then the GET:\n%s", ts.rec.summary())
	}
	renewed := readCache(t, path)
	if renewed == old.Raw() || reqs[1].Header.Get("X-COMPS-Token") != renewed {
		t.Error("the renewed token must be cached and used")
	}

	// Past expiry: a full login with the remembered credentials.
	cur, _ := c.CurrentToken(ctx)
	now.set(cur.Expiry.Add(time.Minute))
	ts.rec.reset()
	if _, err := c.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	if ts.rec.count(http.MethodPost, "/api/tokens") != 1 || ts.rec.count(http.MethodPut, "/api/tokens") != 0 {
		t.Errorf("past expiry: want a login, no renewal:\n%s", ts.rec.summary())
	}

	// A client with a token and no credentials refuses an expired token
	// without sending anything.
	tokOnly := ts.newClient(t, func(o *client.Options) {
		o.Token, o.NoTokenCache, o.Username, o.Password, o.Now = cur.Raw(), true, "", "", now.get
	})
	ts.rec.reset()
	if _, err := tokOnly.QueryWorkItems(ctx, client.Query{Count: 1}); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("expired token: %v, want ErrUnauthorized", err)
	}
	if n := len(ts.rec.all()); n != 0 {
		t.Errorf("an expired token was sent: %d requests", n)
	}

	// The server's System token is never renewed (§1.6).
	sys, err := client.ParseToken(ts.srv.Token())
	if err != nil || sys.Type != client.TokenSystem {
		t.Fatalf("static token: %v %v", sys, err)
	}
	var sysNow nowFunc
	sysNow.set(sys.Expiry.Add(-time.Hour))
	sc := ts.newClient(t, func(o *client.Options) { o.Token, o.NoTokenCache, o.Now = ts.srv.Token(), true, sysNow.get })
	ts.rec.reset()
	if _, err := sc.QueryWorkItems(ctx, client.Query{Count: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.rec.all()); n != 1 {
		t.Errorf("System token an hour before expiry: %d requests, want no renewal:\n%s", n, ts.rec.summary())
	}
}
