package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/compsfs/compsfs/client"
)

const someID = "6c1ec7ee-6a0f-f011-9311-f0921c167864"

// oneWorkItem is a valid answer to GET /api/WorkItems/{someID}.
const oneWorkItem = `{"WorkItems": [{"Id": "` + someID + `", "Name": "w"}]}`

// failThen answers the first n requests with status (and Retry-After
// retryAfter, if not empty), then oneWorkItem; log records every request.
func failThen(log *requestLog, n, status int, retryAfter func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if log.add() <= n {
			if retryAfter != nil {
				w.Header().Set("Retry-After", retryAfter())
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, `{"ResponseMessage": "busy"}`)
			return
		}
		fmt.Fprint(w, oneWorkItem)
	}
}

func TestBackoffDoublesWithJitterUpToACap(t *testing.T) {
	c, err := client.New(client.Options{Server: "http://comps.test", NoTokenCache: true, RetryBase: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for attempt, full := range map[int]time.Duration{0: 100, 1: 100, 2: 200, 3: 400, 4: 800, 5: 1600, 6: 1600, 50: 1600} {
		full *= time.Millisecond
		lo, hi := full, time.Duration(0)
		for range 200 {
			d := c.Backoff(attempt)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < full/2 || hi > full || lo == hi {
			t.Errorf("Backoff(%d) in [%v, %v] over 200 draws, want jittered within [%v, %v]", attempt, lo, hi, full/2, full)
		}
	}
}

func TestCancelStopsRetriesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log requestLog
		c := newPipeClient(t, failThen(&log, 100, http.StatusServiceUnavailable, nil), nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		start := time.Now()
		go func() {
			_, err := c.GetWorkItem(ctx, someID, client.Query{})
			done <- err
		}()
		synctest.Wait() // answered 503, the client waits its backoff
		if n := len(log.all()); n != 1 {
			t.Fatalf("%d requests before the cancel, want 1", n)
		}
		cancel()
		err := <-done
		if took := time.Since(start); took != 0 {
			t.Errorf("the call returned %v after its context was cancelled, not at once", took)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, client.ErrServer) {
			t.Errorf("cancelled call: %v, want context.Canceled and the 503", err)
		}
		time.Sleep(time.Hour) // any retry still pending would be sent by now
		if n := len(log.all()); n != 1 {
			t.Errorf("%d requests after the cancel, want none", n-1)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header func() string
		wait   time.Duration
	}{
		{"503 seconds", http.StatusServiceUnavailable, func() string { return "7" }, 7 * time.Second},
		{"429 date", http.StatusTooManyRequests, func() string {
			return time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
		}, 30 * time.Second},
		{"503 without header: backoff", http.StatusServiceUnavailable, nil, 500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var log requestLog
				c := newPipeClient(t, failThen(&log, 2, tc.status, tc.header), nil)
				wi, err := c.GetWorkItem(t.Context(), someID, client.Query{})
				if err != nil || wi.Name != "w" {
					t.Fatalf("GetWorkItem: %+v, %v", wi, err)
				}
				times := log.all()
				if len(times) != 3 {
					t.Fatalf("%d requests, want 2 answered %d and the one that succeeds", len(times), tc.status)
				}
				for i := 1; i < len(times); i++ {
					gap := times[i].Sub(times[i-1])
					if gap < tc.wait {
						t.Errorf("attempt %d came %v after the last, earlier than the %v asked", i+1, gap, tc.wait)
					}
					if tc.header != nil && gap > tc.wait+time.Second {
						t.Errorf("attempt %d came %v after the last, want the %v asked, not a backoff", i+1, gap, tc.wait)
					}
				}
			})
		})
	}
}

func TestRetryAfterBeyondWhatTheCallMayWaitEndsIt(t *testing.T) {
	for name, tc := range map[string]struct {
		header  string
		timeout time.Duration
		want    error
	}{
		"past the deadline":  {"60", 10 * time.Second, context.DeadlineExceeded},
		"longer than 5 min":  {"3600", 0, client.ErrServer},
		"not idempotent too": {"", 0, client.ErrServer},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var log requestLog
				c := newPipeClient(t, failThen(&log, 100, http.StatusServiceUnavailable, func() string { return tc.header }), nil)
				ctx := t.Context()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				start := time.Now()
				var err error
				if name == "not idempotent too" {
					err = c.AddRelation(ctx, someID, client.RelationDependsOn, client.KindWorkItem, someID)
				} else {
					_, err = c.GetWorkItem(ctx, someID, client.Query{})
				}
				if !errors.Is(err, tc.want) || !errors.Is(err, client.ErrServer) {
					t.Errorf("call: %v, want %v", err, tc.want)
				}
				if took := time.Since(start); took != 0 || len(log.all()) != 1 {
					t.Errorf("the call made %d requests and returned after %v; want one, at once", len(log.all()), took)
				}
			})
		})
	}
}

func TestRetryWhileStopsNewAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log requestLog
		c := newPipeClient(t, failThen(&log, 100, http.StatusServiceUnavailable, nil), nil)
		calls := 0
		ctx := client.RetryWhile(t.Context(), func() bool { calls++; return calls < 3 })
		if _, err := c.GetWorkItem(ctx, someID, client.Query{}); !errors.Is(err, client.ErrServer) {
			t.Fatalf("GetWorkItem: %v", err)
		}
		// keep is asked before and after each backoff: the second retry is
		// called off after its wait, before it is sent.
		if n := len(log.all()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

// cutAt answers body (ranged when asked) but cuts the first cuts answers
// after half of what they promise; log records each request.
func cutAt(log *requestLog, body []byte, cuts int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := log.add()
		first, last := 0, len(body)-1
		if rg := r.Header.Get("Range"); rg != "" {
			if _, err := fmt.Sscanf(strings.TrimSuffix(rg, "-"), "bytes=%d", &first); err != nil {
				http.Error(w, "bad range", http.StatusBadRequest)
				return
			}
			if _, err := fmt.Sscanf(rg, "bytes=%d-%d", &first, &last); err != nil {
				last = len(body) - 1
			}
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(body)))
		}
		part := body[first : last+1]
		w.Header().Set("Content-Length", fmt.Sprint(len(part)))
		if r.Header.Get("Range") != "" {
			w.WriteHeader(http.StatusPartialContent)
		}
		if n <= cuts {
			w.Write(part[:len(part)/2])
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler)
		}
		w.Write(part)
	}
}

func TestCutDownloadResumesWithinOneBudget(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 1000))
	url := "http://comps.test/asset/WorkItems/" + someID + "/Output/out.bin"
	synctest.Test(t, func(t *testing.T) {
		var log requestLog
		c := newPipeClient(t, cutAt(&log, body, 2), func(o *client.Options) { o.MaxAttempts = 3 })
		rc, err := c.Download(t.Context(), url, 100, 5000)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != string(body[100:5100]) {
			t.Fatalf("download cut twice: %d bytes, %v; want the 5000 bytes asked", len(got), err)
		}
		if n := len(log.all()); n != 3 {
			t.Errorf("%d requests, want the first and two resumptions", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		var log requestLog
		c := newPipeClient(t, cutAt(&log, body, 100), func(o *client.Options) { o.MaxAttempts = 3 })
		rc, err := c.Download(t.Context(), url, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) == len(body) {
			t.Fatalf("download cut every time: %d bytes, %v; want io.ErrUnexpectedEOF", len(got), err)
		}
		if n := len(log.all()); n != 3 {
			t.Errorf("%d requests for a download cut every time, want MaxAttempts = 3 in all", n)
		}
	})
}
