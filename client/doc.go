// Package client speaks the COMPS REST protocol exactly as the official Python
// client (pyCOMPS) does: token login and renewal, entity queries with paging,
// the multipart save of work items with their files, chunked large-file
// uploads, relations, tags, state changes, output-file listings and ranged
// downloads. It knows nothing of FUSE; every call takes a context, failures are
// typed errors (see Error), and idempotent requests are retried with backoff.
//
// The protocol is described in docs/protocol.md; section numbers in comments
// ("§3.3") refer to it.
package client
