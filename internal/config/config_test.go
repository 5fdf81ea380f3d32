package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.SeverityIDs(), ","); got != "SEV1,SEV2,SEV3,SEV4" {
		t.Errorf("severity scale %s", got)
	}
	for _, cat := range []string{"intrusions/unprivileged-account-compromise", "fraud/phishing", "availability", "test/test"} {
		if !c.HasCategory(cat) {
			t.Errorf("default taxonomy lacks %s", cat)
		}
	}
	for _, cat := range []string{"intrusions/nope", "nope", "", "/phishing"} {
		if c.HasCategory(cat) {
			t.Errorf("default taxonomy has %q", cat)
		}
	}
	if c.Prefix("incident") != "INC" || c.IDs.Digits != 4 || !c.SigningRequired() {
		t.Errorf("defaults: %+v", c.IDs)
	}
}

func TestLoadFillsDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	cfg := "schema_version: 1\nids:\n  prefixes:\n    incident: SEC\nseverity:\n  - id: P1\n    criteria: everything is on fire\nsigning:\n  policy: optional\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "records", "2026"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := FindRoot(filepath.Join(dir, "records", "2026"))
	if err != nil || root != dir {
		t.Fatalf("FindRoot = %q, %v; want %q", root, err, dir)
	}
	c, err := ForRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	if c.Prefix("incident") != "SEC" || c.Prefix("event") != "EVT" || c.IDs.Digits != 4 {
		t.Errorf("ids not merged with defaults: %+v", c.IDs)
	}
	if !c.HasSeverity("P1") || c.HasSeverity("SEV1") || c.SigningRequired() {
		t.Errorf("severity or signing wrong: %v %v", c.SeverityIDs(), c.Signing)
	}
	if !c.HasCategory("fraud/phishing") {
		t.Error("taxonomy default not applied")
	}
}

func TestLoadProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte("schema_version: 1\nids:\n  digits: 12\ncolour: blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 2 {
		t.Fatalf("got %v, want two problems", err)
	}
	want := []string{path + ":3:11: ids.digits: must be <= 9 but found 12", path + ":4:1: unknown field \"colour\""}
	for i, p := range probs {
		if p.Error() != want[i] {
			t.Errorf("problem %d: %s, want %s", i, p, want[i])
		}
	}
}

func TestFindRootNone(t *testing.T) {
	root, err := FindRoot(t.TempDir())
	if err != nil || root != "" {
		t.Errorf("FindRoot in an empty tree = %q, %v", root, err)
	}
}
