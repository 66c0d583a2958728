package localcomps

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// login posts credentials and returns the status and the token header.
func (e *env) login(user, password string) (int, string) {
	e.t.Helper()
	body := `{"Username": "` + user + `", "Password": "` + base64.StdEncoding.EncodeToString([]byte(password)) + `", "ClientVersion": 12}`
	resp, data := e.req("POST", "/api/tokens", strings.NewReader(body), map[string]string{"X-COMPS-Token": ""})
	if resp.StatusCode >= 400 {
		e.errBody(data)
	}
	return resp.StatusCode, resp.Header.Get("X-COMPS-Token")
}

func checkTokenShape(t *testing.T, tok, kind, user string) {
	t.Helper()
	f := strings.Split(tok, ",")
	if len(f) < 15 || f[1] != kind || f[2] != user || f[0] == "" {
		t.Fatalf("token fields %q", f)
	}
	exp, err := time.Parse(tokenExpiryLayout, f[6])
	if err != nil || !exp.After(time.Now()) {
		t.Fatalf("token expiry %q: %v", f[6], err)
	}
	if f[13] != "Local-Bayesian" || f[12] == "" {
		t.Fatalf("token groups %q environments %q", f[12], f[13])
	}
}

func TestAuthLoginRenewRevoke(t *testing.T) {
	e := newEnv(t, nil)
	checkTokenShape(t, e.s.Token(), "System", "localuser")

	if st, _ := e.login("localuser", "wrong"); st != http.StatusUnauthorized {
		t.Fatalf("bad password: %d", st)
	}
	if st, _ := e.login("someone", "secret"); st != http.StatusUnauthorized {
		t.Fatalf("bad user: %d", st)
	}
	st, tok := e.login("localuser", "secret")
	if st != http.StatusOK || tok == "" {
		t.Fatalf("login: %d %q", st, tok)
	}
	checkTokenShape(t, tok, "Auth", "localuser")
	e.tok = tok
	e.json("GET", "/api/WorkItems?count=1", nil, http.StatusOK, nil)

	resp := e.json("PUT", "/api/tokens", map[string]any{"ClientVersion": 12}, http.StatusOK, nil)
	renewed := resp.Header.Get("X-COMPS-Token")
	if renewed == "" || renewed == tok {
		t.Fatalf("renew gave %q", renewed)
	}
	checkTokenShape(t, renewed, "Auth", "localuser")

	e.tok = renewed
	e.json("GET", "/api/WorkItems?count=1", nil, http.StatusOK, nil)

	if n, err := e.s.RevokeTokens(); err != nil || n != 2 {
		t.Fatalf("revoked %d tokens, want 2: %v", n, err)
	}
	for _, tk := range []string{tok, renewed, "garbage", ""} {
		e.tok = tk
		resp, data := e.req("GET", "/api/WorkItems?count=1", nil, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token %q after revoke: %d", tk, resp.StatusCode)
		}
		e.errBody(data)
		// unknown routes are not revealed without a token either
		if resp, _ := e.req("GET", "/api/Nope", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unknown route without token: %d", resp.StatusCode)
		}
	}
	e.tok = e.s.Token()
	e.json("GET", "/api/WorkItems?count=1", nil, http.StatusOK, nil)
	e.tok = "garbage"
	if resp, _ := e.req("PUT", "/api/tokens", strings.NewReader(`{"ClientVersion":12}`), nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("renew with bad token: %d", resp.StatusCode)
	}
}

func TestAuthNoPasswordRefusesLogin(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Password = ""; o.Token = "fixed-token"; o.User = "jdoe" })
	if st, _ := e.login("jdoe", ""); st != http.StatusUnauthorized {
		t.Fatalf("login without configured password: %d", st)
	}
	if e.s.Token() != "fixed-token" {
		t.Fatal("static token not kept")
	}
	e.json("GET", "/api/users?format=json", nil, http.StatusOK, nil)
	resp, data := e.req("POST", "/api/tokens", strings.NewReader("{not json"), map[string]string{"X-COMPS-Token": ""})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed login: %d", resp.StatusCode)
	}
	e.errBody(data)
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t, nil)
	resp, data := e.req("GET", "/api/Nothing/here", nil, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown route: %d", resp.StatusCode)
	}
	e.errBody(data)
	resp, data = e.req("PATCH", "/api/WorkItems", nil, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method: %d", resp.StatusCode)
	}
	e.errBody(data)
	var envs struct {
		Environments []struct{ Name, GroupName string }
	}
	e.json("GET", "/api/Environments/bayesian", nil, http.StatusOK, &envs)
	if len(envs.Environments) != 1 || envs.Environments[0].Name != "Bayesian" || envs.Environments[0].GroupName == "" {
		t.Fatalf("environment: %+v", envs)
	}
	e.json("GET", "/api/Environments/Calculon", nil, http.StatusNotFound, nil)
	var users struct{ Users []struct{ UserName string } }
	e.json("GET", "/api/users?format=json", nil, http.StatusOK, &users)
	if len(users.Users) == 0 || users.Users[0].UserName != "localuser" {
		t.Fatalf("users: %+v", users)
	}
	st := e.s.Stats()
	if st.Requests["GET /api/Environments/{name}"] != 2 || st.Requests["GET (unmatched)"] != 1 {
		t.Fatalf("stats: %+v", st.Requests)
	}
	e.s.ResetStats()
	if len(e.s.Stats().Requests) != 0 {
		t.Fatal("ResetStats kept requests")
	}
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestTokensOutliveRestart: a token from login (the official client's
// POST /api/tokens) is accepted by a new server opened on the same data
// folder, with another static token, and refused once its expiry passes:
// 401 with "token expired", in that server and in the next one.
func TestTokensOutliveRestart(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{t: time.Now()}
	open := func() *env {
		return newEnv(t, func(o *Options) { o.Dir, o.Now = dir, clk.now })
	}
	e := open()
	st, tok := e.login("localuser", "secret")
	if st != http.StatusOK {
		t.Fatalf("login: %d", st)
	}
	e.ts.Close()
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}

	e = open()
	if e.s.Token() == "" {
		t.Fatal("no static token")
	}
	e.tok = tok
	resp, data := e.pyRequest("GET", "/api/WorkItems?fields=Id%2CState&count=100000", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token after restart: %d %s", resp.StatusCode, data)
	}
	// Renewal works too, and its token is kept as well.
	resp = e.json("PUT", "/api/tokens", map[string]any{"ClientVersion": 12}, http.StatusOK, nil)
	renewed := resp.Header.Get("X-COMPS-Token")

	clk.advance(authTokenLifetimeHours*time.Hour + time.Second)
	for _, tk := range []string{tok, renewed} {
		e.tok = tk
		resp, data := e.pyRequest("GET", "/api/WorkItems?fields=Id%2CState&count=100000", "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("expired token: %d %s", resp.StatusCode, data)
		}
		if we := e.errBody(data); !strings.Contains(we.ResponseMessage, "expired") {
			t.Fatalf("expired token message %q", we.ResponseMessage)
		}
	}
	e.tok = e.s.Token()
	e.json("GET", "/api/WorkItems?count=1", nil, http.StatusOK, nil)
}
