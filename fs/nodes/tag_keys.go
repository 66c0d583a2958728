package nodes

import (
	"strconv"
	"strings"
)

// emptyTagKeyName is the file name of the tag whose key is empty: a lone
// "%", which no other key escapes to.
const emptyTagKeyName = "%"

// escapeTagKey is the file name of a tag key: "%", "/" and NUL become %25,
// %2F and %00; the keys "." and ".." become %2E and %2E%2E, and the empty
// key "%". Every key has exactly one name and no two keys share one.
func escapeTagKey(key string) string {
	switch key {
	case "":
		return emptyTagKeyName
	case ".", "..":
		return strings.Repeat("%2E", len(key))
	}
	return strings.NewReplacer("%", "%25", "/", "%2F", "\x00", "%00").Replace(key)
}

// unescapeTagKey is the key of a tag file name, reporting false for a name
// that escapeTagKey would not produce (so each tag answers to one name).
func unescapeTagKey(name string) (string, bool) {
	if name == emptyTagKeyName {
		return "", true
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] != '%' {
			b.WriteByte(name[i])
			continue
		}
		if i+3 > len(name) {
			return "", false
		}
		n, err := strconv.ParseUint(name[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(n))
		i += 2
	}
	key := b.String()
	return key, escapeTagKey(key) == name
}
