package console_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/aftersales/aftersales/internal/access"
)

// TestEveryPermissionHasALabel holds the app's permission labels (web/app's messages) to the
// permissions the API grants, which docs/openapi.json does not list: a permission added to
// internal/access must get its words in the app too.
func TestEveryPermissionHasALabel(t *testing.T) {
	for _, file := range []string{"../app/src/i18n/locales/en.ts", "../app/src/i18n/locales/zh-CN.ts"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		block := regexp.MustCompile(`(?s)\n    permission: \{\n(.*?)\n    \},`).FindSubmatch(src)
		if block == nil {
			t.Fatalf("%s: no enums.permission block", file)
		}
		labelled := map[string]bool{}
		for _, m := range regexp.MustCompile(`'([a-z_]+:[a-z_]+)':`).FindAllSubmatch(block[1], -1) {
			labelled[string(m[1])] = true
		}
		for _, p := range access.All() {
			if !labelled[string(p)] {
				t.Errorf("%s: permission %q has no label", file, p)
			}
			delete(labelled, string(p))
		}
		for p := range labelled {
			t.Errorf("%s: %q is labelled but is no permission of the API", file, p)
		}
	}
}
