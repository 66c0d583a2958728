package fs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compsfs/compsfs/fs/nodes"
)

// Stats are a running mount's counters, as its hidden .stats file shows
// them (docs/tree.md).
type Stats = nodes.Stats

// ReadStats reads the counters of the compsfs mount on dir.
func ReadStats(dir string) (Stats, error) {
	var s Stats
	b, err := os.ReadFile(filepath.Join(dir, ".stats"))
	if err != nil {
		return s, fmt.Errorf("is %s a compsfs mount? %w", dir, err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("counters of %s: %w", dir, err)
	}
	return s, nil
}
