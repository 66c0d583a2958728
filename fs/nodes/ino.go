package nodes

import "hash/fnv"

// inoOf is a stable inode number for a node, derived from its identity (the
// kinds and ids and names on its path), so that the kernel sees the same
// number for the same thing across lookups. Numbers stay below 2^63, where
// go-fuse's automatic numbers start, and are never 0 or 1 (the root).
func inoOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	n := h.Sum64() &^ (1 << 63)
	if n < 2 {
		n += 2
	}
	return n
}
