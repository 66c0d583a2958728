package cache

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRangesMatchABitmap(t *testing.T) {
	// A model check: random adds and removes on a set of 200 bytes; after
	// each, every query is compared with a plain bitmap.
	const n = 200
	r := rand.New(rand.NewPCG(3, 3))
	for range 50 {
		var set ranges
		var bits [n]bool
		for range 40 {
			a := r.Int64N(n)
			b := a + r.Int64N(n-a+1)
			add := r.IntN(3) != 0
			if add {
				set.add(a, b)
			} else {
				set.remove(a, b)
			}
			for i := a; i < b; i++ {
				bits[i] = add
			}
			var size int64
			for i, s := range set {
				if s.from >= s.to || (i > 0 && set[i-1].to >= s.from) {
					t.Fatalf("%v is not sorted, disjoint and non-touching", set)
				}
				size += s.to - s.from
			}
			var want int64
			for _, b := range bits {
				if b {
					want++
				}
			}
			if size != want || set.size() != want {
				t.Fatalf("%v holds %d bytes, want %d", set, set.size(), want)
			}
			qa := r.Int64N(n)
			qb := qa + r.Int64N(n-qa+1)
			all, gaps := true, []extent(nil)
			for i := qa; i < qb; i++ {
				all = all && bits[i]
				if !bits[i] {
					if len(gaps) > 0 && gaps[len(gaps)-1].to == i {
						gaps[len(gaps)-1].to++
					} else {
						gaps = append(gaps, extent{i, i + 1})
					}
				}
			}
			if set.covers(qa, qb) != all {
				t.Fatalf("%v covers [%d, %d) = %v, want %v", set, qa, qb, !all, all)
			}
			if got := set.gaps(qa, qb); !slices.Equal(got, gaps) {
				t.Fatalf("%v gaps in [%d, %d) = %v, want %v", set, qa, qb, got, gaps)
			}
			reach := qa
			for reach < n && bits[reach] {
				reach++
			}
			if got := set.reach(qa); got != reach && bits[qa] || !bits[qa] && got != qa {
				t.Fatalf("%v reach from %d = %d, want %d", set, qa, got, reach)
			}
		}
	}
}
