// Package cache holds what compsfs remembers of the COMPS server: a metadata
// cache ([Meta]) with per-entry expiry and shared fetches, and a content cache
// ([Content]) that keeps output files' bytes on local disk in chunks, keyed by
// md5, verified, bounded in size and shared across work items. It knows
// nothing of FUSE or HTTP: the server is reached through function values.
//
// On disk, Content keeps the chunks of a file in Dir/content/<md5>-<size>/
// (Dir/content/id-<sha256 of ID, 40 hex>-<size>/ without an md5), one file
// per chunk named by its byte offset, plus an empty file "verified" once all
// chunks are there and match the md5. Chunks of an incomplete file are served
// unverified; a file is checked when its last missing chunk arrives, and on a
// mismatch all of it is discarded and the read fails with [ErrCorrupt].
package cache
