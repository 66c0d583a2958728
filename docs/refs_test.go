package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outside are references to pages that are not in the repository. They are
// assembled from pieces so that this file does not match itself.
var outside = []string{
	".." + "/shared",
	"/work" + "/shared",
	"SPEC" + " §",
	"SPEC" + ".md",
	"comps" + "-protocol.md",
}

// repoFile is one *.md or *.go file of the repository, by its path from
// the root.
type repoFile struct {
	path string
	text string
}

// repoFiles reads every *.md and *.go file under the repository's root (the
// folder above this package), skipping hidden folders such as .git.
func repoFiles(t *testing.T) (string, []repoFile) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	var files []repoFile
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".md" && ext != ".go" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, repoFile{filepath.ToSlash(rel), string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.md or *.go file found under %s", root)
	}
	return root, files
}

// lineOf is the 1-based line of byte offset off in text.
func lineOf(text string, off int) int { return strings.Count(text[:off], "\n") + 1 }

// TestNoReferencesOutsideTheRepository fails for any *.md or *.go file that
// points readers at pages users do not have.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	_, files := repoFiles(t)
	for _, f := range files {
		for _, ref := range outside {
			for off := 0; ; {
				i := strings.Index(f.text[off:], ref)
				if i < 0 {
					break
				}
				off += i
				t.Errorf("%s:%d refers to %q, which is outside the repository: cite docs/ instead",
					f.path, lineOf(f.text, off), ref)
				off += len(ref)
			}
		}
	}
}

// docsPage matches a citation of a page of docs/.
var docsPage = regexp.MustCompile(`\bdocs/([A-Za-z0-9_-]+\.md)`)

// TestCitedDocsPagesExist fails for a citation of a docs/ page that does
// not exist.
func TestCitedDocsPagesExist(t *testing.T) {
	root, files := repoFiles(t)
	for _, f := range files {
		for _, m := range docsPage.FindAllStringSubmatchIndex(f.text, -1) {
			name := f.text[m[2]:m[3]]
			if _, err := os.Stat(filepath.Join(root, "docs", name)); err != nil {
				t.Errorf("%s:%d cites docs/%s, which does not exist", f.path, lineOf(f.text, m[0]), name)
			}
		}
	}
}

// protocolHeading matches the numbered headings of docs/protocol.md:
// "## 3. WorkItems", "### 3.2 Reading: ...".
var protocolHeading = regexp.MustCompile(`(?m)^#{2,3} (\d+(?:\.\d+)?)\.? `)

// section matches a cited section: "§3.3", "§10".
var section = regexp.MustCompile(`§(\d+(?:\.\d+)*)`)

// citesProtocol reports whether a file's bare § numbers are protocol
// sections: the client and the local COMPS speak the protocol, and the
// pages of docs/ cite it.
func citesProtocol(path string) bool {
	return strings.HasPrefix(path, "client/") || strings.HasPrefix(path, "localcomps/") ||
		strings.HasPrefix(path, "docs/")
}

// TestCitedProtocolSectionsExist fails for a protocol section that
// docs/protocol.md does not have: "docs/protocol.md §N" anywhere, and bare
// "§N" in client/, localcomps/ and docs/.
func TestCitedProtocolSectionsExist(t *testing.T) {
	root, files := repoFiles(t)
	b, err := os.ReadFile(filepath.Join(root, "docs", "protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range protocolHeading.FindAllStringSubmatch(string(b), -1) {
		sections[m[1]] = true
	}
	if len(sections) < 15 {
		t.Fatalf("docs/protocol.md has %d numbered headings; want sections 1 to 15", len(sections))
	}
	for _, f := range files {
		for _, m := range section.FindAllStringSubmatchIndex(f.text, -1) {
			num := f.text[m[2]:m[3]]
			// Sections of other pages are cited by name right before the §.
			before := f.text[max(0, m[0]-40):m[0]]
			cited := strings.HasSuffix(strings.TrimSpace(before), "docs/protocol.md")
			if !cited && (!citesProtocol(f.path) || otherPage(before)) {
				continue
			}
			if !sections[num] {
				t.Errorf("%s:%d cites §%s, which is not a section of docs/protocol.md", f.path, lineOf(f.text, m[0]), num)
			}
		}
	}
}

// otherPage reports whether the text before a § names a page other than
// docs/protocol.md, whose sections these are.
func otherPage(before string) bool {
	before = strings.TrimSpace(before)
	i := strings.LastIndex(before, " ")
	last := before[i+1:]
	return strings.HasSuffix(last, ".md") && !strings.HasSuffix(last, "docs/protocol.md")
}
