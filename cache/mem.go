package cache

import "sync"

// memBudget bounds the bytes of download buffers held at once by the whole
// cache, and keeps buffers for reuse: a fresh buffer costs page faults on
// every download. All buffers have the same size.
type memBudget struct {
	mu    sync.Mutex
	cond  sync.Cond
	max   int64 // bound on used + kept
	size  int64 // the length of every buffer
	used  int64 // bytes handed out and not yet put back or detached
	kept  [][]byte
	peak  int64 // highest used, for tests
	waits int64 // gets that had to wait, for tests
}

// newMemBudget makes a budget of max bytes of buffers of size bytes, in
// use by downloads or kept for reuse.
func newMemBudget(max, size int64) *memBudget {
	m := &memBudget{max: max, size: size}
	m.cond.L = &m.mu
	return m
}

// get returns a buffer, waiting until the budget has room for it. One
// buffer is always let through.
func (m *memBudget) get() []byte {
	m.mu.Lock()
	waited := false
	for m.used > 0 && m.used+m.size > m.max {
		if !waited {
			m.waits++
			waited = true
		}
		m.cond.Wait()
	}
	m.used += m.size
	m.peak = max(m.peak, m.used)
	var b []byte
	if len(m.kept) > 0 {
		b = m.kept[len(m.kept)-1]
		m.kept = m.kept[:len(m.kept)-1]
	}
	// Kept buffers count against the budget too: drop some if needed.
	for len(m.kept) > 0 && m.used+int64(len(m.kept))*m.size > m.max {
		m.kept = m.kept[:len(m.kept)-1]
	}
	m.mu.Unlock()
	if b == nil {
		b = make([]byte, m.size)
	}
	return b
}

// put gives a buffer from get back.
func (m *memBudget) put(b []byte) {
	m.mu.Lock()
	m.used -= m.size
	m.keep(b)
	m.cond.Broadcast()
	m.mu.Unlock()
}

// detach takes a buffer from get out of the budget: it now counts against
// Content.pendingMax until reuse.
func (m *memBudget) detach() {
	m.mu.Lock()
	m.used -= m.size
	m.cond.Broadcast()
	m.mu.Unlock()
}

// reuse offers a detached buffer for reuse.
func (m *memBudget) reuse(b []byte) {
	m.mu.Lock()
	m.keep(b)
	m.mu.Unlock()
}

// keep keeps b for reuse if the budget has room. Call with m.mu held.
func (m *memBudget) keep(b []byte) {
	if int64(cap(b)) == m.size && m.used+int64(len(m.kept)+1)*m.size <= m.max {
		m.kept = append(m.kept, b[:m.size])
	}
}
