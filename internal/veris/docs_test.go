package veris_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// docRow is one row of the category table in docs/veris.md.
var docRow = regexp.MustCompile("^\\| (hacking|malware|social|misuse|physical|error|environmental|unknown)[^|]* \\|([^|]*)\\| `([a-z/-]+)`")

// TestDocumentedCategories: every row of the category table in
// docs/veris.md is what the import does, and every action category has a
// row; "any" and "any other" rows are checked with a variety no rule
// names.
func TestDocumentedCategories(t *testing.T) {
	data, err := os.ReadFile("../../docs/veris.md")
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)
	rows, seen := 0, map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		m := docRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		action, want := m[1], m[3]
		seen[action] = true
		varieties := strings.TrimSpace(m[2])
		if i := strings.Index(varieties, " ("); i >= 0 {
			varieties = varieties[:i]
		}
		var list []string
		switch varieties {
		case "any", "any other":
			list = []string{"Not a variety any rule names"}
		case "":
			list = []string{""}
		default:
			list = strings.Split(varieties, ", ")
		}
		for _, v := range list {
			act := map[string]any{}
			if v != "" {
				act["variety"] = []any{v}
			}
			im := fx.importJSON(t, map[string]any{
				"incident_id":       "doc-" + action + "-" + v,
				"security_incident": "Confirmed",
				"summary":           "Checking the documented category table.",
				"timeline":          map[string]any{"incident": map[string]any{"year": 2024}},
				"action":            map[string]any{action: act},
			})
			if got := im.rec.Assessment.Category; got != want {
				t.Errorf("docs/veris.md: %s / %q → %s, the import says %s", action, v, want, got)
			}
		}
	}
	if rows < 20 {
		t.Fatalf("found %d rows of the category table in docs/veris.md; has its format changed?", rows)
	}
	for _, a := range []string{"hacking", "malware", "social", "misuse", "physical", "error", "environmental", "unknown"} {
		if !seen[a] {
			t.Errorf("docs/veris.md has no row for action %s", a)
		}
	}
}
