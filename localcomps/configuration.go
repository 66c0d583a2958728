package localcomps

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// wireConfiguration is the Configuration child of suites, experiments and
// simulations (docs/protocol.md §9). It is stored as sent (known keys
// only) and returned as stored; this server runs no simulations, so
// nothing reads it.
type wireConfiguration struct {
	EnvironmentName        string `json:"EnvironmentName,omitempty"`
	SimulationInputArgs    string `json:"SimulationInputArgs,omitempty"`
	WorkingDirectoryRoot   string `json:"WorkingDirectoryRoot,omitempty"`
	ExecutablePath         string `json:"ExecutablePath,omitempty"`
	NodeGroupName          string `json:"NodeGroupName,omitempty"`
	MaximumNumberOfRetries *int   `json:"MaximumNumberOfRetries,omitempty"`
	Priority               string `json:"Priority,omitempty"`
	MinCores               *int   `json:"MinCores,omitempty"`
	MaxCores               *int   `json:"MaxCores,omitempty"`
	Exclusive              *bool  `json:"Exclusive,omitempty"`
	AssetCollectionId      string `json:"AssetCollectionId,omitempty"`
}

// parseConfiguration checks a Configuration object of a save and returns
// its stored JSON; nil when the object is absent or null.
func parseConfiguration(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var c wireConfiguration
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, errorf(http.StatusBadRequest, "Configuration: %v", err)
	}
	if c.Priority != "" {
		if _, ok := priorities[c.Priority]; !ok {
			return nil, errorf(http.StatusBadRequest, "Configuration: unknown Priority %q", c.Priority)
		}
	}
	if c.AssetCollectionId != "" {
		id, err := parseID(c.AssetCollectionId)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "Configuration: AssetCollectionId: %v", err)
		}
		c.AssetCollectionId = id
	}
	for _, n := range []*int{c.MaximumNumberOfRetries, c.MinCores, c.MaxCores} {
		if n != nil && *n < 0 {
			return nil, errorf(http.StatusBadRequest, "Configuration: negative count %d", *n)
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode configuration: %w", err)
	}
	return b, nil
}

// writeConfiguration sets (replaces) an entity's configuration inside tx.
func writeConfiguration(ctx context.Context, tx *sql.Tx, id string, config []byte) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO configurations(entity_id, json) VALUES (?, ?)
		ON CONFLICT(entity_id) DO UPDATE SET json = excluded.json`, id, string(config)); err != nil {
		return fmt.Errorf("store the configuration of %s: %w", id, err)
	}
	return nil
}

// loadConfiguration reads an entity's configuration; nil when it has none.
func loadConfiguration(ctx context.Context, q queryer, id string) (json.RawMessage, error) {
	var s string
	err := q.QueryRowContext(ctx, `SELECT json FROM configurations WHERE entity_id = ?`, id).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the configuration of %s: %w", id, err)
	}
	return json.RawMessage(s), nil
}
