package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/compsfs/compsfs/client"
)

// Criteria is a query of work items written as a folder name under query/
// (docs/tree.md): comma-separated terms in the official client's spelling.
//
//	state=Failed              a property compared with = != ~ < > <= >= (~: contains)
//	date_created>=2026-11-01  dates as 2006-01-02 or RFC 3339
//	owner=alice               an owner term lifts the default "only mine"
//	tag:Project=malaria       a tag compared the same way
//	tag:Reviewed              a tag that is present, whatever its value
//	sort:-date_created        order by a property, - for descending
//	limit:100                 at most that many work items
type Criteria struct {
	// Text is the folder name the criteria were read from.
	Text string
	// Filters and TagFilters are the query's conditions in wire form.
	Filters, TagFilters []string
	// OrderBy is "<WireName>" or "<WireName> desc"; "" for the default.
	OrderBy string
	// Limit bounds the number of work items; 0 for all.
	Limit int
	// HasOwner is set when a term names the owner.
	HasOwner bool
	// vocabulary is what the terms may name.
	vocabulary vocabulary
}

// ErrBadCriteria is a query folder name that is not a query.
var ErrBadCriteria = errors.New("not a query")

// vocabulary is what a query of one kind may name: its properties'
// snake_case names and wire names, and which states exist.
type vocabulary struct {
	properties map[string]string
	validState func(string) bool
}

// workItemVocabulary serves query/ (work items).
var workItemVocabulary = vocabulary{properties: workItemProperties,
	validState: func(s string) bool { return client.WorkItemState(s).Valid() }}

// simulationVocabulary serves experiments/<id>/query/ (simulations).
var simulationVocabulary = vocabulary{properties: simulationProperties,
	validState: func(s string) bool { return client.SimulationState(s).Valid() }}

// simulationProperties maps the names a query of simulations may use to
// wire names (docs/protocol.md §9; state is SimulationState on the wire).
var simulationProperties = map[string]string{
	"id": "Id", "name": "Name", "description": "Description", "owner": "Owner", "state": "SimulationState",
	"date_created": "DateCreated", "last_modified": "LastModified", "error_message": "ErrorMessage",
}

// workItemProperties maps the snake_case names a query may use to wire
// names (docs/protocol.md §2.1, §3.1).
var workItemProperties = map[string]string{
	"id": "Id", "name": "Name", "description": "Description", "owner": "Owner", "state": "State",
	"environment_name": "EnvironmentName", "date_created": "DateCreated", "last_modified": "LastModified",
	"error_message": "ErrorMessage", "host_name": "HostName", "worker_instance_id": "WorkerInstanceId",
	"priority": "Priority", "working_directory": "WorkingDirectory",
	"working_directory_size": "WorkingDirectorySize", "asset_collection_id": "AssetCollectionId",
}

// queryOperators are the comparison operators, longest first so that "<="
// is not read as "<".
var queryOperators = []string{"<=", ">=", "!=", "=", "<", ">", "~"}

// maxLimit is the most work items one query folder lists.
const maxLimit = 100_000

// ParseCriteria reads the name of a folder of query/ (work items); a
// malformed term is an error matching ErrBadCriteria that says which term
// and why.
func ParseCriteria(text string) (Criteria, error) { return workItemVocabulary.parse(text) }

// ParseSimulationCriteria reads the name of a folder of
// experiments/<id>/query/ (simulations), like ParseCriteria.
func ParseSimulationCriteria(text string) (Criteria, error) { return simulationVocabulary.parse(text) }

// parse reads a query folder's name in the vocabulary.
func (v vocabulary) parse(text string) (Criteria, error) {
	c := Criteria{Text: text, vocabulary: v}
	if strings.TrimSpace(text) == "" {
		return c, fmt.Errorf("%w: empty", ErrBadCriteria)
	}
	for _, term := range strings.Split(text, ",") {
		if err := c.add(term); err != nil {
			return c, fmt.Errorf("%w: term %q: %v", ErrBadCriteria, term, err)
		}
	}
	return c, nil
}

// add reads one term.
func (c *Criteria) add(term string) error {
	switch {
	case term == "":
		return errors.New("empty term")
	case strings.HasPrefix(term, "tag:"):
		return c.addTag(strings.TrimPrefix(term, "tag:"))
	case strings.HasPrefix(term, "sort:"):
		return c.setSort(strings.TrimPrefix(term, "sort:"))
	case strings.HasPrefix(term, "limit:"):
		n, err := strconv.Atoi(strings.TrimPrefix(term, "limit:"))
		if err != nil || n <= 0 || n > maxLimit {
			return fmt.Errorf("limit must be a number from 1 to %d", maxLimit)
		}
		c.Limit = n
		return nil
	}
	name, op, value, ok := cutOperator(term)
	if !ok {
		return fmt.Errorf("want <property><operator><value>, operators %s", strings.Join(queryOperators, " "))
	}
	wire, known := c.vocabulary.properties[name]
	if !known {
		return fmt.Errorf("unknown property %q", name)
	}
	if err := c.vocabulary.checkValue(wire, op, value); err != nil {
		return err
	}
	if wire == "Owner" {
		c.HasOwner = true
	}
	c.Filters = append(c.Filters, wire+op+value)
	return nil
}

// addTag reads what follows "tag:": a key alone, or key, operator, value.
func (c *Criteria) addTag(s string) error {
	key, op, value, ok := cutOperator(s)
	if !ok {
		key = s
	}
	if key == "" || (!ok && strings.ContainsAny(s, "<>=!~")) {
		return errors.New("no tag key")
	}
	if !ok {
		c.TagFilters = append(c.TagFilters, key)
		return nil
	}
	c.TagFilters = append(c.TagFilters, key+op+value)
	return nil
}

// setSort reads what follows "sort:".
func (c *Criteria) setSort(s string) error {
	desc := strings.HasPrefix(s, "-")
	wire, known := c.vocabulary.properties[strings.TrimPrefix(s, "-")]
	if !known {
		return fmt.Errorf("cannot sort by %q", s)
	}
	c.OrderBy = wire
	if desc {
		c.OrderBy += " desc"
	}
	return nil
}

// cutOperator splits "<name><op><value>" at the first operator.
func cutOperator(s string) (name, op, value string, ok bool) {
	i := strings.IndexAny(s, "<>=!~")
	if i <= 0 {
		return "", "", "", false
	}
	for _, o := range queryOperators {
		if strings.HasPrefix(s[i:], o) {
			return s[:i], o, s[i+len(o):], true
		}
	}
	return "", "", "", false
}

// checkValue refuses values the server would refuse, with a reason a user
// can act on: unknown states and priorities, ~ on what is not text.
func (v vocabulary) checkValue(wire, op, value string) error {
	switch wire {
	case "State", "SimulationState":
		if !v.validState(value) {
			return fmt.Errorf("unknown state %q", value)
		}
	case "Priority":
		if client.Priority(value).Number() < 0 {
			return fmt.Errorf("unknown priority %q", value)
		}
	case "DateCreated", "LastModified", "WorkingDirectorySize":
		if op == "~" {
			return fmt.Errorf("~ compares text, not %s", wire)
		}
	}
	if op != "~" && strings.ContainsAny(value, "<>=!~") {
		return fmt.Errorf("value %q holds an operator", value)
	}
	return nil
}

// key is the listing key of the criteria's results among work items.
func (c Criteria) key() listingKey { return listingKey{Query: c.Text} }
