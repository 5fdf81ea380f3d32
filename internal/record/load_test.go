package record

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const valid = SchemaComment + `
schema_version: 1
id: EVT-2026-0001
kind: event
title: Unusual login page
status: reported
reported:
  at: 2026-03-02T09:14:00Z
  by: alice@example.com
occurred_at: 2026-03
cost:
  amount: 1_200.50
  currency: EUR
extra:
  hex: 0x1F
  big: 123456789012345678901234567890
  flag: true
  none: null
`

func TestParseJSONModel(t *testing.T) {
	d, err := Parse("EVT-2026-0001.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"schema_version": json.Number("1"),
		"id":             "EVT-2026-0001",
		"kind":           "event",
		"title":          "Unusual login page",
		"status":         "reported",
		"reported":       map[string]any{"at": "2026-03-02T09:14:00Z", "by": "alice@example.com"},
		"occurred_at":    "2026-03",
		"cost":           map[string]any{"amount": json.Number("1200.5"), "currency": "EUR"},
		"extra": map[string]any{
			"hex": json.Number("31"), "big": json.Number("123456789012345678901234567890"),
			"flag": true, "none": nil,
		},
	}
	if !reflect.DeepEqual(d.Data, want) {
		t.Errorf("JSON model:\n got %#v\nwant %#v", d.Data, want)
	}
	r, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	if r.OccurredAt.Precision != PrecisionMonth || r.OccurredAt.End().Format("2006-01-02") != "2026-03-31" {
		t.Errorf("occurred_at = %+v, end %v", r.OccurredAt, r.OccurredAt.End())
	}
	if r.Reported.At.Line != 8 || r.Reported.At.Column != 7 {
		t.Errorf("reported.at position = %d:%d, want 8:7", r.Reported.At.Line, r.Reported.At.Column)
	}
	if l, c := d.Pos("/cost/currency"); l != 13 || c != 13 {
		t.Errorf("Pos(/cost/currency) = %d:%d, want 13:13", l, c)
	}
	if l, c := d.KeyPos("/cost/currency"); l != 13 || c != 3 {
		t.Errorf("KeyPos(/cost/currency) = %d:%d, want 13:3", l, c)
	}
	if !d.Has("/extra/flag") || d.Has("/extra/missing") || !d.Has("/extra/none") {
		t.Errorf("Has is wrong")
	}
}

