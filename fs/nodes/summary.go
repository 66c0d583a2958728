package nodes

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/compsfs/compsfs/client"
	"github.com/compsfs/compsfs/fs/catalog"
)

// summaryText builds a one-screen human summary: labelled lines, values
// from the server made terminal-safe, empty values left out, dates with
// their age relative to now.
type summaryText struct {
	b   strings.Builder
	now time.Time
}

// line adds "label: value" unless value is empty.
func (s *summaryText) line(label, value string) {
	if value != "" {
		fmt.Fprintf(&s.b, "%-12s %s\n", label+":", terminalSafe(value, strings.Repeat(" ", 13)))
	}
}

// age is a date and how long ago it was, "" for the zero time.
func (s *summaryText) age(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDate(t) + " (" + humanize.RelTime(t, s.now, "ago", "from now") + ")"
}

// renderSummary is the one-screen human summary of a work item, with
// humanized size and ages relative to now.
func renderSummary(wi *client.WorkItem, now time.Time) []byte {
	s := &summaryText{now: now}
	s.line("Name", wi.Name)
	s.line("Id", wi.ID)
	s.line("State", string(wi.State))
	s.line("Owner", wi.Owner)
	s.line("Worker", wi.Worker.String())
	s.line("Environment", wi.EnvironmentName)
	s.line("Priority", string(wi.Priority))
	s.line("Created", s.age(wi.DateCreated.Time))
	s.line("Modified", s.age(wi.LastModified.Time))
	if wi.WorkingDirectory != "" {
		s.line("Working dir", fmt.Sprintf("%s (%s)", wi.WorkingDirectory, humanize.IBytes(uint64(max(wi.WorkingDirectorySize, 0)))))
	}
	s.line("Host", wi.HostName)
	s.line("Error", wi.ErrorMessage)
	s.line("Description", wi.Description)
	return []byte(s.b.String())
}

// renderEntitySummary is the one-screen human summary of a suite,
// experiment, simulation or asset collection (its properties, without
// tags).
func renderEntitySummary(e *catalog.Entity, now time.Time) []byte {
	s := &summaryText{now: now}
	s.line("Name", e.Name)
	s.line("Id", e.ID)
	s.line("Type", string(e.Kind))
	s.line("State", e.State)
	s.line("Owner", e.Owner)
	s.line("Suite", e.SuiteID)
	s.line("Experiment", e.ExperimentID)
	s.line("Created", s.age(e.Created))
	s.line("Modified", s.age(e.Modified))
	if e.Kind == client.KindAssetCollection {
		var size int64
		for _, a := range e.Assets {
			size += max(a.Length, 0)
		}
		s.line("Assets", fmt.Sprintf("%d files (%s)", len(e.Assets), humanize.IBytes(uint64(size))))
	}
	s.line("Error", e.ErrorMessage)
	s.line("Description", e.Description)
	return []byte(s.b.String())
}
