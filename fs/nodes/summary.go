package nodes

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/compsfs/compsfs/client"
)

// renderSummary is the one-screen human summary of a work item, with
// humanized size and ages relative to now; values from the server are made
// terminal-safe.
func renderSummary(wi *client.WorkItem, now time.Time) []byte {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-12s %s\n", label+":", terminalSafe(value, strings.Repeat(" ", 13)))
		}
	}
	age := func(t client.Time) string {
		if t.IsZero() {
			return ""
		}
		return formatDate(t.Time) + " (" + humanize.RelTime(t.Time, now, "ago", "from now") + ")"
	}
	line("Name", wi.Name)
	line("Id", wi.ID)
	line("State", string(wi.State))
	line("Owner", wi.Owner)
	line("Worker", wi.Worker.String())
	line("Environment", wi.EnvironmentName)
	line("Priority", string(wi.Priority))
	line("Created", age(wi.DateCreated))
	line("Modified", age(wi.LastModified))
	if wi.WorkingDirectory != "" {
		line("Working dir", fmt.Sprintf("%s (%s)", wi.WorkingDirectory, humanize.IBytes(uint64(max(wi.WorkingDirectorySize, 0)))))
	}
	line("Host", wi.HostName)
	line("Error", wi.ErrorMessage)
	line("Description", wi.Description)
	return []byte(b.String())
}
