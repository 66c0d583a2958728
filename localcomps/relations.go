package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
)

// listRelated handles GET /api/WorkItems/{id}/Related (docs/protocol.md §3.6):
// the relations going out of the work item, optionally filtered by
// RelatedObject (kind) and RelationType.
func (s *Server) listRelated(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	q := r.URL.Query()
	kind, _ := queryParam(q, "RelatedObject")
	rtype, _ := queryParam(q, "RelationType")
	if kind != "" && !validKind(kind) {
		return errorf(http.StatusBadRequest, "unknown RelatedObject %q", kind)
	}
	if _, ok := relationTypes[rtype]; rtype != "" && !ok {
		return errorf(http.StatusBadRequest, "unknown RelationType %q", rtype)
	}
	if err := requireEntity(r.Context(), s.db, kindWorkItem, id); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(r.Context(), `SELECT rl.kind, rl.related_id, rl.relation_type FROM relations rl
		JOIN entities e ON e.id = rl.related_id AND e.deleted = 0
		WHERE rl.work_item_id = ? AND (? = '' OR rl.kind = ?) AND (? = '' OR rl.relation_type = ?)
		ORDER BY rl.created, rl.related_id`, id, kind, kind, rtype, rtype)
	if err != nil {
		return fmt.Errorf("list relations of %s: %w", id, err)
	}
	list, err := scanRelated(rows)
	if err != nil {
		return fmt.Errorf("list relations of %s: %w", id, err)
	}
	writeJSON(w, http.StatusOK, map[string][]wireRelated{"Related": list})
	return nil
}

// scanRelated reads (kind, id, relation type) rows.
func scanRelated(rows *sql.Rows) ([]wireRelated, error) {
	defer rows.Close()
	list := []wireRelated{}
	for rows.Next() {
		var e wireRelated
		if err := rows.Scan(&e.ObjectType, &e.Id, &e.RelationType); err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

// addRelated handles POST /api/WorkItems/{id}/Related/{type}/{kind}/{relatedId}.
func (s *Server) addRelated(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	related, err := parseID(r.PathValue("relatedId"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	if err := s.AddRelation(r.Context(), id, r.PathValue("type"), r.PathValue("kind"), related); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// AddRelation records that the work item workItemID relates to the entity
// relatedID of the given kind (class name) by relationType (DependsOn or
// Created). Adding an existing relation is a no-op.
func (s *Server) AddRelation(ctx context.Context, workItemID, relationType, kind, relatedID string) error {
	if _, ok := relationTypes[relationType]; !ok {
		return errorf(http.StatusBadRequest, "unknown relation type %q", relationType)
	}
	if !validKind(kind) {
		return errorf(http.StatusBadRequest, "unknown entity kind %q", kind)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range [][2]string{{kindWorkItem, workItemID}, {kind, relatedID}} {
			if err := requireEntity(ctx, tx, e[0], e[1]); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO relations(work_item_id, relation_type, kind, related_id, created)
			VALUES (?, ?, ?, ?, ?)`, workItemID, relationType, kind, relatedID, s.now()); err != nil {
			return fmt.Errorf("add relation %s %s %s %s: %w", workItemID, relationType, kind, relatedID, err)
		}
		return touch(ctx, tx, workItemID)
	})
}

// listParents handles GET /api/WorkItems/RelatedEntityId/{entityId}/Type/{kind}
// [/Relation/{type}]: the work items that point at the entity.
func (s *Server) listParents(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("entityId"))
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	kind := r.PathValue("kind")
	if !validKind(kind) {
		return errorf(http.StatusBadRequest, "unknown entity kind %q", kind)
	}
	rtype := r.PathValue("type")
	if _, ok := relationTypes[rtype]; rtype != "" && !ok {
		return errorf(http.StatusBadRequest, "unknown relation type %q", rtype)
	}
	if err := requireEntity(r.Context(), s.db, kind, id); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(r.Context(), `SELECT 'WorkItem', rl.work_item_id, rl.relation_type FROM relations rl
		JOIN entities e ON e.id = rl.work_item_id AND e.deleted = 0
		WHERE rl.related_id = ? AND rl.kind = ? AND (? = '' OR rl.relation_type = ?)
		ORDER BY rl.created, rl.work_item_id`, id, kind, rtype, rtype)
	if err != nil {
		return fmt.Errorf("list parents of %s: %w", id, err)
	}
	list, err := scanRelated(rows)
	if err != nil {
		return fmt.Errorf("list parents of %s: %w", id, err)
	}
	writeJSON(w, http.StatusOK, map[string][]wireRelated{"Parents": list})
	return nil
}
