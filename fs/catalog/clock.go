package catalog

import (
	"sync"
	"time"
)

// strictClock makes now's readings strictly increasing: a reading that is
// not after the previous one is moved a nanosecond past it. The caches order
// answers by when they were asked for and a write by when it forgot them,
// so two events must never share an instant: a coarse clock (or the fake
// one of testing/synctest) would otherwise let an answer asked for at the
// instant of a write pass for one asked after it.
func strictClock(now func() time.Time) func() time.Time {
	var mu sync.Mutex
	var last time.Time
	return func() time.Time {
		t := now()
		mu.Lock()
		defer mu.Unlock()
		if !t.After(last) {
			t = last.Add(time.Nanosecond)
		}
		last = t
		return t
	}
}
