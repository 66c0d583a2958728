package client

import (
	"fmt"

	"github.com/google/uuid"
)

// CanonicalID returns an id in the canonical lowercase 8-4-4-4-12 form the
// client always sends (§2.3); anything that is not a UUID is an error.
func CanonicalID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", fmt.Errorf("invalid id %q: %w", id, err)
	}
	return u.String(), nil
}
