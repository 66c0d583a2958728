package cache

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func wantLookup[V comparable](t *testing.T, m *Meta[string, V], key string, wantV V, want Lookup) {
	t.Helper()
	v, st := m.Get(key)
	if st != want || v != wantV {
		t.Fatalf("Get(%q) = %v, %v; want %v, %v", key, v, st, wantV, want)
	}
}

func TestMetaExpiry(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](10, clk.now)
	wantLookup(t, m, "a", 0, Miss)
	m.Put("a", 1, time.Minute, clk.now())
	m.Put("final", 2, Forever, clk.now())
	m.Put("stale", 3, 0, clk.now())
	wantLookup(t, m, "a", 1, Hit)
	wantLookup(t, m, "stale", 0, Miss)
	clk.advance(time.Minute - time.Nanosecond)
	wantLookup(t, m, "a", 1, Hit)
	clk.advance(time.Nanosecond)
	wantLookup(t, m, "a", 0, Miss)
	clk.advance(100 * 365 * 24 * time.Hour)
	wantLookup(t, m, "final", 2, Hit)
}

func TestMetaExpiryCountsFromFetchedAt(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](10, clk.now)
	m.Put("a", 1, time.Minute, clk.now().Add(-50*time.Second))
	wantLookup(t, m, "a", 1, Hit)
	clk.advance(10 * time.Second)
	wantLookup(t, m, "a", 0, Miss)
}

func TestMetaMissing(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](10, clk.now)
	m.PutMissing("gone", time.Minute, clk.now())
	wantLookup(t, m, "gone", 0, Missing)
	_, err := m.GetOrFetch(context.Background(), "gone", func(context.Context) (int, time.Duration, error) {
		t.Fatal("fetch called for a key cached as missing")
		return 0, 0, nil
	})
	if !errors.Is(err, ErrMissing) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("GetOrFetch error = %v, want ErrMissing matching fs.ErrNotExist", err)
	}
	clk.advance(time.Minute)
	wantLookup(t, m, "gone", 0, Miss)
	m.Put("gone", 5, time.Minute, clk.now()) // it came back
	wantLookup(t, m, "gone", 5, Hit)
}

func TestMetaOlderNeverOverwritesNewer(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, string](10, clk.now)
	t0 := clk.now()
	m.Put("k", "new", time.Hour, t0.Add(time.Second))
	m.Put("k", "old", time.Hour, t0)
	wantLookup(t, m, "k", "new", Hit)
	m.PutMissing("k", time.Hour, t0)
	wantLookup(t, m, "k", "new", Hit)
	m.Put("k", "newer", time.Hour, t0.Add(2*time.Second))
	wantLookup(t, m, "k", "newer", Hit)
	m.PutMissing("k", time.Hour, t0.Add(3*time.Second))
	wantLookup(t, m, "k", "", Missing)
}

func TestMetaInvalidate(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](10, clk.now)
	before := clk.now()
	m.Put("k", 1, Forever, before)
	clk.advance(time.Second)
	m.Invalidate("k")
	wantLookup(t, m, "k", 0, Miss)
	m.Put("k", 2, Forever, before) // read before the change: refused
	wantLookup(t, m, "k", 0, Miss)
	m.Put("k", 3, Forever, clk.now())
	wantLookup(t, m, "k", 3, Hit)
}

func TestMetaLRUBound(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](2, clk.now)
	m.Put("a", 1, Forever, clk.now())
	m.Put("b", 2, Forever, clk.now())
	m.Get("a") // a is now more recent than b
	m.Put("c", 3, Forever, clk.now())
	wantLookup(t, m, "b", 0, Miss)
	wantLookup(t, m, "a", 1, Hit)
	wantLookup(t, m, "c", 3, Hit)
	if NewMeta[int, int](0, nil) == nil { // size clamped, no panic
		t.Fatal("nil cache")
	}
}

func TestMetaGetOrFetchSharesOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMeta[string, int](10, time.Now)
		var calls atomic.Int32
		fetch := func(ctx context.Context) (int, time.Duration, error) {
			calls.Add(1)
			time.Sleep(time.Second)
			return 42, time.Minute, nil
		}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				v, err := m.GetOrFetch(context.Background(), "k", fetch)
				if v != 42 || err != nil {
					t.Errorf("GetOrFetch = %d, %v", v, err)
				}
			})
		}
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Fatalf("fetch called %d times, want 1", n)
		}
		if v, err := m.GetOrFetch(context.Background(), "k", fetch); v != 42 || err != nil || calls.Load() != 1 {
			t.Fatalf("second GetOrFetch = %d, %v after %d fetches", v, err, calls.Load())
		}
		time.Sleep(time.Minute)
		m.GetOrFetch(context.Background(), "k", fetch)
		if n := calls.Load(); n != 2 {
			t.Fatalf("after expiry fetch called %d times, want 2", n)
		}
		if s := m.Stats(); s.Fetches != 2 || s.Hits != 1 || s.Misses != 51 {
			t.Fatalf("Stats = %+v, want 2 fetches, 1 hit, 51 misses", s)
		}
	})
}

func TestMetaCancelledCallerLeavesFetchRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMeta[string, int](10, time.Now)
		var calls atomic.Int32
		fetch := func(ctx context.Context) (int, time.Duration, error) {
			calls.Add(1)
			select {
			case <-time.After(5 * time.Second):
				return 7, Forever, nil
			case <-ctx.Done():
				return 0, 0, ctx.Err()
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Second); cancel() }()
		start := time.Now()
		if _, err := m.GetOrFetch(ctx, "k", fetch); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled GetOrFetch error = %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("cancelled caller returned after %v, want 1s", d)
		}
		synctest.Wait()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		wantLookup(t, m, "k", 7, Hit)
		if calls.Load() != 1 {
			t.Fatalf("fetch called %d times", calls.Load())
		}
	})
}

func TestMetaErrorsNotCached(t *testing.T) {
	for _, fail := range []error{context.Canceled, context.DeadlineExceeded, errors.New("boom")} {
		t.Run(fail.Error(), func(t *testing.T) {
			m := NewMeta[string, int](10, nil)
			var calls int
			fetch := func(context.Context) (int, time.Duration, error) {
				calls++
				if calls == 1 {
					return 0, Forever, fail
				}
				return 9, Forever, nil
			}
			if _, err := m.GetOrFetch(context.Background(), "k", fetch); !errors.Is(err, fail) {
				t.Fatalf("first error = %v, want %v", err, fail)
			}
			wantLookup(t, m, "k", 0, Miss)
			if v, err := m.GetOrFetch(context.Background(), "k", fetch); v != 9 || err != nil || calls != 2 {
				t.Fatalf("second = %d, %v after %d calls", v, err, calls)
			}
		})
	}
}

func TestMetaFetchTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMeta[string, int](10, time.Now)
		m.FetchTimeout = 10 * time.Second
		start := time.Now()
		_, err := m.GetOrFetch(context.Background(), "k", func(ctx context.Context) (int, time.Duration, error) {
			<-ctx.Done()
			return 0, 0, ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 10*time.Second {
			t.Fatalf("error %v after %v, want deadline after 10s", err, time.Since(start))
		}
		wantLookup(t, m, "k", 0, Miss)
	})
}

func TestMetaInvalidateDuringFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMeta[string, string](10, time.Now)
		var calls atomic.Int32
		fetch := func(context.Context) (string, time.Duration, error) {
			if calls.Add(1) == 1 {
				time.Sleep(2 * time.Second)
				return "before write", Forever, nil
			}
			return "after write", Forever, nil
		}
		first := make(chan string)
		go func() {
			v, _ := m.GetOrFetch(context.Background(), "k", fetch)
			first <- v
		}()
		time.Sleep(time.Second)
		m.Invalidate("k") // a write happened while the first fetch ran
		if v, _ := m.GetOrFetch(context.Background(), "k", fetch); v != "after write" {
			t.Fatalf("GetOrFetch after Invalidate = %q, joined the stale fetch", v)
		}
		if v := <-first; v != "before write" {
			t.Fatalf("first caller got %q", v)
		}
		wantLookup(t, m, "k", "after write", Hit)
	})
}

func TestMetaFetchRemembersNotFound(t *testing.T) {
	clk := newClock()
	m := NewMeta[string, int](10, clk.now)
	errNotFound := errors.New("404")
	calls := 0
	fetch := func(context.Context) (int, time.Duration, error) {
		calls++
		m.PutMissing("k", time.Minute, clk.now()) // the pattern for "not found"
		return 0, 0, errNotFound
	}
	if _, err := m.GetOrFetch(context.Background(), "k", fetch); !errors.Is(err, errNotFound) {
		t.Fatalf("first GetOrFetch error = %v", err)
	}
	if _, err := m.GetOrFetch(context.Background(), "k", fetch); !errors.Is(err, ErrMissing) || calls != 1 {
		t.Fatalf("second GetOrFetch error = %v after %d fetches, want ErrMissing after 1", err, calls)
	}
}
