package nodes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// QueryDir is query/: any folder name under it that is a query of work
// items (catalog.Criteria: state=Failed,tag:Project=malaria,...) is a
// folder of links to the work items matching it, made by one paged query
// that also fills their metadata. Listing query/ shows README and the
// queries this mount has answered. A malformed query, or one the server
// refuses, is EINVAL; the reason is logged and shown in query/README.
type QueryDir struct {
	gofs.Inode
	fixedEntries
	m *Mount

	mu      sync.Mutex
	seen    []string  // queries answered, oldest first, at most seenLimit
	refused []refusal // the latest refusals, at most maxRefusals
}

// refusal is one query folder name refused, and why.
type refusal struct {
	at           time.Time
	name, reason string
}

var _ = (gofs.NodeGetattrer)((*QueryDir)(nil))
var _ = (gofs.NodeLookuper)((*QueryDir)(nil))
var _ = (gofs.NodeReaddirer)((*QueryDir)(nil))

// maxRefusals is how many refusals query/README shows.
const maxRefusals = 10

// queryReadme is the file that explains query/.
const queryReadme = "README"

// newQueryDir makes the query/ folder.
func newQueryDir(m *Mount) gofs.InodeEmbedder {
	return &QueryDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}}
}

// Getattr reports a read-only folder.
func (d *QueryDir) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	d.m.fillAttr(&out.Attr, modeDir, 0, d.m.Started)
	out.SetTimeout(d.m.kernelTTL(false))
	return 0
}

// Lookup finds README or answers a query: its folder exists once the
// server has answered it.
func (d *QueryDir) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if errno := nameErrno(name); errno != 0 {
		return nil, errno
	}
	if name == queryReadme {
		return newChild(ctx, d.EmbeddedInode(), newTextFile(d.m, d.readme), modeFile, inoOf("query", name), out, 0)
	}
	cr, err := catalog.ParseCriteria(name)
	if err == nil {
		cctx, cancel := d.m.callCtx(ctx)
		_, err = d.m.cat.ListQuery(cctx, cr)
		cancel()
	}
	if err != nil {
		errno := toErrno(err)
		if errors.Is(err, catalog.ErrBadCriteria) || errors.Is(err, client.ErrBadRequest) {
			errno = syscall.EINVAL
			d.refuse(name, err)
		}
		d.m.logError("query", err, "query", name)
		return nil, errno
	}
	d.remember(name)
	return newChild(ctx, d.EmbeddedInode(), newQueryResultDir(d.m, cr), modeDir, inoOf("query", name), out,
		d.m.kernelTTL(false))
}

// Readdir lists README and the queries answered so far.
func (d *QueryDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	d.mu.Lock()
	names := slices.Clone(d.seen)
	d.mu.Unlock()
	slices.Sort(names)
	entries := []fuse.DirEntry{{Name: queryReadme, Mode: syscall.S_IFREG, Ino: inoOf("query", queryReadme)}}
	for _, n := range names {
		entries = append(entries, fuse.DirEntry{Name: n, Mode: syscall.S_IFDIR, Ino: inoOf("query", n)})
	}
	return gofs.NewListDirStream(entries), 0
}

// remember adds an answered query to the listing.
func (d *QueryDir) remember(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slices.Contains(d.seen, name) {
		return
	}
	if len(d.seen) >= seenLimit {
		d.seen = d.seen[1:]
	}
	d.seen = append(d.seen, name)
}

// refuse records a refused query for README.
func (d *QueryDir) refuse(name string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.refused) >= maxRefusals {
		d.refused = d.refused[1:]
	}
	d.refused = append(d.refused, refusal{at: d.m.cfg.Now(), name: name, reason: err.Error()})
}

// readme renders query/README: the grammar, examples, and the latest
// refusals.
func (d *QueryDir) readme(ctx context.Context) (text, error) {
	var b strings.Builder
	b.WriteString(queryGrammar)
	d.mu.Lock()
	refused := slices.Clone(d.refused)
	d.mu.Unlock()
	if len(refused) > 0 {
		b.WriteString("\nRefused lately (newest last):\n")
		for _, r := range refused {
			fmt.Fprintf(&b, "  %s  %s\n      %s\n", r.at.UTC().Format(time.RFC3339), terminalSafe(r.name, ""),
				terminalSafe(r.reason, "      "))
		}
	}
	return text{data: []byte(b.String()), mtime: d.m.cfg.Now(), volatile: true}, nil
}

// queryGrammar is the fixed part of query/README.
const queryGrammar = `query/ - work items found by a query

Any folder name under query/ is a query. Its folder holds a symlink to
../../workitems/<id> for each work item that matches, from one request to
the server, so cat query/<query>/*/state reads no more from it. Only your
work items are searched, unless the query names an owner (or the mount was
made with --all-owners). Listings are kept --dir-ttl, like workitems/.

A query is terms separated by commas, all of which must hold:

  <property><op><value>   op is one of  =  !=  ~ (contains)  <  >  <=  >=
  tag:<key><op><value>    a tag compared the same way
  tag:<key>               the tag is present, whatever its value
  sort:<property>         order (sort:-<property> for descending)
  limit:<n>               at most n work items

Properties: id name description owner state environment_name date_created
last_modified error_message host_name worker_instance_id priority
working_directory working_directory_size asset_collection_id
Dates are 2026-11-01 or 2026-11-01T12:00:00Z. States and priorities are
their COMPS names (Failed, Succeeded, Highest, ...).

Examples:
  ls query/state=Failed
  ls query/name~sweep,date_created>=2026-11-01
  ls query/owner=alice,state=Running
  ls query/tag:Project=malaria
  ls query/tag:Reviewed
  ls query/sort:-date_created,limit:10
  grep -l error query/state=Failed/*/outputs/StdErr.txt

A malformed query, or one the server refuses, is "Invalid argument"; the
reason is in the log and below.
`
