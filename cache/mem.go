package cache

import "sync"

// memBudget bounds the bytes of chunk buffers held at once by the whole
// cache (downloads running and their bytes until every waiting reader has
// copied them), and keeps full-chunk buffers for reuse: a fresh 4 MiB
// buffer costs page faults on every download.
type memBudget struct {
	mu    sync.Mutex
	cond  sync.Cond
	max   int64 // bound on used + kept
	full  int64 // the length of reusable buffers (ChunkSize)
	used  int64 // bytes handed out and not yet put back
	kept  [][]byte
	peak  int64 // highest used, for tests
	waits int64 // gets that had to wait, for tests
}

func newMemBudget(max, full int64) *memBudget {
	m := &memBudget{max: max, full: full}
	m.cond.L = &m.mu
	return m
}

// get returns a buffer of n bytes, waiting until the budget has room for it.
// A buffer larger than the whole budget is given when nothing else is out.
func (m *memBudget) get(n int64) []byte {
	m.mu.Lock()
	waited := false
	for m.used > 0 && m.used+n > m.max {
		if !waited {
			m.waits++
			waited = true
		}
		m.cond.Wait()
	}
	m.used += n
	m.peak = max(m.peak, m.used)
	var b []byte
	if n == m.full && len(m.kept) > 0 {
		b = m.kept[len(m.kept)-1]
		m.kept = m.kept[:len(m.kept)-1]
	}
	// Kept buffers count against the budget too: drop some if needed.
	for len(m.kept) > 0 && m.used+int64(len(m.kept))*m.full > m.max {
		m.kept = m.kept[:len(m.kept)-1]
	}
	m.mu.Unlock()
	if b == nil {
		b = make([]byte, n)
	}
	return b
}

// put gives a buffer from get back.
func (m *memBudget) put(b []byte) {
	m.mu.Lock()
	m.used -= int64(len(b))
	if int64(len(b)) == m.full && m.used+int64(len(m.kept)+1)*m.full <= m.max {
		m.kept = append(m.kept, b)
	}
	m.cond.Broadcast()
	m.mu.Unlock()
}
