package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// recoverClaims settles the work items a local worker of an earlier run
// had claimed and not finished (the server stopped or crashed; see
// unconfirmed.go for the choice): Commissioned items (their command never
// started) go back to CommissionRequested and run again; Running ones
// become Failed with msgInterrupted, their working directory ingested as
// it was left; CancelRequested ones become Canceled. Items in
// CommissionRequested need nothing: the worker claims them as usual. Work
// items never claimed by the local worker (seeded ones) are left alone.
func (s *Server) recoverClaims(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT c.entity_id, COALESCE(e.state, '') FROM worker_claims c
		LEFT JOIN entities e ON e.id = c.entity_id`)
	if err != nil {
		return fmt.Errorf("list claims of the previous run: %w", err)
	}
	type claim struct{ id, state string }
	var claims []claim
	for rows.Next() {
		var c claim
		if err := rows.Scan(&c.id, &c.state); err != nil {
			rows.Close()
			return fmt.Errorf("list claims of the previous run: %w", err)
		}
		claims = append(claims, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list claims of the previous run: %w", err)
	}
	for _, c := range claims {
		next, msg := recoveredState(c.state)
		if next != "" && next != "CommissionRequested" {
			if err := s.ingestWorkDir(ctx, c.id, 0, math.MinInt64); err != nil {
				s.log.Warn("ingest outputs of an interrupted work item", "id", c.id, "err", err)
			}
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if next != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE entities SET state = ?, error_message = ? WHERE id = ?`,
					next, msg, c.id); err != nil {
					return fmt.Errorf("recover work item %s: %w", c.id, err)
				}
				if err := touch(ctx, tx, c.id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM worker_claims WHERE entity_id = ?`, c.id); err != nil {
				return fmt.Errorf("drop the claim of %s: %w", c.id, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if next != "" {
			s.log.Info("work item of the previous run recovered", "id", c.id, "was", c.state, "now", next)
		}
	}
	return nil
}

// recoveredState is where a claimed item left in state goes on restart;
// "" leaves it as it is (final states, or a claim on a vanished item).
func recoveredState(state string) (next, msg string) {
	switch state {
	case "Commissioned":
		return "CommissionRequested", ""
	case "CancelRequested", "Canceling":
		return "Canceled", ""
	case "Validating", "Running", "Waiting", "ResumeRequested", "Resumed":
		return "Failed", msgInterrupted
	}
	return "", ""
}
