package catalog

import (
	"errors"
	"slices"
	"testing"
)

func TestParseCriteria(t *testing.T) {
	for _, tc := range []struct {
		text       string
		filters    []string
		tagFilters []string
		orderBy    string
		limit      int
		hasOwner   bool
	}{
		{text: "state=Failed", filters: []string{"State=Failed"}},
		{text: "name~sweep,state!=Succeeded", filters: []string{"Name~sweep", "State!=Succeeded"}},
		{text: "date_created>=2026-11-01", filters: []string{"DateCreated>=2026-11-01"}},
		{text: "working_directory_size<1000", filters: []string{"WorkingDirectorySize<1000"}},
		{text: "owner=alice", filters: []string{"Owner=alice"}, hasOwner: true},
		{text: "tag:Project=malaria", tagFilters: []string{"Project=malaria"}},
		{text: "tag:Reviewed", tagFilters: []string{"Reviewed"}},
		{text: "tag:Replicate>=3", tagFilters: []string{"Replicate>=3"}},
		{text: "sort:-date_created,limit:100", orderBy: "DateCreated desc", limit: 100},
		{text: "sort:name", orderBy: "Name"},
		{text: "priority=Highest,tag:x~y", filters: []string{"Priority=Highest"}, tagFilters: []string{"x~y"}},
	} {
		c, err := ParseCriteria(tc.text)
		if err != nil {
			t.Errorf("ParseCriteria(%q): %v", tc.text, err)
			continue
		}
		if !slices.Equal(c.Filters, tc.filters) || !slices.Equal(c.TagFilters, tc.tagFilters) ||
			c.OrderBy != tc.orderBy || c.Limit != tc.limit || c.HasOwner != tc.hasOwner {
			t.Errorf("ParseCriteria(%q) = %+v", tc.text, c)
		}
	}
	for _, bad := range []string{
		"", "state", "state=Finished", "colour=red", "=x", "state=Failed,", ",state=Failed",
		"limit:0", "limit:x", "limit:100001", "sort:colour", "tag:", "tag:=x", "date_created~2026",
		"priority=Urgent", "name=a=b",
	} {
		if _, err := ParseCriteria(bad); !errors.Is(err, ErrBadCriteria) {
			t.Errorf("ParseCriteria(%q) = %v, want ErrBadCriteria", bad, err)
		}
	}
}
