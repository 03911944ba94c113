package tenants_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPlatformUsesAreListed keeps docs/tenancy.md's list of the platform door's uses equal to
// the code's: a new cross-tenant path is reviewed by being written down.
func TestPlatformUsesAreListed(t *testing.T) {
	call := regexp.MustCompile(`\.Platform(?:Read|Into)?\(ctx, "([^"]+)"`)
	var inCode []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "apitest") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			inCode = append(inCode, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/tenancy.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin, end := strings.Index(text, "<!-- platform-uses:begin -->"), strings.Index(text, "<!-- platform-uses:end -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/tenancy.md has no platform-uses list")
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
	var inDoc []string
	for _, m := range row.FindAllStringSubmatch(text[begin:end], -1) {
		inDoc = append(inDoc, m[1])
	}
	slices.Sort(inCode)
	inCode = slices.Compact(inCode)
	slices.Sort(inDoc)
	if len(inCode) < 10 {
		t.Fatalf("found only %d uses of the platform door in the code; is the pattern right?", len(inCode))
	}
	for _, u := range inCode {
		if !slices.Contains(inDoc, u) {
			t.Errorf("platform door used for %q, not listed in docs/tenancy.md", u)
		}
	}
	for _, u := range inDoc {
		if !slices.Contains(inCode, u) {
			t.Errorf("docs/tenancy.md lists %q, which the code no longer uses", u)
		}
	}
}
