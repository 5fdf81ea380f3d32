package regime

import (
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/record"
)

func TestBuiltinRules(t *testing.T) {
	rs := Builtin()
	if rs.Version() != BuiltinVersion {
		t.Errorf("version %q", rs.Version())
	}
	want := map[string]string{
		"gdpr-33": "gdpr-33", "gdpr-34": "gdpr-34", "uk-gdpr-33": "uk-gdpr-33", "uk-gdpr-34": "uk-gdpr-34",
		"nis2-23-early-warning": "nis2", "nis2-23-notification": "nis2", "nis2-23-final": "nis2",
		"dora-19-initial": "dora", "dora-19-intermediate": "dora", "dora-19-final": "dora",
		"sec-8k-105": "sec-8k", "hipaa-individuals": "hipaa", "hipaa-hhs": "hipaa", "hipaa-hhs-annual": "hipaa",
		"hipaa-media": "hipaa-media", "au-ndb-assessment": "au-ndb", "sg-pdpa-26d": "sg-pdpa", "us-circia": "us-circia",
	}
	all := rs.Obligations()
	if len(all) != len(want) {
		t.Errorf("%d obligations, want %d", len(all), len(want))
	}
	for _, o := range all {
		regime, ok := want[o.ID]
		switch {
		case !ok:
			t.Errorf("unexpected obligation %s", o.ID)
		case o.Regime != regime:
			t.Errorf("%s: regime %s, want %s", o.ID, o.Regime, regime)
		case o.Source == "" || o.Title == "":
			t.Errorf("%s: no source or title", o.ID)
		case o.Disabled != (o.ID == "us-circia"):
			t.Errorf("%s: disabled %v", o.ID, o.Disabled)
		case !o.Disabled && o.EffectiveFrom.IsZero():
			t.Errorf("%s: no effective date", o.ID)
		}
	}
	for id, from := range map[string]string{
		"gdpr-33": "2018-05-25", "nis2-23-final": "2024-10-18", "dora-19-initial": "2025-01-17", "sec-8k-105": "2023-12-18",
	} {
		if got := rs.Obligation(id)[0].EffectiveFrom.Format(time.DateOnly); got != from {
			t.Errorf("%s effective from %s, want %s", id, got, from)
		}
	}
	for alias, canon := range map[string]string{"nis2-23": "nis2", "dora-19": "dora", "sec-8k-105": "sec-8k", "uk-gdpr": "uk-gdpr-33", "gdpr-33": "gdpr-33", "acme": "acme"} {
		if got := rs.Canonical(alias); got != canon {
			t.Errorf("Canonical(%s) = %s", alias, got)
		}
	}
	if !rs.Known("nis2-23") || rs.Known("acme") {
		t.Error("Known")
	}
	var ids []string
	for _, o := range rs.ForRegime("dora-19") {
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, " ") != "dora-19-initial dora-19-intermediate dora-19-final" {
		t.Errorf("ForRegime(dora-19) = %v", ids)
	}
	rules := map[string]string{
		"gdpr-33":         "72h after aware_at",
		"gdpr-34":         "without undue delay after aware_at",
		"dora-19-initial": "earliest of 4h after classified_at, 24h after aware_at",
		"dora-19-final":   "1mo after latest submission of dora-19-intermediate",
		"sec-8k-105":      "4bd after determined_at",
	}
	for id, want := range rules {
		if got := rs.Obligation(id)[0].Rule(); got != want {
			t.Errorf("%s Rule() = %q, want %q", id, got, want)
		}
	}
}

func TestNewRuleSetErrors(t *testing.T) {
	base := Obligation{ID: "x", Regime: "r", Legs: on(FieldAwareAt, Hours(1)), Parties: []string{"customers"}}
	mod := func(f func(o *Obligation)) Obligation { o := base; f(&o); return o }
	cases := []struct {
		name string
		obls []Obligation
		msg  string
	}{
		{"bad id", []Obligation{mod(func(o *Obligation) { o.ID = "X y" })}, "id must match"},
		{"no legs", []Obligation{mod(func(o *Obligation) { o.Legs = nil })}, "no trigger"},
		{"bad field", []Obligation{mod(func(o *Obligation) { o.Legs = on("occurred_at", Hours(1)) })}, `trigger "occurred_at"`},
		{"no party", []Obligation{mod(func(o *Obligation) { o.Parties = nil })}, "no party"},
		{"bad party", []Obligation{mod(func(o *Obligation) { o.Parties = []string{"press"} })}, `party "press"`},
		{"bad phase", []Obligation{mod(func(o *Obligation) { o.Phase = "update" })}, `phase "update"`},
		{"after unknown", []Obligation{mod(func(o *Obligation) { o.Legs = []Leg{{Trigger: Trigger{After: "y"}, Clock: Hours(1)}} })}, "after y: no such obligation"},
		{"after other regime", []Obligation{
			mod(func(o *Obligation) { o.ID, o.Regime = "y", "other" }),
			mod(func(o *Obligation) { o.Legs = []Leg{{Trigger: Trigger{After: "y"}, Clock: Hours(1)}} }),
		}, "another regime"},
		{"cycle", []Obligation{
			mod(func(o *Obligation) { o.ID, o.Legs = "a", []Leg{{Trigger: Trigger{After: "b"}, Clock: Hours(1)}} }),
			mod(func(o *Obligation) { o.ID, o.Legs = "b", []Leg{{Trigger: Trigger{After: "a"}, Clock: Hours(1)}} }),
		}, "depends on its own submission"},
	}
	for _, tc := range cases {
		if _, err := NewRuleSet("t", nil, tc.obls); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
	if _, err := NewRuleSet("t", map[string]string{"alias": "nowhere"}, []Obligation{base}); err == nil {
		t.Error("alias to an unknown regime accepted")
	}
}

func TestRuleSetWith(t *testing.T) {
	custom, err := ParseCustom([]map[string]any{
		{"id": "nis2-national-extra", "regime": "nis2-23", "trigger": "aware_at", "within": "12h", "party": "csirt", "phase": "early-warning"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Builtin().With(custom)
	if err != nil {
		t.Fatal(err)
	}
	if o := rs.Obligation("nis2-national-extra"); len(o) != 1 || o[0].Regime != "nis2" || !o[0].Custom {
		t.Errorf("custom obligation %v", o)
	}
	if len(rs.ForRegime("nis2")) != 4 || len(Builtin().ForRegime("nis2")) != 3 {
		t.Error("With must not change the built-in rule set")
	}
	r := &record.Record{Regimes: []record.Regime{{ID: "nis2", AwareAt: rt(t, "2026-03-02T09:00:00Z")}}}
	checkStatus(t, find(t, Evaluate(r, rs, mustTime(t, "2026-03-02T22:00:00Z"), nil), "nis2-national-extra"), StateOverdue, "2026-03-02T21:00:00Z")

	dup, _ := ParseCustom([]map[string]any{{"id": "gdpr-33", "regime": "acme", "trigger": "aware_at", "within": "1h", "party": "customers"}})
	if _, err := Builtin().With(dup); err == nil || !strings.Contains(err.Error(), "obligation gdpr-33: the id is already used by a built-in obligation") {
		t.Errorf("collision: %v", err)
	}
	dangling, _ := ParseCustom([]map[string]any{{"id": "acme-final", "regime": "acme", "after": "acme-initial", "within": "1mo", "party": "customers"}})
	if _, err := Builtin().With(dangling); err == nil || !strings.Contains(err.Error(), "obligation acme-final: after acme-initial: no such obligation") {
		t.Errorf("dangling after: %v", err)
	}
}
