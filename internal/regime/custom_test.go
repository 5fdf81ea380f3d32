package regime

import (
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/record"
)

func TestParseCustom(t *testing.T) {
	items := []map[string]any{
		{
			"id": "acme-msa-notice", "regime": "acme-msa", "description": "Tell Acme within 48 hours (MSA §12.3)",
			"trigger": "aware_at", "within": "48h", "party": "customers", "phase": "initial",
			"effective_from": "2025-07-01", "source": "Acme MSA §12.3",
		},
		{
			"id": "acme-msa-report", "regime": "acme-msa", "after": "acme-msa-notice", "latest": false,
			"within": "5bd", "calendar": "us-federal", "cutoff": "17:00", "party": []any{"customers", "partners"}, "phase": "final",
		},
		{
			"id": "acme-msa-review", "regime": "acme-msa", "trigger": "determined_at", "within": "1mo", "party": []string{"customers"}, "phase": "final",
			"effective_from": time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
		},
		{"id": "acme-msa-letter", "regime": "acme-msa", "trigger": "aware_at", "within": "without undue delay", "party": "customers"},
		{"id": "acme-msa-days", "regime": "acme-msa", "trigger": "aware_at", "within": "5d", "party": "customers", "phase": "intermediate"},
	}
	obls, err := ParseCustom(items)
	if err != nil {
		t.Fatal(err)
	}
	if len(obls) != 5 {
		t.Fatalf("%d obligations", len(obls))
	}
	n, r, rv, letter, days := obls[0], obls[1], obls[2], obls[3], obls[4]
	if n.Title != "Tell Acme within 48 hours (MSA §12.3)" || n.Legs[0].Clock != Hours(48) || n.Legs[0].Trigger.Field != FieldAwareAt ||
		!n.EffectiveFrom.Equal(mustTime(t, "2025-07-01T00:00:00Z")) || n.Source != "Acme MSA §12.3" || !n.Custom {
		t.Errorf("notice: %+v", n)
	}
	bd, ok := r.Legs[0].Clock.(BusinessDays)
	if !ok || bd.N != 5 || bd.Cutoff != 17*time.Hour || r.Legs[0].Trigger.After != "acme-msa-notice" || len(r.Parties) != 2 || r.Source != "casefile.yaml" {
		t.Errorf("report: %+v", r)
	}
	if _, isUS := bd.Calendar.(USFederal); !isUS {
		t.Errorf("calendar %T", bd.Calendar)
	}
	if rv.Legs[0].Clock != (CalendarMonths{N: 1}) || !rv.EffectiveFrom.Equal(n.EffectiveFrom) {
		t.Errorf("review: %+v", rv)
	}
	if letter.HasDeadline() {
		t.Error("without undue delay has a deadline")
	}
	if days.Legs[0].Clock != (CalendarDays{N: 5}) {
		t.Errorf("days: %v", days.Legs[0].Clock)
	}

	rs, err := Builtin().With(obls)
	if err != nil {
		t.Fatal(err)
	}
	ny := USEastern()
	rec := &record.Record{
		Regimes:       []record.Regime{{ID: "acme-msa", AwareAt: rt(t, "2026-07-02T10:00:00-04:00"), DeterminedAt: rt(t, "2026-07-03T10:00:00-04:00")}},
		Notifications: []record.Notification{note(t, "acme-msa", "customers", "", "2026-07-03T09:00:00-04:00")},
	}
	ss := Evaluate(rec, rs, mustTime(t, "2026-07-06T00:00:00Z"), ny)
	checkStatus(t, find(t, ss, "acme-msa-notice"), StateMet, "2026-07-04T10:00:00-04:00")
	// Five US business days after Friday 3 July (itself a holiday): 6–10 July, 17:00 New York.
	checkStatus(t, find(t, ss, "acme-msa-report"), StateOpen, "2026-07-10T17:00:00-04:00")
	checkStatus(t, find(t, ss, "acme-msa-review"), StateOpen, "2026-08-03T23:59:59.999999999-04:00")
	checkStatus(t, find(t, ss, "acme-msa-letter"), StateMet, "")
	checkStatus(t, find(t, ss, "acme-msa-days"), StateOpen, "2026-07-07T23:59:59.999999999-04:00")
}

