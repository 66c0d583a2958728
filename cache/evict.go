package cache

// evict removes least recently read chunks until the cache fits MaxBytes.
// Readers that already opened an evicted chunk keep reading it (the file is
// only unlinked); a check hashing the file starts over. Call with c.mu held.
func (c *Content) evict() {
	for c.onDisk > c.o.MaxBytes && c.lru.Len() > 0 {
		c.removePiece(c.lru.Back().Value.(*piece))
		c.evictions.Add(1)
	}
}
