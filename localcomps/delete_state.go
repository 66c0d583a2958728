package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
)

// deleteEntity handles DELETE /api/<Kind>s/{id} (docs/protocol.md §3.5): a soft
// delete; suites and experiments take their children with them. The
// expirenow parameter is accepted and changes nothing here.
func (s *Server) deleteEntity(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		err = s.inTx(r.Context(), func(tx *sql.Tx) error {
			if err := requireEntity(r.Context(), tx, kind, id); err != nil {
				return err
			}
			ids := []string{id}
			if kind == kindSuite || kind == kindExperiment {
				// children (experiments, then their simulations) share parent_id.
				for i := 0; i < len(ids); i++ {
					children, err := childIDs(r.Context(), tx, ids[i])
					if err != nil {
						return err
					}
					ids = append(ids, children...)
				}
			}
			for _, x := range ids {
				if _, err := tx.ExecContext(r.Context(), `UPDATE entities SET deleted = 1 WHERE id = ?`, x); err != nil {
					return fmt.Errorf("delete %s: %w", x, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// childIDs lists the live entities whose parent is id.
func childIDs(ctx context.Context, q queryer, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM entities WHERE parent_id = ? AND deleted = 0`, id)
	if err != nil {
		return nil, fmt.Errorf("list children of %s: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("list children of %s: %w", id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// putState handles PUT /api/<Kind>s/{id}/State/{state} (docs/protocol.md §6).
// CommissionRequested is valid from Created; CancelRequested from the
// active states. With no worker holding the item, a cancel ends in
// Canceled at once; an item the local worker holds goes to
// CancelRequested and the worker ends it (worker.go). Suites and
// experiments apply the simulation state to their simulations that allow
// it.
func (s *Server) putState(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
		target := r.PathValue("state")
		err = s.inTx(r.Context(), func(tx *sql.Tx) error {
			if err := requireEntity(r.Context(), tx, kind, id); err != nil {
				return err
			}
			switch kind {
			case kindWorkItem, kindSimulation:
				return s.transition(r.Context(), tx, kind, id, target, true)
			case kindSuite, kindExperiment:
				return s.transitionChildren(r.Context(), tx, id, target)
			}
			return errorf(http.StatusBadRequest, "%s has no state", kind)
		})
		if err != nil {
			return err
		}
		if target == "CommissionRequested" {
			s.pokeWorker()
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// transition moves one work item or simulation to a requested state. With
// strict, an invalid transition is a 400; otherwise it is skipped.
func (s *Server) transition(ctx context.Context, tx *sql.Tx, kind, id, target string, strict bool) error {
	var cur string
	if err := tx.QueryRowContext(ctx, `SELECT state FROM entities WHERE id = ?`, id).Scan(&cur); err != nil {
		return fmt.Errorf("read state of %s: %w", id, err)
	}
	states, active := workItemStates, activeWorkItemStates
	if kind == kindSimulation {
		states, active = simulationStates, activeSimulationStates
	}
	if _, ok := states[target]; !ok {
		return errorf(http.StatusBadRequest, "unknown state %q", target)
	}
	var valid bool
	next := target
	switch target {
	case "CommissionRequested":
		valid = cur == "Created"
	case "CancelRequested":
		valid = active[cur]
		if valid && !s.heldByWorker(id) {
			next = "Canceled"
		}
	default:
		return errorf(http.StatusBadRequest, "state %s cannot be requested; only CommissionRequested and CancelRequested can", target)
	}
	if !valid {
		if !strict {
			return nil
		}
		return errorf(http.StatusBadRequest, "cannot move %s %s from %s to %s", kind, id, cur, target)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entities SET state = ? WHERE id = ?`, next, id); err != nil {
		return fmt.Errorf("set state of %s: %w", id, err)
	}
	return touch(ctx, tx, id)
}

// transitionChildren applies a simulation state request to every
// simulation under a suite or experiment.
func (s *Server) transitionChildren(ctx context.Context, tx *sql.Tx, id, target string) error {
	if _, ok := simulationStates[target]; !ok {
		return errorf(http.StatusBadRequest, "unknown simulation state %q", target)
	}
	ids := []string{id}
	for i := 0; i < len(ids); i++ {
		children, err := childIDs(ctx, tx, ids[i])
		if err != nil {
			return err
		}
		ids = append(ids, children...)
	}
	for _, c := range ids[1:] {
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM entities WHERE id = ?`, c).Scan(&kind); err != nil {
			return fmt.Errorf("read kind of %s: %w", c, err)
		}
		if kind == kindSimulation {
			if err := s.transition(ctx, tx, kindSimulation, c, target, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetWorkItemState sets a work item's state and error message directly
// (no transition rules) and bumps LastModified.
func (s *Server) SetWorkItemState(ctx context.Context, id, state, errorMessage string) error {
	if _, ok := workItemStates[state]; !ok {
		return fmt.Errorf("set state of work item %s: unknown state %q", id, state)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE entities SET state = ?, error_message = ? WHERE id = ? AND kind = ?`,
			state, errorMessage, id, kindWorkItem)
		if err != nil {
			return fmt.Errorf("set state of work item %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set state of work item %s: not found", id)
		}
		return touch(ctx, tx, id)
	})
	if err == nil && state == "CommissionRequested" {
		s.pokeWorker()
	}
	return err
}
