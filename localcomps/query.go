package localcomps

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxCount is the largest count the official client sends: it asks for
// min(100000, the caller's count) and pages only beyond that
// (docs/protocol.md §3.2).
const maxCount = 100000

// entityQuery is a parsed query string of GET /api/<Kind>s.
type entityQuery struct {
	kind      string
	fields    []fieldDef
	children  map[string]bool
	where     []string
	args      []any
	order     string
	orderArgs []any
	offset    int
	count     int
}

// queryParam returns a query parameter by name, ignoring case, with all
// its occurrences joined by commas.
func queryParam(q url.Values, name string) (string, bool) {
	var vals []string
	for k, v := range q {
		if strings.EqualFold(k, name) {
			vals = append(vals, v...)
		}
	}
	return strings.Join(vals, ","), len(vals) > 0
}

// splitList splits a comma-joined list, dropping empty items and spaces.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseEntityQuery reads fields, children, filters, tagfilters, orderby,
// offset and count (docs/protocol.md §3.2) for kind; bad input is a 400.
func parseEntityQuery(kind string, q url.Values, maxPage int) (*entityQuery, error) {
	eq := &entityQuery{kind: kind, children: map[string]bool{}, count: maxPage}
	if v, ok := queryParam(q, "fields"); ok && strings.TrimSpace(v) != "" {
		for _, name := range splitList(v) {
			if f, ok := lookupField(kind, name); ok {
				eq.fields = append(eq.fields, f)
			} else if hasChild(kind, name) {
				eq.children[name] = true
			} else {
				return nil, errorf(http.StatusBadRequest, "unknown field %q for %s", name, kind)
			}
		}
	} else {
		eq.fields = kindFields[kind]
	}
	if v, ok := queryParam(q, "children"); ok {
		for _, name := range splitList(v) {
			if !hasChild(kind, name) {
				return nil, errorf(http.StatusBadRequest, "unknown child %q for %s", name, kind)
			}
			eq.children[name] = true
		}
	}
	if v, ok := queryParam(q, "filters"); ok {
		for _, c := range splitList(v) {
			if err := eq.addFilter(c); err != nil {
				return nil, err
			}
		}
	}
	if v, ok := queryParam(q, "tagfilters"); ok {
		for _, c := range splitList(v) {
			if err := eq.addTagFilter(c); err != nil {
				return nil, err
			}
		}
	}
	if v, ok := queryParam(q, "orderby"); ok && strings.TrimSpace(v) != "" {
		if err := eq.setOrder(v); err != nil {
			return nil, err
		}
	}
	var err error
	if eq.offset, err = intParam(q, "offset", 0); err != nil {
		return nil, err
	}
	if eq.count, err = intParam(q, "count", maxPage); err != nil {
		return nil, err
	}
	eq.count = min(eq.count, maxPage)
	return eq, nil
}

// intParam reads a non-negative integer parameter.
func intParam(q url.Values, name string, def int) (int, error) {
	v, ok := queryParam(q, name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, errorf(http.StatusBadRequest, "%s must be a non-negative integer, got %q", name, v)
	}
	return n, nil
}

// operators are the comparison operators, longest first.
var operators = []string{"<=", ">=", "!=", "=", "~", "<", ">"}

// sqlOps maps an operator to SQL (~ is handled apart).
var sqlOps = map[string]string{"<=": "<=", ">=": ">=", "!=": "!=", "=": "=", "<": "<", ">": ">"}

// splitCondition cuts "<name><op><value>" where name ends at the first
// character that can begin an operator.
func splitCondition(c string) (name, op, value string, ok bool) {
	i := strings.IndexAny(c, "<>=!~")
	if i < 0 {
		return strings.TrimSpace(c), "", "", false
	}
	for _, o := range operators {
		if strings.HasPrefix(c[i:], o) {
			return strings.TrimSpace(c[:i]), o, c[i+len(o):], true
		}
	}
	return "", "", "", false
}

