// Package inbox is the local half of compsfs' inbox/ (docs/writing.md): a spool on
// local disk that keeps every work order and input file the user writes
// (fsync'd before any upload, manifests replaced atomically), and a
// submitter that turns spooled entries into COMPS work items exactly once.
// Every submission carries a unique tag (compsfs.submission); whenever the
// outcome of an earlier try is unknown (a lost answer, a timeout, a restart)
// the submitter looks the tag up before it saves again. Concurrent
// submissions share save requests. The package knows nothing of FUSE: the
// nodes in fs/nodes call it.
package inbox
