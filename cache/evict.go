package cache

// evict removes least recently read chunks until the cache fits MaxBytes.
// Chunks in use (being read or downloaded) are skipped: the bound may be
// exceeded by them for as long as they are. A check hashing the file of an
// evicted chunk starts over. Call with c.mu held.
func (c *Content) evict() {
	for e := c.lru.Back(); e != nil && c.onDisk > c.o.MaxBytes; {
		prev := e.Prev()
		if pc := e.Value.(*piece); pc.refs == 0 {
			c.removePiece(pc)
			c.evictions.Add(1)
		}
		e = prev
	}
}
