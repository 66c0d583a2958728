package cache

import "testing"

// Buffers in use by downloads, detached for the check and kept for reuse
// together never exceed the total bound, however they move between the
// three; and those given back are reused rather than made anew.
func TestMemBudgetKeepsAllBuffersWithinItsTotal(t *testing.T) {
	const size = 10
	m := newMemBudget(2*size, 5*size, size)
	inUse := func() int64 { return m.used + m.held + int64(len(m.kept))*size }
	var detached [][]byte
	for range 4 { // downloads hand four buffers to the check, two at a time
		b := m.get()
		m.detach()
		detached = append(detached, b)
	}
	a, b := m.get(), m.get()
	m.put(a)
	m.put(b)
	if got := inUse(); got > 5*size {
		t.Fatalf("%d bytes of buffers, bound %d", got, 5*size)
	}
	for _, d := range detached {
		m.reuse(d)
		if got := inUse(); got > 5*size {
			t.Fatalf("%d bytes of buffers after a reuse, bound %d", got, 5*size)
		}
	}
	if len(m.kept) != 5 {
		t.Fatalf("%d buffers kept for reuse, want 5 (the total)", len(m.kept))
	}
	known := map[*byte]bool{&a[0]: true, &b[0]: true}
	for _, d := range detached {
		known[&d[0]] = true
	}
	if got := m.get(); !known[&got[0]] {
		t.Error("get made a new buffer while some were kept")
	}
}
