package cache

import "slices"

// extent is the byte range [from, to).
type extent struct{ from, to int64 }

// ranges is a set of bytes as sorted, disjoint, non-touching spans.
type ranges []extent

// add puts [from, to) in the set.
func (r *ranges) add(from, to int64) {
	if from >= to {
		return
	}
	s := *r
	i := 0 // the first extent ending at or after from
	for i < len(s) && s[i].to < from {
		i++
	}
	j := i // the first extent starting after to
	for j < len(s) && s[j].from <= to {
		j++
	}
	if i < j {
		from, to = min(from, s[i].from), max(to, s[j-1].to)
	}
	*r = slices.Replace(s, i, j, extent{from, to})
}

// remove takes [from, to) out of the set.
func (r *ranges) remove(from, to int64) {
	if from >= to {
		return
	}
	var out ranges
	for _, s := range *r {
		if s.to <= from || s.from >= to {
			out = append(out, s)
			continue
		}
		if s.from < from {
			out = append(out, extent{s.from, from})
		}
		if s.to > to {
			out = append(out, extent{to, s.to})
		}
	}
	*r = out
}

// covers reports whether all of [from, to) is in the set.
func (r ranges) covers(from, to int64) bool {
	if from >= to {
		return true
	}
	for _, s := range r {
		if s.from <= from {
			if s.to >= to {
				return true
			}
			continue
		}
		break
	}
	return false
}

// reach is where the extent holding from ends: from itself when from is not
// in the set.
func (r ranges) reach(from int64) int64 {
	for _, s := range r {
		if s.from <= from && from < s.to {
			return s.to
		}
	}
	return from
}

// gaps lists the parts of [from, to) not in the set, in order.
func (r ranges) gaps(from, to int64) []extent {
	var out []extent
	for _, s := range r {
		if s.to <= from {
			continue
		}
		if s.from >= to {
			break
		}
		if s.from > from {
			out = append(out, extent{from, s.from})
		}
		from = max(from, s.to)
	}
	if from < to {
		out = append(out, extent{from, to})
	}
	return out
}

// size is the number of bytes in the set.
func (r ranges) size() int64 {
	var n int64
	for _, s := range r {
		n += s.to - s.from
	}
	return n
}
