package localcomps

// This file gathers, in one place, the choices made on points that
// comps-protocol.md marks as unconfirmed. Code that depends on a choice
// refers to the constant or comment here.
//
//   - Default fields: when `fields` is absent every basic property is returned;
//     children only when named in `children`.
//   - Filter operators: =, ~ (case-insensitive contains), !=, <, >, <=, >=;
//     conditions are comma-joined and combined with AND; there is no escaping
//     of ',' inside values. String equality is exact (case-sensitive). Enum
//     fields compare by their numeric value for <, >, <=, >=.
//   - Tag filters: `key<op>value` compares the tag's value as text (a string
//     as is, other JSON values as their JSON text, null as ""); a numeric
//     value with <, >, <=, >= compares numerically. `key!=value` matches items
//     that have the tag with another value. A bare `key` matches items that
//     have the tag at all.
//   - Paging: `Content-Range: items <first>-<last>/<total>` is sent only when
//     the answer is a non-empty, partial slice of the result set. Default
//     count is Options.MaxPageSize; default order is DateCreated ascending.
//   - Tag values are returned with their JSON type (string, number, bool or
//     null); null-valued tags (flags) are the one place null is sent.
//   - Related entries carry ObjectType, Id and RelationType, and list only
//     the relations going out of the work item; Parents lists the work items
//     pointing at an entity, with the same three keys.
//   - Updates through POST /api/WorkItems may change Name and Description and
//     add Files, in any state.
//   - FileType is not validated beyond being a string.
//   - The output listing is always flat (flatten or not); MD5 is in md5-uuid
//     form.
//   - Chunked uploads are MD5-verified when the last byte arrives; a mismatch
//     answers 400 and discards the partial upload.
//   - Downloads honour Range on every asset URL (Output, Files, Assets).
//   - Invalid state transitions answer 400 with a ResponseMessage. The default
//     work-item priority is Normal.
//   - Tokens: the static token is of type System; minted tokens are Auth and
//     live 24 hours; fields other than 0, 1, 2, 6, 12 and 13 are empty.
//     Minted tokens are kept in memory only (a restart invalidates them).
//   - Login answers 200 with an empty JSON object as body.
//   - 404 answers carry the usual JSON error body.
//   - Suites and Experiments reject State requests other than those of
//     simulations, and apply them to their simulations that allow them.

const (
	// defaultPriority is the priority of a work item saved without one.
	defaultPriority = "Normal"
	// tokenGroup is the single group name put in every token's field 12.
	tokenGroup = "LocalGroup"
	// authTokenLifetimeHours is how long a token minted by login lives.
	authTokenLifetimeHours = 24
	// systemTokenLifetimeYears is how far ahead the static token expires.
	systemTokenLifetimeYears = 10
)
