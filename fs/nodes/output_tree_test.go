package nodes

import (
	"slices"
	"strings"
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestSplitOutputPathRefusesWhatCouldLeaveItsFolder(t *testing.T) {
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"StdOut.txt", []string{"StdOut.txt"}},
		{"a/b/c.txt", []string{"a", "b", "c.txt"}},
		{`sub\dir\x.txt`, []string{`sub\dir\x.txt`}},
		{`..\..\x`, []string{`..\..\x`}},
		{"...", []string{"..."}},
		{"", nil},
		{".", nil},
		{"..", nil},
		{"../x", nil},
		{"a/../../b", nil},
		{"a/..", nil},
		{"./a", nil},
		{"a/./b", nil},
		{"a//b", nil},
		{"a/", nil},
		{"/abs.txt", nil},
		{"//abs.txt", nil},
		{"nul\x00.txt", nil},
		{strings.Repeat("n", 255), []string{strings.Repeat("n", 255)}},
		{strings.Repeat("n", 256), nil},
		{"ok/" + strings.Repeat("d", 256) + "/x", nil},
	} {
		got, ok := splitOutputPath(tc.path)
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("splitOutputPath(%q) = %q, %v; want %q", tc.path, got, ok, tc.want)
		}
	}
}

// out is an output file entry at dir/name.
func out(dir, name string, length int64) client.OutputFile {
	return client.OutputFile{PathFromRoot: dir, FriendlyName: name, Length: length, URL: "u/" + dir + "/" + name}
}

func TestBuildOutputTreeIsSortedSafeAndOrderIndependent(t *testing.T) {
	listing := []client.OutputFile{
		out("sub/deep", "z.txt", 1),
		out(".", "b.txt", 2),
		out("..", "escape.txt", 3),
		out(".", "a.txt", 4),
		out("sub", "a.txt", 5),
		out(".", "a.txt", 6),  // duplicate: the first of equal paths wins
		out("c", "x", 7),      // c is a folder...
		out(".", "c", 10),     // ...so the file c is left out
		out(".", "sub", 8),    // as is the file sub
		out("sub", "neg", -1), // negative length
		out("/", "abs", 9),
	}
	check := func(tr *outputTree) {
		t.Helper()
		want := map[string][]string{"": {"a.txt", "b.txt", "c", "sub"}, "c": {"x"}, "sub": {"a.txt", "deep"},
			"sub/deep": {"z.txt"}}
		if len(tr.dirs) != len(want) {
			t.Errorf("folders: %v", tr.dirs)
		}
		for dir, names := range want {
			entries, ok := tr.entries(dir)
			var got []string
			for _, e := range entries {
				got = append(got, e.name)
			}
			if !ok || !slices.Equal(got, names) {
				t.Errorf("folder %q lists %q, want %q", dir, got, names)
			}
		}
		if f, ok := tr.file("a.txt"); !ok || f.Length != 4 {
			t.Errorf("a.txt = %+v, %v; want the first a.txt (length 4)", f, ok)
		}
		if f, ok := tr.file("sub/deep/z.txt"); !ok || f.Length != 1 {
			t.Errorf("sub/deep/z.txt = %+v, %v", f, ok)
		}
		for _, dir := range []string{"sub", "c"} {
			if _, ok := tr.file(dir); ok {
				t.Errorf("%s is a folder, not a file", dir)
			}
		}
		if len(tr.skipped) != 6 {
			t.Errorf("skipped %v, want 6 entries", tr.skipped)
		}
	}
	check(buildOutputTree(listing))
	// Any order of the server's listing gives the same tree, except which of
	// two entries with one path wins; drop the duplicate to compare.
	noDup := slices.Delete(slices.Clone(listing), 5, 6)
	reversed := slices.Clone(noDup)
	slices.Reverse(reversed)
	a, b := buildOutputTree(noDup), buildOutputTree(reversed)
	for dir, ea := range a.dirs {
		eb := b.dirs[dir]
		if len(ea) != len(eb) {
			t.Fatalf("folder %q differs with the listing's order", dir)
		}
		for i := range ea {
			if ea[i].name != eb[i].name || ea[i].path != eb[i].path || (ea[i].file == nil) != (eb[i].file == nil) {
				t.Errorf("folder %q entry %d: %+v vs %+v", dir, i, ea[i], eb[i])
			}
		}
	}
}

func TestDerivedRebuildsOnlyForANewListing(t *testing.T) {
	var d derived[client.OutputFile, *outputTree]
	builds := 0
	build := func(l []client.OutputFile) *outputTree { builds++; return buildOutputTree(l) }
	l1 := []client.OutputFile{out(".", "a", 1)}
	l2 := slices.Clone(l1)
	d.get(l1, build)
	d.get(l1, build)
	if builds != 1 {
		t.Errorf("same listing built %d times", builds)
	}
	d.get(l2, build)
	if builds != 2 {
		t.Errorf("a new listing was not rebuilt (%d builds)", builds)
	}
}
