package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

func parseRecords(t *testing.T, docs ...string) []*record.Record {
	t.Helper()
	var out []*record.Record
	for _, d := range docs {
		doc, err := record.Parse("test.yaml", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		r, err := doc.Record()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// The records of TestAuditGaps: each breaks one rule of the procedure.
const (
	// Closed without root cause or lessons; GDPR notice 80 h after
	// awareness (late by the clock, no late_reason); one corrective action
	// done but never verified.
	auditLate = `schema_version: 1
id: INC-2026-0001
kind: incident
title: Mailbox compromise
status: closed
reported: {at: 2026-03-02T09:00:00Z, by: alice@example.com}
detected_at: 2026-03-01T08:00:00Z
contained_at: 2026-03-02T12:00:00Z
assessment: {at: 2026-03-02T10:00:00Z, by: lead@example.com, is_incident: true, severity: SEV2, category: intrusions/unprivileged-account-compromise}
roles: {incident_manager: bob@example.com}
regimes: [{id: gdpr-33, aware_at: 2026-03-02T10:00:00Z}]
notifications:
  - {party: supervisory-authority, regime: gdpr-33, phase: initial, at: 2026-03-05T18:00:00Z}
actions: [{at: 2026-03-02T11:00:00Z, by: bob@example.com, type: containment, text: reset}]
evidence:
  - {id: EV-1, description: headers, sha256: 0000000000000000000000000000000000000000000000000000000000000000, collected: {at: 2026-03-02T11:00:00Z, by: bob@example.com}}
  - {id: EV-2, description: interview notes}
corrective_actions:
  - {id: CA-1, text: enforce MFA, owner: o@example.com, status: done}
closed: {at: 2026-03-20T09:00:00Z, by: lead@example.com}
`
	// Open, never assessed, no Incident Manager, no action logged; NIS2
	// declared without the awareness time; a GDPR notice overdue.
	auditOpen = `schema_version: 1
id: INC-2026-0002
kind: incident
title: Ransom note on a file server
status: reported
reported: {at: 2026-04-01T09:00:00Z, by: carol@example.com}
regimes: [{id: nis2}, {id: gdpr-33, aware_at: 2026-04-01T09:00:00Z}]
corrective_actions:
  - {id: CA-1, text: patch, owner: o@example.com, due: 2026-05-01, status: open}
`
	// An event assessed in time, with a notice made late with a reason.
	auditEvent = `schema_version: 1
id: EVT-2026-0001
kind: event
title: Phishing mail
status: closed
reported: {at: 2026-04-02T09:00:00Z, by: dave@example.com}
assessment: {at: 2026-04-02T10:00:00Z, by: lead@example.com, is_incident: false}
notifications:
  - {party: customers, at: 2026-04-09T10:00:00Z, late_reason: waited for the vendor}
closed: {at: 2026-04-03T09:00:00Z, by: lead@example.com}
`
	// A drill held more than 12 months before now.
	auditOldDrill = `schema_version: 1
id: DRL-2024-0001
kind: drill
title: Tabletop
status: held
reported: {at: 2024-05-01T09:00:00Z, by: lead@example.com}
drill: {scenario: ransomware, held_at: 2024-05-02T09:00:00Z}
`
)

func auditItem(t *testing.T, rep *AuditReport, control, rule, what string) *AuditItem {
	t.Helper()
	for _, c := range rep.Controls {
		if c.ID != control {
			continue
		}
		list := c.Evidence
		if rule != "" {
			list = c.Gaps
		}
		for i, it := range list {
			if it.Rule == rule && (rule != "" || it.What == what) {
				return &list[i]
			}
		}
	}
	return nil
}

// TestAuditGaps checks each gap rule fires on the record that breaks it,
// and only there.
func TestAuditGaps(t *testing.T) {
	recs := parseRecords(t, auditLate, auditOpen, auditEvent, auditOldDrill)
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := day(2026, 7, 1)
	rep, err := Audit(recs, cfg, AuditOptions{Now: now, Stamp: NewStamp("abc", VerifyFailed, 2)})
	if err != nil {
		t.Fatal(err)
	}
	gaps := []struct {
		control, rule string
		count         int
		records       []string
	}{
		{"A.5.24", GapNoDrill, 1, []string{}},
		{"A.6.8", GapReportDelayed, 1, []string{"INC-2026-0001"}},
		{"A.5.25", GapNotAssessed, 1, []string{"INC-2026-0002"}},
		{"A.5.25", GapNoIncidentManager, 1, []string{"INC-2026-0002"}},
		{"A.5.26", GapNoResponseLog, 1, []string{"INC-2026-0002"}},
		{"A.5.27", GapNoRootCause, 1, []string{"INC-2026-0001"}},
		{"A.5.27", GapNoLessons, 1, []string{"INC-2026-0001"}},
		{"A.5.27", GapActionOverdue, 1, []string{"INC-2026-0002"}},
		{"A.5.27", GapActionUnverified, 1, []string{"INC-2026-0001"}},
		{"A.5.28", GapEvidenceNoDigest, 1, []string{"INC-2026-0001"}},
		{"A.5.28", GapEvidenceNoCollector, 1, []string{"INC-2026-0001"}},
		{"A.5.28", GapCustodyNotVerified, 1, []string{}},
		{"A.5.5", GapNotificationLate, 2, []string{"INC-2026-0001", "EVT-2026-0001"}},
		{"A.5.5", GapNotificationOverdue, 1, []string{"INC-2026-0002"}},
		{"A.5.5", GapRegimeTrigger, 2, []string{"INC-2026-0002"}},
	}
	total := 0
	for _, g := range gaps {
		it := auditItem(t, rep, g.control, g.rule, "")
		if it == nil {
			t.Errorf("%s %s: no gap", g.control, g.rule)
			continue
		}
		if it.Count != g.count || !slices.Equal(it.Records, g.records) {
			t.Errorf("%s %s: %d %v, want %d %v", g.control, g.rule, it.Count, it.Records, g.count, g.records)
		}
		total++
	}
	if rep.Gaps != total {
		var all []string
		for _, c := range rep.Controls {
			for _, g := range c.Gaps {
				all = append(all, c.ID+" "+g.Rule)
			}
		}
		t.Errorf("%d gaps, want %d: %v", rep.Gaps, total, all)
	}
	if it := auditItem(t, rep, "A.5.25", "", "reports assessed with a decision, a decider and a time"); it == nil || it.Count != 2 ||
		!slices.Equal(it.Records, []string{"INC-2026-0001", "EVT-2026-0001"}) {
		t.Errorf("assessed: %+v", it)
	}
	if it := auditItem(t, rep, "A.5.24", "", "drills held in the 12 months before the end of the period"); it == nil || it.Count != 0 {
		t.Errorf("drills: %+v", it)
	}

	// A drill in the window, a verified stamp: those gaps go.
	recent := parseRecords(t, `schema_version: 1
id: DRL-2026-0001
kind: drill
title: Tabletop
status: held
reported: {at: 2026-01-10T09:00:00Z, by: lead@example.com}
drill: {scenario: ransomware, held_at: 2026-01-12T09:00:00Z}
`)
	rep, err = Audit(append(recs, recent...), cfg, AuditOptions{Now: now, Stamp: NewStamp("abc", VerifyPassed, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if auditItem(t, rep, "A.5.24", GapNoDrill, "") != nil || auditItem(t, rep, "A.5.28", GapCustodyNotVerified, "") != nil {
		t.Error("a drill in the window and a verified chain still leave their gaps")
	}
	if it := auditItem(t, rep, "A.5.24", "", "drills held in the 12 months before the end of the period"); it == nil || !slices.Equal(it.Records, []string{"DRL-2026-0001"}) {
		t.Errorf("drills: %+v", it)
	}

	// A period holds only the records reported in it; the drill window
	// ends with the period.
	rep, err = Audit(append(recs, recent...), cfg, AuditOptions{Period: "2026-Q1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if it := auditItem(t, rep, "A.6.8", "", "incidents reported, with reporter and time"); it == nil || !slices.Equal(it.Records, []string{"INC-2026-0001"}) {
		t.Errorf("Q1 incidents: %+v", it)
	}
	if !rep.DrillsTo.Equal(day(2026, 4, 1)) || !rep.DrillsFrom.Equal(day(2025, 4, 1)) {
		t.Errorf("drill window %v–%v", rep.DrillsFrom, rep.DrillsTo)
	}
	if _, err := Audit(recs, cfg, AuditOptions{Period: "2026-Q5", Now: now}); err == nil {
		t.Error("a bad period is accepted")
	}

	// Every control of the mapping, each with its 2013 counterparts.
	var buf bytes.Buffer
	if err := rep.JSON(&buf); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Controls []struct {
			ID      string `json:"id"`
			ISO2013 []struct {
				ID string `json:"id"`
			} `json:"iso_2013"`
		} `json:"controls"`
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range v.Controls {
		s := c.ID + "="
		for _, o := range c.ISO2013 {
			s += o.ID + ","
		}
		got = append(got, s)
	}
	want := []string{"A.5.24=A.16.1.1,", "A.6.8=A.16.1.2,A.16.1.3,", "A.5.25=A.16.1.4,", "A.5.26=A.16.1.5,", "A.5.27=A.16.1.6,", "A.5.28=A.16.1.7,", "A.5.5=A.6.1.3,"}
	if !slices.Equal(got, want) {
		t.Errorf("controls %v, want %v", got, want)
	}
}
