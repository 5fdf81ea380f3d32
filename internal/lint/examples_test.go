package lint_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exampleNow is the clock the bundled examples are checked against.
var exampleNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func lintDir(t *testing.T, dir string) *lint.Result {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, err := config.FindRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []lint.Finding
	cfg, err := config.ForRoot(root)
	if err != nil {
		var probs config.Problems
		if !errors.As(err, &probs) {
			t.Fatal(err)
		}
		for _, p := range probs {
			extra = append(extra, lint.Finding{File: p.File, Line: p.Line, Column: p.Column, Severity: lint.Error, Rule: lint.RuleConfig, Message: p.Msg})
		}
		cfg, _ = config.Default()
	}
	files, err := lint.Collect([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	rel := func(p string) string {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: exampleNow, Display: rel})
	if err != nil {
		t.Fatal(err)
	}
	res := l.Run(files)
	for _, f := range extra {
		f.File = rel(f.File)
		res.Findings = append(res.Findings, f)
	}
	lint.SortFindings(res.Findings)
	return res
}

// TestInvalidExamples lints each examples/invalid/<rule>/ case and compares
// the findings with its expected.txt; every case must report its own rule.
func TestInvalidExamples(t *testing.T) {
	cases, err := filepath.Glob("../../examples/invalid/*")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, dir := range cases {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		rule := filepath.Base(dir)
		covered[rule] = true
		t.Run(rule, func(t *testing.T) {
			res := lintDir(t, dir)
			var b strings.Builder
			for _, f := range res.Findings {
				b.WriteString(f.String() + "\n")
			}
			got := b.String()
			golden := filepath.Join(dir, "expected.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/lint -update)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s:\n got:\n%s\nwant:\n%s", golden, got, want)
			}
			if !strings.Contains(got, " "+rule+": ") {
				t.Errorf("case %s does not report rule %s", dir, rule)
			}
		})
	}
	// file-too-large needs a file over the cap, which is made here rather
	// than kept in the repository.
	covered[record.RuleTooLarge] = true
	for _, r := range lint.Rules {
		if !covered[r.ID] {
			t.Errorf("rule %s has no case under examples/invalid/", r.ID)
		}
	}
}

func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "EVT-2026-0001.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(record.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res := lintDir(t, dir)
	want := "EVT-2026-0001.yaml:1:1: error file-too-large: file is 8388609 bytes; a record may be at most 8388608 bytes"
	if len(res.Findings) != 1 || res.Findings[0].String() != want {
		t.Fatalf("got %v, want %s", res.Findings, want)
	}
}

// TestExamplesClean proves the bundled example repository lints without a
// finding, warnings included.
func TestExamplesClean(t *testing.T) {
	res := lintDir(t, "../../examples/records")
	for _, f := range res.Findings {
		t.Errorf("%s", f)
	}
	if res.Files < 20 {
		t.Errorf("examples hold %d records, want at least 20", res.Files)
	}
}
