package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/compsfs/compsfs/fs"
)

// newStatusCommand is compsfs status MOUNTPOINT.
func newStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "status MOUNTPOINT",
		Short:             "print a running mount's figures",
		Long:              "Print the counters of the compsfs mount on MOUNTPOINT (its hidden .stats file), humanized.",
		Args:              exactArgs("MOUNTPOINT"),
		ValidArgsFunction: completeMounts,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireCompsfsMount(args[0]); err != nil {
				return err
			}
			s, err := fs.ReadStats(args[0])
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			printStatus(cmd.OutOrStdout(), s)
			return nil
		},
	}
}

// printStatus writes the counters humanized.
func printStatus(w io.Writer, s fs.Stats) {
	var total int64
	keys := make([]string, 0, len(s.Requests))
	for k, v := range s.Requests {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "requests:      %s\n", humanize.Comma(total))
	for _, k := range keys {
		fmt.Fprintf(w, "  %-24s %s\n", k, humanize.Comma(s.Requests[k]))
	}
	if c := s.Content; c != nil {
		fmt.Fprintf(w, "output cache:  %s on disk, %s fetched, %s hits, %s misses, %s evictions\n",
			humanize.IBytes(uint64(max(c.BytesOnDisk, 0))), humanize.IBytes(uint64(max(c.BytesFetched, 0))),
			humanize.Comma(c.Hits), humanize.Comma(c.Misses), humanize.Comma(c.Evictions))
	}
	fmt.Fprintf(w, "metadata:      %s hits, %s misses\n", humanize.Comma(s.Metadata["workitems_hits"]),
		humanize.Comma(s.Metadata["workitems_misses"]))
	fmt.Fprintf(w, "errors:        %s\n", humanize.Comma(s.Errors))
	if since := s.Server.UnreachableSince; since != nil {
		fmt.Fprintf(w, "server:        unreachable since %s (%s); cached data is served, the rest fails with EIO\n",
			since.Local().Format(time.DateTime), humanize.Time(*since))
	}
	if len(s.Inbox) > 0 {
		fmt.Fprintf(w, "inbox:         %s pending\n", humanize.Comma(s.Inbox["pending"]))
	}
	for _, u := range s.Uploads {
		fmt.Fprintf(w, "  inbox/%s: %s of %s sent (%d%%)\n", u.Name, humanize.IBytes(uint64(u.Done)),
			humanize.IBytes(uint64(u.Total)), u.Done*100/max(u.Total, 1))
	}
}
