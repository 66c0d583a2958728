package main

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/compsfs/compsfs/fs"
)

// cmdStatus is compsfs status MOUNTPOINT: the mount's .stats, humanized.
func cmdStatus(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: compsfs status MOUNTPOINT")
	}
	s, err := fs.ReadStats(args[0])
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	var total int64
	keys := make([]string, 0, len(s.Requests))
	for k, v := range s.Requests {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	fmt.Printf("requests:      %s\n", humanize.Comma(total))
	for _, k := range keys {
		fmt.Printf("  %-24s %s\n", k, humanize.Comma(s.Requests[k]))
	}
	if c := s.Content; c != nil {
		fmt.Printf("output cache:  %s on disk, %s fetched, %s hits, %s misses, %s evictions\n",
			humanize.IBytes(uint64(max(c.BytesOnDisk, 0))), humanize.IBytes(uint64(max(c.BytesFetched, 0))),
			humanize.Comma(c.Hits), humanize.Comma(c.Misses), humanize.Comma(c.Evictions))
	}
	fmt.Printf("metadata:      %s hits, %s misses\n", humanize.Comma(s.Metadata["workitems_hits"]),
		humanize.Comma(s.Metadata["workitems_misses"]))
	fmt.Printf("errors:        %s\n", humanize.Comma(s.Errors))
	if since := s.Server.UnreachableSince; since != nil {
		fmt.Printf("server:        unreachable since %s (%s); cached data is served, the rest fails with EIO\n",
			since.Local().Format(time.DateTime), humanize.Time(*since))
	}
	if len(s.Inbox) > 0 {
		fmt.Printf("inbox:         %s pending\n", humanize.Comma(s.Inbox["pending"]))
	}
	return nil
}
