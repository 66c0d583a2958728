package nodes

import (
	"context"

	gofs "github.com/hanwen/go-fuse/v2/fs"
)

// readmeText is the README at the top of every mount.
const readmeText = `This is compsfs: a COMPS server mounted as files.

workitems/<id>/     one folder per work item (ls lists yours; any id can be opened)
  name, description, state, owner, worker, ...   one value per file
  summary           a one-screen overview
  metadata.json     everything above, plus tags, files and plugins, as JSON
  tags/<key>        tag values
  files/            the work item's own files (WorkOrder.json, inputs)
  relations/        depends_on/ and created/: symlinks to related entities;
                    depended_on_by/ and created_by/: the work items pointing here
  outputs/          the working directory, fetched on first read and cached
  ctl               read: state and commands; write "commission" or "cancel"
by-state/<State>/   symlinks to the work items in each state
query/<query>/      symlinks to the work items a query finds, e.g.
                    query/state=Failed,tag:Project=malaria (see query/README)
experiments/ simulations/ suites/ assetcollections/
                    open any <id> to see that entity
inbox/              create work: copy a work order here as NAME.json, or make
                    a folder NAME/ with WorkOrder.json and inputs and then
                    touch NAME/.submit; the entry becomes a symlink to the new
                    work item. NAME.error explains a refusal.
.stats              this mount's counters (compsfs status MOUNTPOINT)
`

// newReadmeFile is the README node.
func newReadmeFile(m *Mount) gofs.InodeEmbedder {
	return newTextFile(m, func(ctx context.Context) (text, error) {
		return text{data: []byte(readmeText), mtime: m.Started, final: true}, nil
	})
}
