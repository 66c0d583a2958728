package nodes

import (
	"fmt"
	"strconv"
	"strings"
)

// emptyTagKeyName is the file name of the tag whose key is empty: a lone
// "%", which no other key escapes to.
const emptyTagKeyName = "%"

// escapeTagKey is the file name of a tag key: "%", "/" and control
// characters (NUL, newline, ESC, DEL, ...) become %XX (%25, %2F, %0A, %1B),
// so that no key can break a listing or drive a terminal; the keys "." and
// ".." become %2E and %2E%2E, and the empty key "%". Every key has exactly
// one name and no two keys share one.
func escapeTagKey(key string) string {
	switch key {
	case "":
		return emptyTagKeyName
	case ".", "..":
		return strings.Repeat("%2E", len(key))
	}
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '%' || c == '/' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
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
