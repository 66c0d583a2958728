package localcomps

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// parseTags decodes a Tags object whose values must be string, number,
// bool or null; an absent or null object is an empty set.
func parseTags(raw json.RawMessage) (map[string]any, error) {
	tags := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return tags, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&tags); err != nil {
		return nil, errorf(http.StatusBadRequest, "Tags must be an object: %v", err)
	}
	for k, v := range tags {
		switch v.(type) {
		case nil, string, bool, json.Number:
		default:
			return nil, errorf(http.StatusBadRequest, "tag %q: value must be a string, number, boolean or null", k)
		}
	}
	return tags, nil
}

// tagColumns renders a tag value as stored: JSON, text and number.
func tagColumns(v any) (jsonText, text string, num any) {
	b, _ := json.Marshal(v) // values are primitives, checked by parseTags
	jsonText = string(b)
	switch x := v.(type) {
	case nil:
		text = ""
	case string:
		text = x
	default:
		text = jsonText
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		num = f
	}
	return jsonText, text, num
}

// writeTags inserts or overwrites tags of an entity inside tx.
func writeTags(ctx context.Context, tx *sql.Tx, id string, tags map[string]any) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		j, t, n := tagColumns(tags[k])
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags(entity_id, key, value_json, value_text, value_num)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT(entity_id, key) DO UPDATE SET
			value_json = excluded.value_json, value_text = excluded.value_text, value_num = excluded.value_num`,
			id, k, j, t, n); err != nil {
			return fmt.Errorf("write tag %q of %s: %w", k, id, err)
		}
	}
	return nil
}

// postTags handles POST /api/<Kind>s/{id}/tags (docs/protocol.md §5).
func (s *Server) postTags(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		var req wireTagsRequest
		if err := s.readJSON(r, &req); err != nil {
			return err
		}
		tags, err := parseTags(req.Tags)
		if err != nil {
			return err
		}
		switch req.OperationMode {
		case "Merge", "Replace", "Delete":
		default:
			return errorf(http.StatusBadRequest, "OperationMode must be Merge, Replace or Delete, got %q", req.OperationMode)
		}
		err = s.inTx(r.Context(), func(tx *sql.Tx) error {
			if err := requireEntity(r.Context(), tx, kind, id); err != nil {
				return err
			}
			switch req.OperationMode {
			case "Replace":
				if _, err := tx.ExecContext(r.Context(), `DELETE FROM tags WHERE entity_id = ?`, id); err != nil {
					return fmt.Errorf("clear tags of %s: %w", id, err)
				}
				fallthrough
			case "Merge":
				if err := writeTags(r.Context(), tx, id, tags); err != nil {
					return err
				}
			case "Delete":
				for k := range tags {
					if _, err := tx.ExecContext(r.Context(), `DELETE FROM tags WHERE entity_id = ? AND key = ?`, id, k); err != nil {
						return fmt.Errorf("delete tag %q of %s: %w", k, id, err)
					}
				}
			}
			return touch(r.Context(), tx, id)
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// touch bumps an entity's LastModified to now (strictly later than before).
func touch(ctx context.Context, tx *sql.Tx, id string) error {
	now := time.Now().UnixNano() / 100 * 100
	if _, err := tx.ExecContext(ctx, `UPDATE entities SET modified = MAX(?, modified + 100) WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("update LastModified of %s: %w", id, err)
	}
	return nil
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *Server) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
