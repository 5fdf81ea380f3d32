package lint_test

import (
	"bytes"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

// TestSkeletonsLintClean renders every built-in record skeleton, including
// hostile text, and checks the result is a clean record in canonical form.
func TestSkeletonsLintClean(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: exampleNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range record.Kinds {
		s := record.Skeleton{
			ID:          cfg.Prefix(kind) + "-2026-0001",
			Kind:        kind,
			Title:       "Title: with # and \"quotes\" and 'apostrophes'",
			ReportedAt:  "2026-03-02T09:14:00Z",
			Reporter:    "alice@example.com",
			Channel:     "email",
			OccurredAt:  "2026-03",
			DetectedAt:  "2026-03-02T09:00:00Z",
			Description: "Line one\nid: INJECTED\n- not a list",
			Scenario:    "Ransomware on the file server",
			Affected:    []record.AffectedList{{Name: "systems", Items: []string{"mail", "a: b"}}},
		}
		doc, err := s.Render()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if doc.Data["id"] != s.ID || doc.Data["description"] != s.Description || doc.Data["title"] != s.Title {
			t.Errorf("%s: user text changed the record: %#v", kind, doc.Data)
		}
		if !bytes.HasPrefix(mustEncode(t, doc), []byte(record.SchemaComment+"\n")) {
			t.Errorf("%s: skeleton does not start with the schema comment", kind)
		}
		for _, f := range l.LintDoc(doc).Findings {
			t.Errorf("%s: %s", kind, f)
		}
	}
}

func mustEncode(t *testing.T, d *record.Doc) []byte {
	t.Helper()
	b, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