func TestParseCustomErrors(t *testing.T) {
	ok := func(extra map[string]any, drop ...string) map[string]any {
		m := map[string]any{"id": "acme", "regime": "acme-msa", "trigger": "aware_at", "within": "48h", "party": "customers"}
		for k, v := range extra {
			m[k] = v
		}
		for _, k := range drop {
			delete(m, k)
		}
		return m
	}
	cases := []struct {
		name  string
		items []map[string]any
		msg   string
	}{
		{"unknown key", []map[string]any{ok(map[string]any{"withn": "48h"})}, `obligation 1 (acme): unknown key "withn"`},
		{"within without unit", []map[string]any{ok(map[string]any{"within": 48})}, "obligation 1 (acme): within: 48 is a number, not a string (write an amount with its unit"},
		{"within bad unit", []map[string]any{ok(map[string]any{"within": "48x"})}, `within: "48x" is not an amount like 48h, 5d, 3bd, 1mo`},
		{"within zero", []map[string]any{ok(map[string]any{"within": "0h"})}, `within: "0h" must be between 1h and 10000h`},
		{"within huge", []map[string]any{ok(map[string]any{"within": "99999999999999999999h"})}, "must be between 1h"},
		{"within missing", []map[string]any{ok(nil, "within")}, "within is missing"},
		{"calendar on hours", []map[string]any{ok(map[string]any{"calendar": "us-federal"})}, "calendar and cutoff apply to business days only"},
		{"unknown calendar", []map[string]any{ok(map[string]any{"within": "3bd", "calendar": "de-by"})}, `calendar: unknown holiday calendar "de-by"`},
		{"bad cutoff", []map[string]any{ok(map[string]any{"within": "3bd", "cutoff": "5pm"})}, `cutoff: "5pm" is not a time of day`},
		{"midnight cutoff", []map[string]any{ok(map[string]any{"within": "3bd", "cutoff": "00:00"})}, `cutoff: "00:00"`},
		{"no party", []map[string]any{ok(nil, "party")}, "party is missing"},
		{"bad party", []map[string]any{ok(map[string]any{"party": "press"})}, `party "press" is not one of`},
		{"party not a string", []map[string]any{ok(map[string]any{"party": []any{"customers", 3}})}, "party: 3 is a number"},
		{"bad phase", []map[string]any{ok(map[string]any{"phase": "update"})}, `phase "update"`},
		{"trigger and after", []map[string]any{ok(map[string]any{"after": "x"})}, "give either trigger or after, not both"},
		{"no trigger", []map[string]any{ok(nil, "trigger")}, "trigger is missing"},
		{"bad trigger", []map[string]any{ok(map[string]any{"trigger": "occurred_at"})}, `trigger "occurred_at" is not one of aware_at, classified_at, determined_at`},
		{"latest without after", []map[string]any{ok(map[string]any{"latest": true})}, "latest needs after"},
		{"latest not a boolean", []map[string]any{ok(map[string]any{"latest": "yes"})}, "latest: yes is a string, not true or false"},
		{"after itself", []map[string]any{ok(map[string]any{"after": "acme"}, "trigger")}, "after names the obligation itself"},
		{"no id", []map[string]any{ok(nil, "id")}, "obligation 1: id is missing"},
		{"bad id", []map[string]any{ok(map[string]any{"id": "Acme Notice"})}, `obligation 1 (Acme Notice): id "Acme Notice" must be lowercase`},
		{"no regime", []map[string]any{ok(nil, "regime")}, "regime is missing"},
		{"bad date", []map[string]any{ok(map[string]any{"effective_from": "1 July 2025"})}, `effective_from: "1 July 2025" is not a date`},
		{"until before from", []map[string]any{ok(map[string]any{"effective_from": "2025-07-01", "effective_until": "2025-01-01"})}, "effective_until is not after effective_from"},
		{"duplicate id", []map[string]any{ok(nil), ok(nil)}, "obligation 2 (acme): id acme is already used by obligation 1"},
		{"second entry named", []map[string]any{ok(nil), ok(map[string]any{"id": "acme-2", "within": "3w"})}, `obligation 2 (acme-2): within: "3w"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCustom(tc.items)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want it to contain %q", err, tc.msg)
			}
			if msg := err.Error(); strings.HasSuffix(msg, ".") || msg[0] != 'o' {
				t.Errorf("error style: %q", msg)
			}
		})
	}
}

func TestCustomObligation(t *testing.T) {
	o, err := Custom{ID: "acme", Regime: "acme", Trigger: "aware_at", Within: "3bd", Party: []string{"customers"}}.Obligation()
	if err != nil || o.Legs[0].Clock.String() != "3bd" {
		t.Fatalf("%v %v", o, err)
	}
	if _, err := (Custom{ID: "acme", Regime: "acme", Trigger: "aware_at", Within: "3bd"}).Obligation(); err == nil || err.Error() != "obligation acme: party is missing" {
		t.Errorf("error %v", err)
	}
}
