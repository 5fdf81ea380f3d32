package render_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// now is the fixed render time of the golden files: the examples' own
// reference date (examples/README.md).
var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

const commit = "0123456789abcdef0123456789abcdef01234567"

// exampleConfig is examples/casefile.yaml with the contacts of
// testdata/contacts.yaml appended, loaded (and so schema-validated) as a
// records repository would load it.
func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	base, err := os.ReadFile("../../examples/casefile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	contacts, err := os.ReadFile("testdata/contacts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), config.FileName)
	if err := os.WriteFile(p, append(append(base, '\n'), contacts...), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func exampleDoc(t *testing.T, id string) (*record.Doc, string) {
	t.Helper()
	year := strings.Split(id, "-")[1]
	rel := "records/" + year + "/" + id + ".yaml"
	doc, err := record.Load("../../examples/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	return doc, rel
}

func newData(t *testing.T, cfg *config.Config, doc *record.Doc, rel string) *render.Data {
	t.Helper()
	d, err := render.NewData(doc, cfg, render.Options{Path: rel, Now: now, Commit: commit, Generator: "casefile (test)"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// goldenCases pairs every built-in template with an example record that
// exercises it.
var goldenCases = []struct{ template, id string }{
	{"incident-report", "INC-2026-0001"},  // personal data, notifications, evidence, open and verified actions
	{"incident-report", "INC-2025-0001"},  // closed: root cause, lessons, closure
	{"incident-report", "EVT-2026-0004"},  // reported, not yet assessed
	{"briefing", "EVT-2026-0003"},         // escalated event still in response
	{"authority-notice", "INC-2026-0001"}, // GDPR Art. 33 with subjects and records
	{"data-subject-notice", "INC-2026-0001"},
	{"customer-notice", "INC-2026-0001"},
	{"law-enforcement-referral", "INC-2026-0004"}, // approved criminal complaint, custody
	{"post-incident-review", "INC-2025-0001"},
	{"drill-report", "DRL-2026-0001"}, // held, findings, open follow-ups
}

func TestGolden(t *testing.T) {
	cfg := exampleConfig(t)
	lib := render.NewLibrary("", "")
	seen := map[string]bool{}
	for _, c := range goldenCases {
		for _, format := range render.Formats {
			name := c.template + "." + c.id + "." + format
			t.Run(name, func(t *testing.T) {
				doc, rel := exampleDoc(t, c.id)
				res, err := lib.Render(context.Background(), c.template, format, newData(t, cfg, doc, rel))
				if err != nil {
					t.Fatal(err)
				}
				seen[c.template+"."+format] = true
				golden := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, res.Output, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/render -update)", err)
				}
				if !bytes.Equal(res.Output, want) {
					t.Errorf("%s differs from the golden file (run go test ./internal/render -update and review the diff):\n%s", golden, firstDiff(want, res.Output))
				}
			})
		}
	}
	// Every built-in template has a golden file in both formats.
	list, _ := lib.List()
	for _, s := range list {
		if s.Format == render.FormatYAML || s.Name == render.CommonName {
			continue
		}
		if !seen[s.Name+"."+s.Format] {
			t.Errorf("built-in template %s (%s) has no golden case", s.Name, s.Format)
		}
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different bytes)"
}

// TestContactsValidated: the contacts section of casefile.yaml is checked by
// the config schema, with file and line.
func TestContactsValidated(t *testing.T) {
	p := filepath.Join(t.TempDir(), config.FileName)
	bad := "schema_version: 1\ncontacts:\n  dpo:\n    name: X\n    fax: 123\n  supervisory_authorities:\n    - regimes: [gdpr-33]\n      portal: javascript:alert(1)\n"
	if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(p)
	var probs config.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("got %v, want schema problems", err)
	}
	text := err.Error()
	for _, want := range []string{":5:5: unknown field \"fax\"", ":7:7: missing required field contacts.supervisory_authorities[0].name", ":8:15: contacts.supervisory_authorities[0].portal"} {
		if !strings.Contains(text, want) {
			t.Errorf("problems %q lack %q", text, want)
		}
	}
	cfg := exampleConfig(t)
	if cfg.Contacts.DPO == nil || cfg.Contacts.DPO.Name != "Dr. Lena Hoffmann" || cfg.Contacts.Insurer.PolicyNumber != "HCV-CY-2024-004417" ||
		len(cfg.Contacts.SupervisoryAuthorities) != 1 || !cfg.Contacts.SupervisoryAuthorities[0].Covers("gdpr-34") {
		t.Errorf("contacts not decoded: %+v", cfg.Contacts)
	}
}
