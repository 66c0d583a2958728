// Package cache holds what compsfs remembers of the COMPS server: a metadata
// cache ([Meta]) with per-entry expiry and shared fetches, and a content cache
// ([Content]) that keeps output files' bytes on local disk in chunks, keyed by
// md5, verified, bounded in size and shared across work items. It knows
// nothing of FUSE or HTTP: the server is reached through function values.
//
// On disk, Content keeps the chunks of a file in Dir/content/<md5>-<size>/
// (Dir/content/id-<sha256 of ID, 40 hex>-<size>/ without an md5), one file
// per chunk named by its byte offset, plus an empty file "verified" once all
// chunks are there, match the md5 and have been made durable (fsync). A
// chunk is written to a temporary file and renamed, without fsync; Close
// makes every chunk durable and leaves Dir/content/.clean, which the next
// start takes away. A start without it (a crash) keeps only verified files:
// the others' chunks may be torn. Chunk files' modification times hold the
// order of last reads (written at Close, and roughly every minute).
//
// Reading: chunks are downloaded once for all readers into buffers bounded by
// MaxMemory for the whole cache; a sequential reader gets a read-ahead
// window that doubles per chunk (1, 2, 4, ... 16 chunks), downloaded in
// parallel under a global cap. A file with an md5 is hashed in order in the
// background as its chunks arrive; its chunks are served unverified until the
// check, and a read reaching the end of the file (or whose download completes
// it) waits for the verdict. On a mismatch all of it is discarded and such
// reads fail with [ErrCorrupt].
package cache
