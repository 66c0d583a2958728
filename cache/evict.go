package cache

// evict removes least recently read chunks until the cache fits MaxBytes,
// sparing files being verified. Readers that already opened an evicted chunk
// keep reading it (the file is only unlinked). Call with c.mu held.
func (c *Content) evict() {
	e := c.lru.Back()
	for c.onDisk > c.o.MaxBytes && e != nil {
		pc := e.Value.(*piece)
		e = e.Prev()
		if pc.ks.verifying > 0 {
			continue
		}
		c.removePiece(pc)
		c.evictions.Add(1)
	}
}
