package nodes

import "testing"

func TestTagKeyEscaping(t *testing.T) {
	cases := []struct{ key, name string }{
		{"WorkItem_Type", "WorkItem_Type"},
		{"a/b", "a%2Fb"},
		{"/", "%2F"},
		{"50%", "50%25"},
		{"%2F", "%252F"},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
		{".hidden", ".hidden"},
		{"", "%"},
		{"%", "%25"},
		{"nul\x00byte", "nul%00byte"},
		{"WorkItem type", "WorkItem type"},
		{"ünï/cödé", "ünï%2Fcödé"},
		{"two\nlines", "two%0Alines"},
		{"\x1b[2Jclear", "%1B[2Jclear"},
		{"tab\tdel\x7f", "tab%09del%7F"},
	}
	for _, c := range cases {
		if got := escapeTagKey(c.key); got != c.name {
			t.Errorf("escapeTagKey(%q) = %q, want %q", c.key, got, c.name)
		}
		if got, ok := unescapeTagKey(c.name); !ok || got != c.key {
			t.Errorf("unescapeTagKey(%q) = %q, %v; want %q, true", c.name, got, ok, c.key)
		}
	}
}

func TestTagFileNamesThatNoKeyHas(t *testing.T) {
	// Each of these decodes to something, but is not the one name of that key.
	for _, name := range []string{"a%2fb", "%2e", "%2E.", "a%2Eb", "%", "%%", "%2", "%G0", "abc%", "%25%"} {
		if name == "%" {
			continue // the empty key's name
		}
		if key, ok := unescapeTagKey(name); ok {
			t.Errorf("unescapeTagKey(%q) = %q, true; want false", name, key)
		}
	}
}
