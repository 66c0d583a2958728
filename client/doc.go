// Package client speaks the COMPS REST protocol exactly as the official Python
// client (pyCOMPS) does: token login and renewal, entity queries with paging,
// the multipart save of work items with their files, chunked large-file
// uploads, relations, tags, state changes, output-file listings and ranged
// downloads. It knows nothing of FUSE; every call takes a context, failures are
// typed errors (see Error), and one retry policy (retry.go) decides for every
// call what is tried again and when: other layers ask it ([Client.Backoff],
// [RetryWhile]) rather than loop on their own.
//
// The protocol is described in docs/protocol.md; section numbers in comments
// ("§3.3") refer to it.
package client
