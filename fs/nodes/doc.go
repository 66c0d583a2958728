// Package nodes holds compsfs' FUSE nodes, one node kind per file, named for
// the part of the tree it serves (WorkItemsDir is workitems/, OutputsDir an
// outputs/ folder, ...). All nodes share one *Mount: the COMPS client behind
// the metadata and content caches, the options and the clock. Errors become
// errno values in exactly one place, toErrno.
package nodes
