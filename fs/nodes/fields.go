package nodes

import (
	"strconv"
	"time"

	"github.com/compsfs/compsfs/client"
)

// field maps one metadata file to the work-item property it shows. The
// names are the official client's snake_case property names (SPEC §2).
type field struct {
	name     string
	value    func(wi *client.WorkItem) string
	writable bool // name and description: written through the mount (SPEC §4)
}

// workItemFields is every metadata file of a work item folder, in the order
// they are listed.
var workItemFields = []field{
	{"name", func(w *client.WorkItem) string { return w.Name }, true},
	{"description", func(w *client.WorkItem) string { return w.Description }, true},
	{"state", func(w *client.WorkItem) string { return string(w.State) }, false},
	{"owner", func(w *client.WorkItem) string { return w.Owner }, false},
	{"worker", func(w *client.WorkItem) string { return w.Worker.String() }, false},
	{"environment_name", func(w *client.WorkItem) string { return w.EnvironmentName }, false},
	{"priority", func(w *client.WorkItem) string { return string(w.Priority) }, false},
	{"date_created", func(w *client.WorkItem) string { return formatDate(w.DateCreated.Time) }, false},
	{"last_modified", func(w *client.WorkItem) string { return formatDate(w.LastModified.Time) }, false},
	{"error_message", func(w *client.WorkItem) string { return w.ErrorMessage }, false},
	{"host_name", func(w *client.WorkItem) string { return w.HostName }, false},
	{"worker_instance_id", func(w *client.WorkItem) string { return w.WorkerInstanceID }, false},
	{"working_directory", func(w *client.WorkItem) string { return w.WorkingDirectory }, false},
	{"working_directory_size", func(w *client.WorkItem) string { return strconv.FormatInt(w.WorkingDirectorySize, 10) }, false},
	{"asset_collection_id", func(w *client.WorkItem) string { return w.AssetCollectionID }, false},
}

// formatDate renders a date as RFC 3339 in UTC; the zero time is "".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// fileLine is the content of a one-value file: the value and a newline, or
// nothing at all when there is no value (like sysfs, SPEC §2).
func fileLine(v string) []byte {
	if v == "" {
		return nil
	}
	return []byte(v + "\n")
}
