package localcomps

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// md5ToUUID re-groups 32 lowercase hex digits as 8-4-4-4-12 (docs/protocol.md §2.3).
func md5ToUUID(hexsum string) string {
	if len(hexsum) != 32 {
		return hexsum
	}
	return hexsum[0:8] + "-" + hexsum[8:12] + "-" + hexsum[12:16] + "-" + hexsum[16:20] + "-" + hexsum[20:32]
}

// md5FromUUID accepts an MD5 in md5-uuid form (or any form uuid.Parse
// accepts, or plain hex) and returns its 32 lowercase hex digits.
func md5FromUUID(s string) (string, error) {
	if len(s) == 32 {
		if _, err := hex.DecodeString(s); err == nil {
			return strings.ToLower(s), nil
		}
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid md5 checksum %q: %w", s, err)
	}
	return hex.EncodeToString(u[:]), nil
}

// parseID parses an entity id and returns its canonical lowercase form.
func parseID(s string) (string, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid id %q: %w", s, err)
	}
	return u.String(), nil
}
