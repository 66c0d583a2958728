package fs_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/localcomps"
)

// seedBigExperiment seeds an experiment of n finished simulations, each
// with a StdOut.txt; all but the one at planted share their bytes (so the
// content cache downloads them once), and that one holds needle.
func seedBigExperiment(t *testing.T, s *localcomps.Server, n, planted int, needle string) (exp string, sims []string) {
	t.Helper()
	ctx := context.Background()
	var err error
	if exp, err = s.SeedEntity(ctx, "Experiment", localcomps.SeedEntity{Name: fmt.Sprintf("sweep of %d", n)}); err != nil {
		t.Fatal(err)
	}
	es := make([]localcomps.SeedEntity, n)
	for i := range es {
		out := "Simulation finished: OK\n"
		if i == planted {
			out = "Simulation finished: " + needle + "\n"
		}
		es[i] = localcomps.SeedEntity{Name: fmt.Sprintf("sim %05d", i), ParentId: exp,
			SimulationState: map[bool]string{true: "Failed", false: "Succeeded"}[i%100 == 0], Tags: map[string]any{"Run_Number": i},
			Outputs: []localcomps.SeedFile{{Path: "StdOut.txt", Data: []byte(out)}}}
	}
	if sims, err = s.SeedEntities(ctx, "Simulation", es); err != nil {
		t.Fatal(err)
	}
	return exp, sims
}

// TestExperimentOfTenThousandSimulations is the scale of an experiment
// people grep every day (docs/tree.md, docs/caching.md): listing its
// 10,000 simulations is one paged query (10 pages, and the experiment
// itself), `cat */state` afterwards asks nothing more, and grep -r over
// their outputs finds the one line planted in one of them, downloading
// the bytes all the others share once. Under the race detector the
// experiment has 1,000 simulations (raceEnabled).
func TestExperimentOfTenThousandSimulations(t *testing.T) {
	n, planted, needle := 10_000, 7_321, "needle-6f1c"
	if raceEnabled {
		n, planted = 1_000, 732
	}
	var exp string
	var sims []string
	e := newEnv(t, func(ctx context.Context, s *localcomps.Server) {
		exp, sims = seedBigExperiment(t, s, n, planted, needle)
	})
	run := func(script string) string {
		t.Helper()
		// The shell changes into the mount itself: a child made by this
		// process, which serves the mount, must not touch the mount
		// between fork and exec (the parent cannot answer then).
		cmd := exec.Command("sh", "-c", `cd "$1" && `+script, "sh", e.path("experiments", exp, "simulations"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", script, err, out)
		}
		return string(out)
	}
	e.srv.ResetStats()
	if got := run("ls | wc -l"); strings.TrimSpace(got) != fmt.Sprint(n) {
		t.Fatalf("ls | wc -l = %q, want %d", got, n)
	}
	listed := e.requests("")
	t.Logf("listing %d simulations: %d requests: %v", n, listed, e.srv.Stats().Requests)
	if limit := int64((n+999)/1000 + 2); listed > limit {
		t.Errorf("listing %d simulations took %d requests, want at most %d", n, listed, limit)
	}
	want := fmt.Sprintf("%7d Failed\n%7d Succeeded\n", n/100, n-n/100)
	if got := run("cat */state | sort | uniq -c"); got != want {
		t.Errorf("cat */state | sort | uniq -c = %q, want %q", got, want)
	}
	if more := e.requests("") - listed; more != 0 {
		t.Errorf("cat */state after the listing: %d more requests (%v), want none", more, e.srv.Stats().Requests)
	}
	if got := run("grep -rl " + needle + " */outputs"); got != sims[planted]+"/outputs/StdOut.txt\n" {
		t.Errorf("grep -rl over the outputs = %q, want the planted file of %s", got, sims[planted])
	}
	st := e.srv.Stats()
	t.Logf("grep -r over %d simulations' outputs: %d output listings, %d downloads, %d bytes sent",
		n, st.Requests["GET /asset/Simulations/{id}/Output"], st.Requests["GET /asset/Simulations/{id}/Output/{path...}"], st.BytesSent)
	if d := st.Requests["GET /asset/Simulations/{id}/Output/{path...}"]; d != 2 {
		t.Errorf("%d downloads of outputs with 2 distinct contents, want 2", d)
	}
}
