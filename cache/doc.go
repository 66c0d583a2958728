// Package cache holds what compsfs remembers of the COMPS server: a metadata
// cache ([Meta]) with per-entry expiry and shared fetches, and a content cache
// ([Content]) that keeps output files' bytes on local disk in chunks, keyed by
// md5, verified, bounded in size and shared across work items. It knows
// nothing of FUSE or HTTP: the server is reached through function values.
// docs/caching.md describes it for users.
//
// On disk, Content keeps a file's bytes in Dir/content/<md5>-<size>/data
// (Dir/content/id-<sha256 of ID, 40 hex>-<size>/ without an md5), at their
// own offsets, sparse where nothing is cached: one file, so that a complete
// file can be handed to the kernel whole (see Backing). The unit of storage
// and eviction is the chunk of ChunkSize bytes: downloads fill chunks in
// place (any ranges, 64 KiB aligned), and a complete chunk gets a marker
// beside the data, a file named by its byte offset, as long as the chunk
// and empty, written without fsync. Once a file with an md5 is complete and
// matches it, its data is made durable and the file "verified" is written
// beside it: each chunk's CRC-32C. Close makes every complete chunk durable
// and leaves Dir/content/.clean, which the next start takes away. A start
// keeps complete chunks only (parts of chunks are lost); without .clean (a
// crash) it keeps only verified files, as the others' chunks may be torn.
// Markers' modification times hold the order of last reads (written at
// Close, and roughly every minute); eviction punches whole chunks out of
// the data, least recently read first, never one being read or written.
//
// Reading: [Content.Hold] returns a read's bytes held open in their chunk
// file, so that a FUSE server can splice them to the kernel without a copy.
// What is missing is downloaded once for all readers, streamed to disk a
// buffer at a time, and each reader waits only for its own bytes. A first
// read fetches what it asks and a small lead (a file of at most 1 MiB
// whole); sequential reading grows the lead (see plan), random reads get
// none, and a file whose md5 check is busy gets fewer downloads ahead (see
// calmAfter). Downloads are not retried here:
// the Source (the client) does it, while [Wanted] says a reader still
// waits.
//
// Checking: a file with an md5 is hashed in order as its bytes arrive, by
// one goroutine per file, from the downloads' buffers when they come in
// order (kept for it within hashAhead, under half of MaxMemory) and read
// back from disk otherwise; readers are held within hashAhead of it, so that
// a cold read runs at the pace of the hash rather than ahead of it. Until
// the file is complete its bytes are served unverified; from then on no
// read is served before the verdict. On a mismatch the file is discarded:
// readers waiting get an error matching [ErrCorrupt] when some of its bytes
// had been served, and the file is fetched again otherwise (once). A chunk
// of a verified file found at start-up is checked against its CRC-32C
// before its first read (and the next few in the background, ahead of a
// sequential reader), so that bytes that rotted on disk are never served.
package cache
