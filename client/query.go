package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Query is the official client's QueryCriteria (§3.2). Names are wire names
// (PascalCase): Fields{"Id","State"}, Filters{"State=Failed","Name~Test"},
// TagFilters{"type=singularity"}, OrderBy "DateCreated desc".
type Query struct {
	Fields     []string
	Children   []string
	Filters    []string
	TagFilters []string
	OrderBy    string
	// Offset is the index of the first result wanted.
	Offset int
	// Count bounds the number of results; 0 means all of them, fetched page by page.
	Count int
	// Extra parameters are passed through unchanged.
	Extra url.Values
}

// maxCount is the most pyCOMPS ever asks for in one answer (§3.2).
const maxCount = 100000

// values renders the query parameters for one page.
func (q Query) values(offset, count int) url.Values {
	v := url.Values{}
	for k, vs := range q.Extra {
		v[k] = append([]string(nil), vs...)
	}
	if len(q.Fields) > 0 {
		v.Set("fields", strings.Join(q.Fields, ","))
	}
	if len(q.Children) > 0 {
		v.Set("children", strings.Join(q.Children, ","))
	}
	if len(q.Filters) > 0 {
		v.Set("filters", strings.Join(q.Filters, ","))
	}
	if len(q.TagFilters) > 0 {
		v.Set("tagfilters", strings.Join(q.TagFilters, ","))
	}
	if q.OrderBy != "" {
		v.Set("orderby", q.OrderBy)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset)) // pyCOMPS omits offset 0
	}
	v.Set("count", strconv.Itoa(min(count, maxCount)))
	return v
}

// contentRange reads the paging header of a query answer (§3.2):
// "[unit ]<first>-<last>/<total>". ok is false when there is none.
func contentRange(h http.Header) (first, last, total int, ok bool) {
	s := strings.TrimSpace(h.Get("Content-Range"))
	if s == "" {
		return 0, 0, 0, false
	}
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		s = s[i+1:]
	}
	span, tot, found := strings.Cut(s, "/")
	a, b, found2 := strings.Cut(span, "-")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	first, err1 = strconv.Atoi(a)
	last, err2 = strconv.Atoi(b)
	total, err3 = strconv.Atoi(tot)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, 0, false
	}
	return first, last, total, true
}

// queryPages yields the entities of a query, page by page: each page asks for
// offset and count, and paging stops when a page is short, empty, or the
// Content-Range total is reached. envelope is the answer's key ("WorkItems").
func queryPages[T any](ctx context.Context, c *Client, path, envelope string, q Query) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		offset, remaining := q.Offset, q.Count
		for {
			want := c.pageSize
			if q.Count > 0 {
				want = min(want, remaining)
			}
			page, h, err := queryPage[T](ctx, c, path, envelope, q.values(offset, want))
			if err != nil {
				yield(zero, err)
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			offset += len(page)
			remaining -= len(page)
			_, last, total, ranged := contentRange(h)
			switch {
			case len(page) == 0, q.Count > 0 && remaining <= 0:
				return
			case ranged && last+1 >= total:
				return
			case !ranged && len(page) < want:
				// No Content-Range: the answer was the whole remaining set (§3.2),
				// unless it is exactly a page long, when the next page tells.
				return
			}
		}
	}
}

// queryPage fetches one page and returns its entities and headers.
func queryPage[T any](ctx context.Context, c *Client, path, envelope string, v url.Values) ([]T, http.Header, error) {
	var answer map[string]json.RawMessage
	resp, err := c.call(ctx, &request{method: http.MethodGet, path: path, query: v, idempotent: true}, &answer)
	if err != nil {
		return nil, nil, err
	}
	raw, ok := answer[envelope]
	if !ok {
		return nil, nil, fmt.Errorf("GET %s: %w: no %q in the answer", path, ErrMalformed, envelope)
	}
	var page []T
	if string(raw) != "null" {
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, nil, fmt.Errorf("GET %s: %w: %v", path, ErrMalformed, err)
		}
	}
	return page, resp.Header, nil
}

// getOne fetches one entity by id (§3.2, §9): exactly one element expected.
func getOne[T any](ctx context.Context, c *Client, kind Kind, id string, q Query) (*T, error) {
	id, err := CanonicalID(id)
	if err != nil {
		return nil, err
	}
	path := kind.Plural() + "/" + id
	v := q.values(0, maxCount)
	if kind == KindExperiment || kind == KindSuite {
		v.Del("count") // pyCOMPS sends count for these kinds only when asked (§3.2)
	}
	page, _, err := queryPage[T](ctx, c, path, kind.Plural(), v)
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	if len(page) != 1 {
		return nil, fmt.Errorf("get %s %s: %w: %d entities for one id", kind, id, ErrMalformed, len(page))
	}
	return &page[0], nil
}

// collect gathers an iterator's values into a slice, stopping at the first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
