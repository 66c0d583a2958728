// Package cache holds what compsfs remembers of the COMPS server: a metadata
// cache ([Meta]) with per-entry expiry and shared fetches, and a content cache
// ([Content]) that keeps output files' bytes on local disk in chunks, keyed by
// md5, verified, bounded in size and shared across work items. It knows
// nothing of FUSE or HTTP: the server is reached through function values.
package cache
