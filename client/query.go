package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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

// page is one answer of a paged query and its Content-Range, if any.
type page[T any] struct {
	items  []T
	last   int
	total  int
	ranged bool
}

// queryPages yields the entities of a query in the server's order, each
// once. The first page asks for the client's page size (or less, when
// q.Count is smaller); when its Content-Range gives the total, the other
// pages are fetched in parallel (pageFetchers at a time) and yielded in
// order; without one, page after page until a short one (docs/protocol.md
// §3.2). envelope is the answer's key ("WorkItems").
func queryPages[T any](ctx context.Context, c *Client, path, envelope string, q Query) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		offset := q.Offset
		for {
			want := c.pageSize
			if q.Count > 0 {
				want = min(want, q.Offset+q.Count-offset)
			}
			pg, err := queryPage[T](ctx, c, path, envelope, q.values(offset, want))
			if err != nil {
				yield(zero, err)
				return
			}
			for _, e := range pg.items {
				if !yield(e, nil) {
					return
				}
			}
			offset += len(pg.items)
			switch {
			case len(pg.items) == 0, q.Count > 0 && offset >= q.Offset+q.Count:
				return
			case pg.ranged && pg.last+1 >= pg.total:
				return
			case pg.ranged:
				end := pg.total
				if q.Count > 0 {
					end = min(end, q.Offset+q.Count)
				}
				// The server's page (it may cap the count asked) is the step.
				parallelPages(ctx, c, path, envelope, q, offset, end, len(pg.items), yield)
				return
			case len(pg.items) < want:
				// No Content-Range: the answer was the whole remaining set (§3.2),
				// unless it is exactly a page long, when the next page tells.
				return
			}
		}
	}
}

// pageFetchers bounds the pages of one query fetched at once; it is also
// how far fetching runs ahead of the caller.
const pageFetchers = 4

// parallelPages yields the entities at offsets [from, end) of a query,
// fetched step at a time by pageFetchers goroutines and yielded in order.
// A failed page (after the retry policy) ends it with its error; a short
// one (the result shrank meanwhile) ends it after its entities.
func parallelPages[T any](ctx context.Context, c *Client, path, envelope string, q Query, from, end, step int,
	yield func(T, error) bool) {
	type result struct {
		pg  page[T]
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	n := (end - from + step - 1) / step
	results := make([]chan result, n)
	launched := 0
	var zero T
	for i := range n {
		for ; launched < n && launched < i+pageFetchers; launched++ {
			ch := make(chan result, 1)
			results[launched] = ch
			off := from + launched*step
			v := q.values(off, min(step, end-off))
			wg.Go(func() {
				pg, err := queryPage[T](ctx, c, path, envelope, v)
				ch <- result{pg, err}
			})
		}
		r := <-results[i]
		results[i] = nil
		if r.err != nil {
			yield(zero, r.err)
			return
		}
		for _, e := range r.pg.items {
			if !yield(e, nil) {
				return
			}
		}
		if off := from + i*step; len(r.pg.items) < min(step, end-off) {
			return
		}
	}
}

// queryPage fetches one page, decoding it as it streams in.
func queryPage[T any](ctx context.Context, c *Client, path, envelope string, v url.Values) (page[T], error) {
	var pg page[T]
	resp, err := c.fetch(ctx, &request{method: http.MethodGet, path: path, query: v, idempotent: true},
		func(body io.Reader) error {
			var err error
			pg.items, err = decodeEnvelope[T](body, envelope)
			return err
		})
	if err != nil {
		return page[T]{}, err
	}
	_, pg.last, pg.total, pg.ranged = contentRange(resp.Header)
	return pg, nil
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
	pg, err := queryPage[T](ctx, c, path, kind.Plural(), v)
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	if len(pg.items) != 1 {
		return nil, fmt.Errorf("get %s %s: %w: %d entities for one id", kind, id, ErrMalformed, len(pg.items))
	}
	return &pg.items[0], nil
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
