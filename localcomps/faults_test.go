package localcomps

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestFaultInjection(t *testing.T) {
	e := newEnv(t, nil)
	payload := make([]byte, 256<<10)
	for i := range payload {
		payload[i] = byte(i)
	}
	ids, err := e.s.Seed(context.Background(), []SeedWorkItem{{Name: "w", Outputs: []SeedFile{{Path: "data.bin", Data: payload}}}})
	if err != nil {
		t.Fatal(err)
	}
	out := "/asset/WorkItems/" + ids[0] + "/Output/data.bin"

	e.s.SetFaults(Faults{FailRate: 1})
	for _, p := range []string{"/api/WorkItems", out, "/api/Nope"} {
		resp, body := e.req("GET", p, nil, nil)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("fail-rate 1, %s: %d", p, resp.StatusCode)
		}
		e.errBody(body)
	}

	e.s.SetFaults(Faults{ResetRate: 1})
	for _, p := range []string{out, "/api/WorkItems?children=Tags,Files"} {
		r, _ := http.NewRequest("GET", e.ts.URL+p, nil)
		r.Header.Set("X-COMPS-Token", e.tok)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatalf("reset-rate 1, %s: headers should arrive: %v", p, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(body)) >= resp.ContentLength {
			t.Fatalf("reset-rate 1, %s: read %d of %d bytes, err %v", p, len(body), resp.ContentLength, err)
		}
	}
	if e.s.Stats().Injected < 5 {
		t.Fatalf("injected %d", e.s.Stats().Injected)
	}

	// the same seed gives the same sequence of failures
	seq := func() (s string) {
		e.s.SetFaults(Faults{FailRate: 0.5, Seed: 42})
		for i := 0; i < 16; i++ {
			resp, _ := e.req("GET", "/api/WorkItems?count=1", nil, nil)
			s += map[bool]string{true: "x", false: "."}[resp.StatusCode == 503]
		}
		return s
	}
	if a, b := seq(), seq(); a != b || a == "xxxxxxxxxxxxxxxx" || a == "................" {
		t.Fatalf("fail sequences %s %s", a, b)
	}

	e.s.SetFaults(Faults{Latency: 150 * time.Millisecond})
	start := time.Now()
	e.json("GET", "/api/WorkItems?count=1", nil, 200, nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("latency: answered in %v", d)
	}

	e.s.SetFaults(Faults{Bandwidth: 1 << 20})
	start = time.Now()
	resp, body := e.req("GET", out, nil, nil)
	if d := time.Since(start); resp.StatusCode != 200 || len(body) != len(payload) || d < 200*time.Millisecond {
		t.Fatalf("bandwidth: %d, %d bytes in %v", resp.StatusCode, len(body), d)
	}
	e.s.SetFaults(Faults{})
	e.json("GET", "/api/WorkItems?count=1", nil, 200, nil)
}
