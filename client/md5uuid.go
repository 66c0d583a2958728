package client

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// MD5ToUUID writes an MD5 checksum (32 hex digits) in the UUID form COMPS uses
// on the wire (§2.3): d41d8cd98f00b204e9800998ecf8427e becomes
// d41d8cd9-8f00-b204-e980-0998ecf8427e. Input already in UUID form is
// accepted and normalised.
func MD5ToUUID(md5hex string) (string, error) {
	h, err := MD5Hex(md5hex)
	if err != nil {
		return "", err
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// MD5Hex returns the 32 lowercase hex digits of an MD5 checksum given either as
// plain hex or in UUID form (as output-file metadata may carry either, §7.1).
func MD5Hex(s string) (string, error) {
	h := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	if len(h) != 32 {
		return "", fmt.Errorf("invalid md5 %q: want 32 hex digits", s)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("invalid md5 %q: %w", s, err)
	}
	return h, nil
}

// md5UUIDOf is MD5ToUUID for a checksum the client computed itself.
func md5UUIDOf(sum []byte) string {
	u, _ := MD5ToUUID(hex.EncodeToString(sum)) // 16 bytes always give 32 hex digits
	return u
}
