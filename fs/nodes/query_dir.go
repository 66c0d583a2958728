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

// QueryDir is query/ (work items) or experiments/<id>/query/ (the
// experiment's simulations): any folder name under it that is a query
// (catalog.Criteria: state=Failed,tag:Project=malaria,...) is a folder of
// links to what matches it, made by one paged query that also fills their
// metadata. Listing it shows README and the queries this mount has
// answered there. A malformed query, or one the server refuses, is EINVAL;
// the reason is logged and shown in its README.
type QueryDir struct {
	gofs.Inode
	fixedEntries
	m *Mount
	// path is the folder's path from the root; of is what it finds.
	path string
	of   queryKind

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

// queryKind is what a query folder finds: how its names parse, how a
// query is answered, and what its README says of it.
type queryKind struct {
	parse   func(string) (catalog.Criteria, error)
	results func(cr catalog.Criteria) *LinksDir
	// what names the found things; properties and examples are for README.
	what, properties, examples string
}

// newQueryDir makes the query/ folder: work items.
func newQueryDir(m *Mount) gofs.InodeEmbedder {
	return &QueryDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: "query", of: queryKind{
		parse:   catalog.ParseCriteria,
		results: func(cr catalog.Criteria) *LinksDir { return newQueryResultDir(m, cr) },
		what:    "work items", properties: workItemQueryProperties, examples: workItemQueryExamples,
	}}
}

// newSimulationQueryDir makes experiments/<id>/query/: its simulations.
func newSimulationQueryDir(m *Mount, experiment string) gofs.InodeEmbedder {
	path := entityDirName(client.KindExperiment) + "/" + experiment + "/query"
	return &QueryDir{m: m, fixedEntries: fixedEntries{nodeDefaults{m}}, path: path, of: queryKind{
		parse: catalog.ParseSimulationCriteria,
		results: func(cr catalog.Criteria) *LinksDir {
			return newSimulationQueryResultDir(m, experiment, path+"/"+cr.Text, cr)
		},
		what: "simulations of this experiment", properties: simulationQueryProperties,
		examples: simulationQueryExamples,
	}}
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
		return newChild(ctx, d.EmbeddedInode(), newTextFile(d.m, d.readme), modeFile, inoOf(d.path, name), out, 0)
	}
	cr, err := d.of.parse(name)
	var results *LinksDir
	if err == nil {
		results = d.of.results(cr)
		cctx, cancel := d.m.callCtx(ctx)
		_, err = results.list(cctx)
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
	return newChild(ctx, d.EmbeddedInode(), results, modeDir, inoOf(d.path, name), out,
		d.m.kernelTTL(false))
}

// Readdir lists README and the queries answered so far.
func (d *QueryDir) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	d.mu.Lock()
	names := slices.Clone(d.seen)
	d.mu.Unlock()
	slices.Sort(names)
	entries := []fuse.DirEntry{{Name: queryReadme, Mode: syscall.S_IFREG, Ino: inoOf(d.path, queryReadme)}}
	for _, n := range names {
		entries = append(entries, fuse.DirEntry{Name: n, Mode: syscall.S_IFDIR, Ino: inoOf(d.path, n)})
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
	fmt.Fprintf(&b, queryGrammar, d.path, d.of.what, d.of.properties, d.of.examples)
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

// queryGrammar is the fixed part of a query folder's README; %[1]s is
// the folder, %[2]s what it finds, %[3]s the properties and %[4]s the
// examples.
const queryGrammar = `%[1]s/ - %[2]s found by a query

Any folder name under %[1]s/ is a query. Its folder holds a symlink to the
folder of each of the %[2]s that match, from one request to the server,
so cat %[1]s/<query>/*/state reads no more from it. Listings are kept
--dir-ttl, and what is written through the mount shows in them at once.

A query is terms separated by commas, all of which must hold:

  <property><op><value>   op is one of  =  !=  ~ (contains)  <  >  <=  >=
  tag:<key><op><value>    a tag compared the same way
  tag:<key>               the tag is present, whatever its value
  sort:<property>         order (sort:-<property> for descending)
  limit:<n>               at most n of them

Properties: %[3]s
Dates are 2026-11-01 or 2026-11-01T12:00:00Z. States and priorities are
their COMPS names (Failed, Succeeded, Highest, ...).

Examples:
%[4]s
A malformed query, or one the server refuses, is "Invalid argument"; the
reason is in the log and below.
`

// The properties and examples of the query folders' READMEs.
const (
	workItemQueryProperties = `id name description owner state environment_name
date_created last_modified error_message host_name worker_instance_id
priority working_directory working_directory_size asset_collection_id
Only your work items are searched, unless the query names an owner (or
the mount was made with --all-owners).`
	workItemQueryExamples = `  ls query/state=Failed
  ls query/name~sweep,date_created>=2026-11-01
  ls query/owner=alice,state=Running
  ls query/tag:Project=malaria
  ls query/tag:Reviewed
  ls query/sort:-date_created,limit:10
  grep -l error query/state=Failed/*/outputs/StdErr.txt
`
	simulationQueryProperties = `id name description owner state date_created
last_modified error_message (state is the simulation's state)`
	simulationQueryExamples = `  ls query/state=Failed
  ls query/tag:Run_Number>=3,tag:x_Temporary_Larval_Habitat~0.7
  ls query/name~Replicate,sort:-date_created,limit:5
  grep -l Traceback query/state=Failed/*/outputs/StdErr.txt
`
)