func TestParseRejects(t *testing.T) {
	deep := "a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n"
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	cases := []struct {
		name, in, rule, where, msg string
	}{
		{"syntax", "a: b\n  c: d\n", RuleSyntax, "2:1", "mapping values are not allowed"},
		{"tab indent", "a:\n\tb: c\n", RuleSyntax, "2:1", "YAML syntax"},
		{"unclosed quote", "a: \"b\n", RuleSyntax, "", "YAML syntax"},
		{"duplicate", "a: 1\nb: 2\na: 3\n", RuleDuplicate, "3:1", `duplicate key "a" (first at line 1)`},
		{"nested duplicate", "a:\n  x: 1\n  x: 2\n", RuleDuplicate, "3:3", "duplicate key"},
		{"anchor", "a: &x 1\nb: *x\n", RuleAlias, "1:4", "anchor &x"},
		{"alias bomb", bomb, RuleAlias, "1:4", "anchors or aliases"},
		{"merge key", "a: {x: 1}\nb:\n  <<: {x: 2}\n", RuleAlias, "3:3", "merge key"},
		{"two documents", "a: 1\n---\nb: 2\n", RuleMultiDoc, "2:1", "more than one YAML document"},
		{"empty", "", RuleNotMap, "1:1", "file is empty"},
		{"comment only", "# nothing\n", RuleNotMap, "1:1", "empty"},
		{"list", "- a\n- b\n", RuleNotMap, "1:1", "mapping"},
		{"scalar", "just text\n", RuleNotMap, "1:1", "mapping"},
		{"deep", deep, RuleDepth, "", "nesting deeper than 64"},
		{"custom tag", "a: !vault secret\n", RuleTag, "1:4", "unsupported tag !vault"},
		{"binary", "a: b\x00c\n", RuleEncoding, "1:5", "NUL byte"},
		{"invalid utf8", "a: ok\nb: \xff\xfe\n", RuleEncoding, "2:4", "invalid UTF-8 byte 0xff"},
		{"control char", "a: \x1b[31m\n", RuleEncoding, "1:4", "control character U+001B"},
		{"inner BOM", "a: b\uFEFF\n", RuleEncoding, "1:5", "byte-order mark"},
		{"infinity", "a: .inf\n", RuleSyntax, "1:4", "not a number JSON can hold"},
		{"complex key", "? [a, b]\n: c\n", RuleSyntax, "1:3", "mapping keys must be plain strings"},
		{"null key", "~: c\n", RuleSyntax, "1:1", "mapping keys must be plain strings"},
		{"too large", "a: " + strings.Repeat("x", MaxFileSize) + "\n", RuleTooLarge, "1:1", "a record may be at most"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.in))
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("want a *Problem, got %v", err)
			}
			if p.Rule != tc.rule || !strings.Contains(p.Msg, tc.msg) || !p.Fatal {
				t.Errorf("got %s [%s], want rule %s with %q", p, p.Rule, tc.rule, tc.msg)
			}
			if tc.where != "" && !strings.HasPrefix(p.Error(), "f.yaml:"+tc.where+":") {
				t.Errorf("got %s, want position %s", p, tc.where)
			}
		})
	}
}

func TestParseWarnings(t *testing.T) {
	d, err := Parse("f.yaml", []byte("\xEF\xBB\xBFa: 1\r\nb: 2\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range d.Warnings {
		got = append(got, w.Rule+"@"+strings.TrimPrefix(w.Error(), "f.yaml:")[:3])
	}
	want := []string{RuleBOM + "@1:1", RuleCRLF + "@1:5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
	if d.Data["b"] != json.Number("2") {
		t.Errorf("CRLF file parsed wrong: %#v", d.Data)
	}
}

func TestLoadRefusesLargeFileWithoutReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 100 MB file: Load must refuse it from its size alone.
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	var p *Problem
	if !errors.As(err, &p) || p.Rule != RuleTooLarge {
		t.Fatalf("got %v, want %s", err, RuleTooLarge)
	}
}

func TestLoadRefusesNonRegular(t *testing.T) {
	_, err := Load(t.TempDir())
	if err == nil {
		t.Fatal("loading a directory succeeded")
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string
		prec Precision
		ok   bool
	}{
		{"2026-03-02T09:14:00Z", PrecisionFull, true},
		{"2026-03-02T09:14:00.123+02:00", PrecisionFull, true},
		{"2026-03-02", PrecisionDay, true},
		{"2026-03", PrecisionMonth, true},
		{"2026", PrecisionYear, true},
		{"2026-3-2", PrecisionNone, false},
		{"2026-03-02 09:14", PrecisionNone, false},
		{"yesterday", PrecisionNone, false},
	}
	for _, tc := range cases {
		got, err := ParseTime(tc.in)
		if (err == nil) != tc.ok || got.Precision != tc.prec {
			t.Errorf("ParseTime(%q) = %v, %v; want precision %v ok %v", tc.in, got.Precision, err, tc.prec, tc.ok)
		}
	}
	day, _ := ParseTime("2026-03-02")
	morning, _ := ParseTime("2026-03-02T09:00:00Z")
	next, _ := ParseTime("2026-03-03T00:00:00Z")
	if day.After(morning) || morning.After(day) {
		t.Error("a timestamp within a day is neither before nor after that day")
	}
	if !next.After(day) || day.After(next) {
		t.Error("the next day's midnight is after the day")
	}
}
