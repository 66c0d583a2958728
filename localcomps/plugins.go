package localcomps

import (
	"context"
	"database/sql"
	"fmt"
)

// Plugin is a plugin of a work item: a name and a version, as the Worker
// is. Only seeded work items have plugins; see unconfirmed.go for the shape
// of the Plugins child.
type Plugin struct {
	Name    string
	Version string
}

// loadPlugins reads a work item's plugins in order; an item without any
// gets an empty (non-nil) list, which the official client reads as "none".
func loadPlugins(ctx context.Context, q queryer, id string) ([]wireWorker, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, version FROM plugins WHERE entity_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read plugins of %s: %w", id, err)
	}
	defer rows.Close()
	out := []wireWorker{}
	for rows.Next() {
		var p wireWorker
		if err := rows.Scan(&p.Name, &p.Version); err != nil {
			return nil, fmt.Errorf("read plugins of %s: %w", id, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read plugins of %s: %w", id, err)
	}
	return out, nil
}

// writePlugins records a work item's plugins inside tx.
func writePlugins(ctx context.Context, tx *sql.Tx, id string, plugins []Plugin) error {
	for i, p := range plugins {
		if p.Name == "" {
			return fmt.Errorf("plugin %d of %s has no name", i, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plugins(entity_id, seq, name, version) VALUES (?, ?, ?, ?)`,
			id, i, p.Name, p.Version); err != nil {
			return fmt.Errorf("add plugin %q to %s: %w", p.Name, id, err)
		}
	}
	return nil
}