// addFilter adds one `filters` condition on a basic property.
func (eq *entityQuery) addFilter(c string) error {
	name, op, value, ok := splitCondition(c)
	if !ok || name == "" {
		return errorf(http.StatusBadRequest, "malformed filter %q", c)
	}
	f, found := lookupField(eq.kind, name)
	if !found {
		return errorf(http.StatusBadRequest, "unknown filter field %q for %s", name, eq.kind)
	}
	if f.expr == "" {
		return errorf(http.StatusBadRequest, "field %q cannot be filtered", name)
	}
	switch f.typ {
	case ftString:
		return eq.compare(f.expr, op, value)
	case ftUUID:
		if op == "~" {
			return eq.compare(f.expr, op, value)
		}
		if op != "=" && op != "!=" {
			return errorf(http.StatusBadRequest, "operator %s not valid on %s", op, name)
		}
		id, err := parseID(value)
		if err != nil {
			return errorf(http.StatusBadRequest, "filter %s: %v", name, err)
		}
		return eq.compare(f.expr, op, id)
	case ftEnum:
		n, known := f.enum[value]
		if !known {
			return errorf(http.StatusBadRequest, "filter %s: unknown value %q", name, value)
		}
		if op == "=" || op == "!=" {
			return eq.compare(f.expr, op, value)
		}
		if op == "~" {
			return errorf(http.StatusBadRequest, "operator ~ not valid on %s", name)
		}
		expr, args := enumRank(f.expr, f.enum)
		eq.where = append(eq.where, expr+" "+sqlOps[op]+" ?")
		eq.args = append(eq.args, append(args, n)...)
		return nil
	case ftDate:
		t, err := parseDate(value)
		if err != nil || op == "~" {
			return errorf(http.StatusBadRequest, "filter %s: bad date or operator in %q", name, c)
		}
		return eq.compare(f.expr, op, t.UnixNano())
	case ftInt:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || op == "~" {
			return errorf(http.StatusBadRequest, "filter %s: bad integer or operator in %q", name, c)
		}
		return eq.compare(f.expr, op, n)
	}
	return errorf(http.StatusBadRequest, "field %q cannot be filtered", name)
}

// compare adds "<expr> <op> value"; ~ is a case-insensitive contains.
func (eq *entityQuery) compare(expr, op string, value any) error {
	if op == "~" {
		eq.where = append(eq.where, "instr(lower("+expr+"), lower(?)) > 0")
	} else {
		eq.where = append(eq.where, expr+" "+sqlOps[op]+" ?")
	}
	eq.args = append(eq.args, value)
	return nil
}

// enumRank is a SQL expression giving an enum column's number.
func enumRank(expr string, enum map[string]int) (string, []any) {
	names := make([]string, 0, len(enum))
	for k := range enum {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	var args []any
	b.WriteString("(CASE " + expr)
	for _, k := range names {
		b.WriteString(" WHEN ? THEN ?")
		args = append(args, k, enum[k])
	}
	b.WriteString(" ELSE -1 END)")
	return b.String(), args
}

// addTagFilter adds one `tagfilters` condition; the key is verbatim.
func (eq *entityQuery) addTagFilter(c string) error {
	key, op, value, ok := splitCondition(c)
	if key == "" {
		return errorf(http.StatusBadRequest, "malformed tag filter %q", c)
	}
	if !ok {
		if strings.ContainsAny(c, "<>=!~") {
			return errorf(http.StatusBadRequest, "malformed tag filter %q", c)
		}
		eq.where = append(eq.where, "EXISTS (SELECT 1 FROM tags t WHERE t.entity_id = e.id AND t.key = ?)")
		eq.args = append(eq.args, key)
		return nil
	}
	cond := ""
	var arg any = value
	switch {
	case op == "~":
		cond = "instr(lower(t.value_text), lower(?)) > 0"
	case op == "=" || op == "!=":
		cond = "t.value_text " + op + " ?"
	default:
		if f, err := strconv.ParseFloat(value, 64); err == nil {
			cond = "t.value_num " + op + " ?"
			arg = f
		} else {
			cond = "t.value_text " + op + " ?"
		}
	}
	eq.where = append(eq.where, "EXISTS (SELECT 1 FROM tags t WHERE t.entity_id = e.id AND t.key = ? AND "+cond+")")
	eq.args = append(eq.args, key, arg)
	return nil
}

// setOrder reads "Name" or "Name desc" (or "asc").
func (eq *entityQuery) setOrder(v string) error {
	parts := strings.Fields(v)
	if len(parts) == 0 || len(parts) > 2 {
		return errorf(http.StatusBadRequest, "malformed orderby %q", v)
	}
	f, ok := lookupField(eq.kind, parts[0])
	if !ok || f.expr == "" {
		return errorf(http.StatusBadRequest, "cannot order by %q", parts[0])
	}
	dir := "ASC"
	if len(parts) == 2 {
		switch strings.ToLower(parts[1]) {
		case "desc":
			dir = "DESC"
		case "asc":
		default:
			return errorf(http.StatusBadRequest, "malformed orderby %q", v)
		}
	}
	expr := f.expr
	if f.typ == ftEnum {
		// enums sort by their numbers, not their names
		expr, eq.orderArgs = enumRank(f.expr, f.enum)
	}
	eq.order = expr + " " + dir
	return nil
}

// parseDate accepts RFC 3339 with any fraction, the same without a zone
// (taken as UTC), or a bare date.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errorf(http.StatusBadRequest, "malformed date %q", s)
}
