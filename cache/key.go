package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// On disk, a file's chunks live in Dir/content/<name>/<offset>, where name is
// "<md5>-<size>", or "id-<first 40 hex of sha256(ID)>-<size>" without an md5.

var dirNameRE = regexp.MustCompile(`^(?:([0-9a-f]{32})|id-[0-9a-f]{40})-(0|[1-9][0-9]{0,18})$`)

// dirName returns the folder name of k's chunks and its md5 (lower case, or "").
func (k Key) dirName() (name, md5 string, err error) {
	if k.Size < 0 {
		return "", "", fmt.Errorf("cache: key %q/%q has negative size %d", k.MD5, k.ID, k.Size)
	}
	size := strconv.FormatInt(k.Size, 10)
	if k.MD5 != "" {
		md5 = strings.ToLower(k.MD5)
		if b, err := hex.DecodeString(md5); err != nil || len(b) != 16 {
			return "", "", fmt.Errorf("cache: key md5 %q is not 32 hex digits", k.MD5)
		}
		return md5 + "-" + size, md5, nil
	}
	if k.ID == "" {
		return "", "", errors.New("cache: key has neither md5 nor id")
	}
	sum := sha256.Sum256([]byte(k.ID))
	return "id-" + hex.EncodeToString(sum[:20]) + "-" + size, "", nil
}

// parseDirName is the inverse of dirName, for the start-up scan.
func parseDirName(name string) (md5 string, size int64, ok bool) {
	m := dirNameRE.FindStringSubmatch(name)
	if m == nil {
		return "", 0, false
	}
	size, err := strconv.ParseInt(m[2], 10, 64)
	return m[1], size, err == nil
}
