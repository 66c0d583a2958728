package nodes

import (
	"strings"
	"testing"
	"time"

	"github.com/compsfs/compsfs/client"
)

func TestTerminalSafeEscapesControlCharacters(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain name", "plain name"},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"bell\a and del\x7f", `bell\x07 and del\x7f`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202egnp.exe", `bidi \u{202e}gnp.exe`},
		{"bad utf-8 \xff\xfe", `bad utf-8 \xff\xfe`},
		{"tab\tkept", "tab\tkept"},
		{"two\nlines", "two\n  lines"},
		{"cr\rover", `cr\x0dover`},
		{`C:\work\dir`, `C:\work\dir`},
		{"ünïcödé ✓", "ünïcödé ✓"},
	} {
		if got := terminalSafe(tc.in, "  "); got != tc.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A name holding terminal escapes and a description forging a line reach
// the summary escaped and indented.
func TestSummaryIsTerminalSafe(t *testing.T) {
	wi := &client.WorkItem{ID: "11111111-2222-4333-8444-555555555555", Name: "\x1b[2Jevil", State: client.StateRunning,
		Description: "first\nState:       Succeeded"}
	got := string(renderSummary(wi, time.Now()))
	if strings.ContainsRune(got, '\x1b') {
		t.Errorf("summary holds a raw ESC:\n%q", got)
	}
	if !strings.Contains(got, `Name:        \x1b[2Jevil`) {
		t.Errorf("summary name line:\n%s", got)
	}
	if strings.Count(got, "\nState:") != 1 {
		t.Errorf("the description forged a State line:\n%s", got)
	}
}
