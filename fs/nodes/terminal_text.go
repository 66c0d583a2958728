package nodes

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terminalSafe makes a value from the server safe to show on a terminal
// (docs/errors.md: human views escape control characters): control
// characters and bytes that are not UTF-8 become \xHH (or \u{H} above
// 0xff), so that a name holding ESC[2J cannot clear the screen. A newline
// is kept, followed by indent, so that a multi-line value cannot pass for
// a line of its own; a tab is kept.
func terminalSafe(s, indent string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString("\n" + indent)
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) && r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
