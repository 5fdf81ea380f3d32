package render

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

func TestHelpers(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ts := func(s string) record.Time {
		v, err := record.ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var nilContact *config.Contact
	cases := []struct {
		name string
		got  any
		want string
	}{
		{"date in zone", formatDate("2006-01-02 15:04 MST", ts("2026-03-02T09:14:00Z"), berlin), "2026-03-02 10:14 CET"},
		{"date summer time", formatDate("2006-01-02 15:04 MST", ts("2026-07-02T09:14:00Z"), berlin), "2026-07-02 11:14 CEST"},
		{"partial date as written", formatDate("2006-01-02 15:04 MST", ts("2026-09"), berlin), "2026-09"},
		{"day as written", formatDate("2006-01-02", ts("2026-04-01"), berlin), "2026-04-01"},
		{"unset date", formatDate("2006", record.Time{}, berlin), "[MISSING: time]"},
		{"date passes marker", formatDate("2006", Missing{"detected_at"}, berlin), "[MISSING: detected_at]"},
		{"duration minutes", duration(52 * time.Minute), "52m"},
		{"duration hours", duration(2*time.Hour + 52*time.Minute), "2h 52m"},
		{"duration whole hours", duration(3 * time.Hour), "3h"},
		{"duration days", duration(50 * time.Hour), "2d 2h"},
		{"duration weeks", duration(77*24*time.Hour + 3*time.Hour), "77d"},
		{"duration negative", duration(-90 * time.Minute), "-1h 30m"},
		{"span", duration(span("a", ts("2026-03-02T09:00:00Z"), "b", ts("2026-03-02T10:30:00Z"))), "1h 30m"},
		{"span approx", span("a", ts("2026-03"), "b", ts("2026-03-02T00:00:00Z")).String(), "about 1d"},
		{"span missing end", span("detected_at", ts("2026-03-02T09:00:00Z"), "contained_at", record.Time{}).String(), "[MISSING: contained_at]"},
		{"span missing start", span("detected_at", record.Time{}, "contained_at", record.Time{}).String(), "[MISSING: detected_at]"},
		{"join", join(", ", []string{"a", "", "b"}), "a, b"},
		{"join any", join("; ", []any{"x", 2}), "x; 2"},
		{"join marker", join(", ", Missing{"affected.systems"}), "[MISSING: affected.systems]"},
		{"plural one", plural(1, "record", "records"), "1 record"},
		{"plural many", plural(int64(58400), "record", "records"), "58,400 records"},
		{"plural list", plural([]string{"a", "b"}, "item", "items"), "2 items"},
		{"plural json", plural(json.Number("0"), "subject", "subjects"), "0 subjects"},
		{"number", number(1234567), "1,234,567"},
		{"number fraction", number(1250.5), "1,250.50"},
		{"number small", number(7), "7"},
		{"money", money(&record.Cost{Amount: 12000, Currency: "EUR"}), "EUR 12,000"},
		{"money none", money(&record.Cost{}), "[MISSING: cost]"},
		{"need present", need("x", "f"), "x"},
		{"need blank", need("  ", "assessment.rationale"), "[MISSING: assessment.rationale]"},
		{"need zero count", need(int64(0), "affected.personal_data.subjects_approx"), "[MISSING: affected.personal_data.subjects_approx]"},
		{"need empty list", need([]string{}, "affected.systems"), "[MISSING: affected.systems]"},
		{"need nil pointer", need(nilContact, "contacts.dpo"), "[MISSING: contacts.dpo]"},
		{"need empty struct", need(&config.Contact{}, "contacts.dpo"), "[MISSING: contacts.dpo]"},
		{"need unset time", need(record.Time{}, "detected_at"), "[MISSING: detected_at]"},
		{"need false is data", need(false, "x"), "false"},
		{"default", defaultValue("none", ""), "none"},
		{"default kept", defaultValue("none", "some"), "some"},
		{"contact", contactLine(&config.Contact{Name: "Dr. L. Hoffmann", Role: "DPO", Email: "dpo@example.com"}), "Dr. L. Hoffmann, DPO, dpo@example.com"},
		{"contact authority", contactLine(&config.Authority{Contact: config.Contact{Name: "ICO"}, Portal: "https://ico.example/report"}), "ICO, portal https://ico.example/report"},
		{"contact insurer", contactLine(&config.Insurer{Contact: config.Contact{Organisation: "Cyber AG"}, PolicyNumber: "P-1"}), "Cyber AG, policy P-1"},
		{"contact nil", contactLine(nilContact), "[MISSING: contact]"},
		{"cell", cell("a | b\nc"), `a \| b c`},
		{"indent", indent(2, "a\nb\n\nc"), "a\n  b\n\n  c"},
		{"markers", join(",", Markers([]byte("x [MISSING: a] y [MISSING: b.c] [MISSING: a] [MISSING: ]"))), "a,b.c"},
	}
	for _, c := range cases {
		if got := toString(c.got); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if p := paragraphs("one\nline\n\n\ntwo\n"); len(p) != 2 || p[0] != "one line" || p[1] != "two" {
		t.Errorf("paragraphs %q", p)
	}
	if l := items([]string{"a", "", "b"}); len(l) != 2 {
		t.Errorf("items %v", l)
	}
	if l := items(Missing{"x"}); len(l) != 1 {
		t.Errorf("items of a marker %v", l)
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case Missing:
		return x.String()
	case interface{ String() string }:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return "?"
}

func TestLookupPath(t *testing.T) {
	data := map[string]any{
		"extra":   map[string]any{"review": map[string]any{"worked": []any{"a", "b"}}},
		"actions": []any{map[string]any{"text": "t0"}},
	}
	if v, ok := lookupPath(data, "extra.review.worked"); !ok || len(v.([]any)) != 2 {
		t.Errorf("extra.review.worked: %v %v", v, ok)
	}
	if v, ok := lookupPath(data, "actions.0.text"); !ok || v != "t0" {
		t.Errorf("actions.0.text: %v", v)
	}
	for _, p := range []string{"extra.nope", "actions.1.text", "actions.x", "actions.-1", "extra.review.worked.0.deeper"} {
		if _, ok := lookupPath(data, p); ok {
			t.Errorf("%s found", p)
		}
	}
	d := &Data{Fields: data}
	if got := field(d, "extra.review.did_not_work"); got != (Missing{"extra.review.did_not_work"}) {
		t.Errorf("field of absent path: %v", got)
	}
}

func TestDecisionsNeeded(t *testing.T) {
	doc, err := record.Parse("x.yaml", []byte(`schema_version: 1
id: INC-2026-0001
kind: incident
title: t
status: responding
reported: {at: 2026-03-02T09:14:00Z, by: a@example.com}
affected: {personal_data: {involved: true}}
assessment: {at: 2026-03-02T10:00:00Z, by: l@example.com, is_incident: true, external_impact: true}
notifications:
  - {party: law-enforcement, at: 2026-03-03T10:00:00Z, name: Police}
corrective_actions:
  - {id: CA-1, text: fix, owner: o@example.com, due: 2026-03-10, status: open}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Default()
	d, err := NewData(doc, cfg, Options{Now: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := d.DecisionsNeeded()
	want := []string{
		"Appoint an Incident Manager.", "no notification regime is declared", "law enforcement (Police) is not recorded",
		"decide whether to notify customers", "CA-1 (o@example.com) was due 2026-03-10",
	}
	if len(got) != len(want) {
		t.Fatalf("decisions %q", got)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("decision %d: %q, want it to mention %q", i, got[i], w)
		}
	}
}
