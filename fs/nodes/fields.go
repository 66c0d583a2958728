package nodes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
)

// field maps one metadata file to the work-item property it shows. The
// names are the official client's snake_case property names (docs/tree.md).
type field struct {
	name  string
	value func(wi *client.WorkItem) string
	// update is the change that writing value makes, or an error for a
	// value the field cannot take; nil for the read-only fields. Name and
	// description are written through the mount (docs/writing.md).
	update func(value string) (client.WorkItemUpdate, error)
}

// workItemFields is every metadata file of a work item folder, in the order
// they are listed.
var workItemFields = []field{
	{"name", func(w *client.WorkItem) string { return w.Name }, updateName},
	{"description", func(w *client.WorkItem) string { return w.Description },
		func(v string) (client.WorkItemUpdate, error) { return client.WorkItemUpdate{Description: &v}, nil }},
	{"state", func(w *client.WorkItem) string { return string(w.State) }, nil},
	{"owner", func(w *client.WorkItem) string { return w.Owner }, nil},
	{"worker", func(w *client.WorkItem) string { return w.Worker.String() }, nil},
	{"environment_name", func(w *client.WorkItem) string { return w.EnvironmentName }, nil},
	{"priority", func(w *client.WorkItem) string { return string(w.Priority) }, nil},
	{"date_created", func(w *client.WorkItem) string { return formatDate(w.DateCreated.Time) }, nil},
	{"last_modified", func(w *client.WorkItem) string { return formatDate(w.LastModified.Time) }, nil},
	{"error_message", func(w *client.WorkItem) string { return w.ErrorMessage }, nil},
	{"host_name", func(w *client.WorkItem) string { return w.HostName }, nil},
	{"worker_instance_id", func(w *client.WorkItem) string { return w.WorkerInstanceID }, nil},
	{"working_directory", func(w *client.WorkItem) string { return w.WorkingDirectory }, nil},
	{"working_directory_size", func(w *client.WorkItem) string { return strconv.FormatInt(w.WorkingDirectorySize, 10) }, nil},
	{"asset_collection_id", func(w *client.WorkItem) string { return w.AssetCollectionID }, nil},
}

// updateName is the change of a written name (see checkName).
func updateName(v string) (client.WorkItemUpdate, error) {
	if err := checkName(v); err != nil {
		return client.WorkItemUpdate{}, err
	}
	return client.WorkItemUpdate{Name: &v}, nil
}

// checkName refuses an empty (or blank) name with EINVAL, as the server
// would.
func checkName(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("a name cannot be empty: %w", syscall.EINVAL)
	}
	return nil
}

// formatDate renders a date as RFC 3339 in UTC; the zero time is "".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// fileLine is the content of a one-value file: the value and a newline, or
// nothing at all when there is no value (like sysfs, docs/tree.md).
func fileLine(v string) []byte {
	if v == "" {
		return nil
	}
	return []byte(v + "\n")
}

// newFieldFile is the file of one metadata field, showing render: read-only
// when update is nil; else writing it saves the value through update (the
// change it makes, or an error for a value the field cannot take) and store
// (docs/writing.md). ino is the file's inode number.
func newFieldFile[U any](m *Mount, ino uint64, name string, render func(ctx context.Context) (text, error),
	update func(value string) (U, error), store func(ctx context.Context, u U) error) gofs.InodeEmbedder {
	if update == nil {
		return newTextFile(m, render)
	}
	return newWritableFile(m, ino, render, func(ctx context.Context, value string) error {
		u, err := update(value)
		if err != nil {
			return err
		}
		if err := store(ctx, u); err != nil {
			return fmt.Errorf("save %s: %w", name, err)
		}
		return nil
	})
}
