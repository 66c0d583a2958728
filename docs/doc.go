// Package docs holds compsfs' user documentation, one Markdown page per
// topic (cli.md, tree.md, caching.md, writing.md, errors.md, localcomps.md,
// service.md, protocol.md). Code comments cite these pages ("docs/tree.md",
// "docs/protocol.md §3.3"). The package has no code; its test keeps the
// repository's references inside the repository: no *.md or *.go file may
// point at pages outside it, every docs/ page cited must exist, and every
// protocol section cited must be a heading of docs/protocol.md.
package docs
