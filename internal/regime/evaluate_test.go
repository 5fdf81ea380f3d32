package regime

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/record"
)

func rt(t testing.TB, s string) record.Time {
	t.Helper()
	if s == "" {
		return record.Time{}
	}
	v, err := record.ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func note(t testing.TB, regime, party, phase, at string) record.Notification {
	return record.Notification{Party: party, Regime: regime, Phase: phase, At: rt(t, at)}
}

// find returns the status of obligation id, failing when it is absent.
func find(t testing.TB, ss []Status, id string) Status {
	t.Helper()
	for _, s := range ss {
		if s.Obligation.ID == id {
			return s
		}
	}
	t.Fatalf("no status for %s in %v", id, ss)
	return Status{}
}

func checkStatus(t *testing.T, s Status, state State, deadline string) {
	t.Helper()
	if s.State != state {
		t.Errorf("%s: state %s, want %s (%s)", s.Obligation.ID, s.State, state, s)
	}
	if deadline == "" {
		if !s.Deadline.IsZero() {
			t.Errorf("%s: deadline %s, want none", s.Obligation.ID, s.Deadline.Format(time.RFC3339Nano))
		}
		return
	}
	if want := mustTime(t, deadline); !s.Deadline.Equal(want) {
		t.Errorf("%s: deadline %s, want %s", s.Obligation.ID, s.Deadline.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
}

func TestEvaluateStatesGDPR33(t *testing.T) {
	const aware, deadline = "2026-03-02T10:00:00Z", "2026-03-05T10:00:00Z"
	sa := func(at string) record.Notification { return note(t, "gdpr-33", "supervisory-authority", "initial", at) }
	lateExplained := sa("2026-03-06T09:00:00Z")
	lateExplained.LateReason = "The number of affected data subjects was only known after the log analysis."
	cases := []struct {
		name  string
		regs  []record.Regime
		ns    []record.Notification
		now   string
		state State
		due   string
	}{
		{"met at exactly 72 h", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{sa(deadline)}, "2026-04-01T00:00:00Z", StateMet, deadline},
		{"late by one second", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{sa("2026-03-05T10:00:01Z")}, "2026-04-01T00:00:00Z", StateLate, deadline},
		{"late with a reason", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{lateExplained}, "2026-04-01T00:00:00Z", StateLateExplained, deadline},
		{"open", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, nil, "2026-03-04T00:00:00Z", StateOpen, deadline},
		{"open at the deadline itself", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, nil, deadline, StateOpen, deadline},
		{"overdue", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, nil, "2026-03-05T10:00:01Z", StateOverdue, deadline},
		{"not applicable", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware), NotApplicableReason: "encrypted, key not compromised"}}, nil, "2026-04-01T00:00:00Z", StateNotApplicable, ""},
		{"missing trigger", []record.Regime{{ID: "gdpr-33"}}, nil, "2026-04-01T00:00:00Z", StateMissingTrigger, ""},
		{"not in force before 25 May 2018", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, "2018-05-24T23:00:00Z")}}, nil, "2026-04-01T00:00:00Z", StateNotInForce, ""},
		{"no phase counts as initial", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{note(t, "gdpr-33", "supervisory-authority", "", "2026-03-03T10:00:00Z")}, "2026-04-01T00:00:00Z", StateMet, deadline},
		{"an update alone does not satisfy", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{note(t, "gdpr-33", "supervisory-authority", "update", "2026-03-03T10:00:00Z")}, "2026-04-01T00:00:00Z", StateOverdue, deadline},
		{"another party does not satisfy", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{note(t, "gdpr-33", "management", "initial", "2026-03-03T10:00:00Z")}, "2026-04-01T00:00:00Z", StateOverdue, deadline},
		{"a notification without regime does not satisfy", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{note(t, "", "supervisory-authority", "initial", "2026-03-03T10:00:00Z")}, "2026-04-01T00:00:00Z", StateOverdue, deadline},
		{"the earliest submission counts", []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, aware)}}, []record.Notification{sa("2026-03-09T10:00:00Z"), sa("2026-03-04T10:00:00Z")}, "2026-04-01T00:00:00Z", StateMet, deadline},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &record.Record{Regimes: tc.regs, Notifications: tc.ns}
			ss := Evaluate(r, nil, mustTime(t, tc.now), time.UTC)
			if len(ss) != 1 {
				t.Fatalf("%d statuses: %v", len(ss), ss)
			}
			checkStatus(t, ss[0], tc.state, tc.due)
		})
	}
}

func TestEvaluateMissingTriggerMessages(t *testing.T) {
	cases := []struct {
		regime record.Regime
		msg    string
	}{
		{record.Regime{ID: "nis2"}, "regime nis2 declared without aware_at"},
		{record.Regime{ID: "nis2-23"}, "regime nis2-23 declared without aware_at"},
		{record.Regime{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z")}, "regime dora declared without classified_at"},
		{record.Regime{ID: "dora"}, "regime dora declared without classified_at and aware_at"},
		{record.Regime{ID: "sec-8k", AwareAt: rt(t, "2026-05-04T08:00:00Z")}, "regime sec-8k declared without determined_at"},
	}
	for _, tc := range cases {
		r := &record.Record{Regimes: []record.Regime{tc.regime}}
		s := Evaluate(r, nil, mustTime(t, "2026-06-01T00:00:00Z"), time.UTC)[0]
		var mt *MissingTriggerError
		if s.State != StateMissingTrigger || !errors.As(s.Err, &mt) || s.Err.Error() != tc.msg {
			t.Errorf("%s: %s, %v; want %q", tc.regime.ID, s.State, s.Err, tc.msg)
		}
	}
}

func TestEvaluateUnknownRegime(t *testing.T) {
	r := &record.Record{Regimes: []record.Regime{{ID: "acme-msa", AwareAt: rt(t, "2026-05-04T08:00:00Z")}}}
	ss := Evaluate(r, nil, mustTime(t, "2026-06-01T00:00:00Z"), nil)
	if len(ss) != 1 || ss[0].State != StateUnknownRegime || ss[0].Err == nil || !strings.Contains(ss[0].Err.Error(), "acme-msa") {
		t.Fatalf("got %v", ss)
	}
	if !ss[0].State.Violation() {
		t.Error("an unknown regime should be a violation")
	}
}

func TestEvaluateGDPR34WithoutUndueDelay(t *testing.T) {
	reg := []record.Regime{{ID: "gdpr-34", AwareAt: rt(t, "2026-03-02T10:00:00Z")}}
	now := mustTime(t, "2027-01-01T00:00:00Z") // long after: there is no number to miss
	explained := note(t, "gdpr-34", "data-subjects", "", "2026-03-20T10:00:00Z")
	explained.LateReason = "Addresses had to be recovered from backups first."
	cases := []struct {
		name  string
		regs  []record.Regime
		ns    []record.Notification
		state State
	}{
		{"not communicated", reg, nil, StateNoDeadline},
		{"communicated", reg, []record.Notification{note(t, "gdpr-34", "data-subjects", "", "2026-03-20T10:00:00Z")}, StateMet},
		{"communicated with a reason for the delay", reg, []record.Notification{explained}, StateLateExplained},
		{"exempt under Art. 34(3)", []record.Regime{{ID: "gdpr-34", AwareAt: rt(t, "2026-03-02T10:00:00Z"), NotApplicableReason: "Art. 34(3)(a): encrypted"}}, nil, StateNotApplicable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Evaluate(&record.Record{Regimes: tc.regs, Notifications: tc.ns}, nil, now, time.UTC)[0]
			checkStatus(t, s, tc.state, "")
			if tc.state == StateNoDeadline {
				if got := s.Due(time.UTC); got != "without undue delay" {
					t.Errorf("Due = %q", got)
				}
				if !strings.Contains(s.String(), "due: without undue delay") {
					t.Errorf("String = %q", s)
				}
				if s.State.Violation() {
					t.Error("no-deadline is not a violation")
				}
			}
		})
	}
}

func TestEvaluateNIS2Chain(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	reg := []record.Regime{{ID: "nis2", AwareAt: rt(t, "2026-01-29T09:00:00Z")}}
	ew := note(t, "nis2-23", "csirt", "early-warning", "2026-01-29T20:00:00Z")
	notif := note(t, "nis2", "csirt", "initial", "2026-01-31T15:00:00Z") // 16:00 in Berlin
	const finalDue = "2026-02-28T23:59:59.999999999+01:00"

	t.Run("final report pending until the notification is submitted", func(t *testing.T) {
		r := &record.Record{Regimes: reg, Notifications: []record.Notification{ew}}
		ss := Evaluate(r, nil, mustTime(t, "2026-01-30T00:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "nis2-23-early-warning"), StateMet, "2026-01-30T09:00:00Z")
		checkStatus(t, find(t, ss, "nis2-23-notification"), StateOpen, "2026-02-01T09:00:00Z")
		f := find(t, ss, "nis2-23-final")
		checkStatus(t, f, StatePending, "")
		if f.State.Violation() || !strings.Contains(f.Reason, "nis2-23-notification") {
			t.Errorf("pending: %s", f)
		}
	})
	t.Run("final report one month after the notification", func(t *testing.T) {
		r := &record.Record{Regimes: reg, Notifications: []record.Notification{ew, notif}}
		open := Evaluate(r, nil, mustTime(t, "2026-02-28T23:59:59+01:00"), berlin)
		f := find(t, open, "nis2-23-final")
		checkStatus(t, f, StateOpen, finalDue)
		if f.TriggerField != "submission of nis2-23-notification" || !f.Trigger.Equal(mustTime(t, "2026-01-31T15:00:00Z")) {
			t.Errorf("trigger %s %s", f.TriggerField, f.Trigger)
		}
		checkStatus(t, find(t, Evaluate(r, nil, mustTime(t, "2026-03-01T00:00:00+01:00"), berlin), "nis2-23-final"), StateOverdue, finalDue)

		r.Notifications = append(r.Notifications, note(t, "nis2", "supervisory-authority", "final", "2026-02-28T22:59:59Z"))
		checkStatus(t, find(t, Evaluate(r, nil, mustTime(t, "2026-04-01T00:00:00Z"), berlin), "nis2-23-final"), StateMet, finalDue)
	})
	t.Run("a combined notification within 24 h satisfies the early warning", func(t *testing.T) {
		r := &record.Record{Regimes: reg, Notifications: []record.Notification{note(t, "nis2", "csirt", "initial", "2026-01-30T08:00:00Z")}}
		ss := Evaluate(r, nil, mustTime(t, "2026-02-01T00:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "nis2-23-early-warning"), StateMet, "2026-01-30T09:00:00Z")
		checkStatus(t, find(t, ss, "nis2-23-notification"), StateMet, "2026-02-01T09:00:00Z")
	})
	t.Run("the same instant written in other zones", func(t *testing.T) {
		for _, aware := range []string{"2026-01-29T09:00:00Z", "2026-01-29T10:00:00+01:00", "2026-01-29T04:00:00-05:00"} {
			for _, sub := range []string{"2026-01-31T15:00:00Z", "2026-01-31T16:00:00+01:00", "2026-02-01T00:00:00+09:00"} {
				r := &record.Record{
					Regimes:       []record.Regime{{ID: "nis2", AwareAt: rt(t, aware)}},
					Notifications: []record.Notification{note(t, "nis2", "csirt", "initial", sub)},
				}
				ss := Evaluate(r, nil, mustTime(t, "2026-02-10T00:00:00Z"), berlin)
				checkStatus(t, find(t, ss, "nis2-23-notification"), StateMet, "2026-02-01T09:00:00Z")
				checkStatus(t, find(t, ss, "nis2-23-final"), StateOpen, finalDue)
			}
		}
	})
	t.Run("not in force before 18 October 2024, nor its chained report", func(t *testing.T) {
		r := &record.Record{
			Regimes:       []record.Regime{{ID: "nis2", AwareAt: rt(t, "2024-10-17T12:00:00Z")}},
			Notifications: []record.Notification{note(t, "nis2", "csirt", "initial", "2024-10-19T12:00:00Z")},
		}
		for _, s := range Evaluate(r, nil, mustTime(t, "2026-01-01T00:00:00Z"), berlin) {
			if s.State != StateNotInForce || s.Reason == "" {
				t.Errorf("%s", s)
			}
		}
		// From the first instant in force, the notification of 19 October is
		// a late early warning and an on-time incident notification.
		r.Regimes[0].AwareAt = rt(t, "2024-10-18T00:00:00Z")
		ss := Evaluate(r, nil, mustTime(t, "2026-01-01T00:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "nis2-23-early-warning"), StateLate, "2024-10-19T00:00:00Z")
		checkStatus(t, find(t, ss, "nis2-23-notification"), StateMet, "2024-10-21T00:00:00Z")
		checkStatus(t, find(t, ss, "nis2-23-final"), StateOverdue, "2024-11-19T23:59:59.999999999+01:00")
	})
}

func TestEvaluateDORA(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	now := mustTime(t, "2026-09-01T00:00:00Z")
	ca := func(phase, at string) record.Notification { return note(t, "dora", "supervisory-authority", phase, at) }

	t.Run("earlier of: 4 h after classification binds", func(t *testing.T) {
		r := &record.Record{Regimes: []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-04T10:00:00Z")}}}
		s := find(t, Evaluate(r, nil, mustTime(t, "2026-05-04T12:00:00Z"), berlin), "dora-19-initial")
		checkStatus(t, s, StateOpen, "2026-05-04T14:00:00Z")
		if s.TriggerField != FieldClassifiedAt {
			t.Errorf("binding trigger %s", s.TriggerField)
		}
	})
	t.Run("earlier of: 24 h after awareness binds", func(t *testing.T) {
		r := &record.Record{Regimes: []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-05T06:00:00Z")}}}
		s := find(t, Evaluate(r, nil, mustTime(t, "2026-05-05T07:00:00Z"), berlin), "dora-19-initial")
		checkStatus(t, s, StateOpen, "2026-05-05T08:00:00Z")
		if s.TriggerField != FieldAwareAt {
			t.Errorf("binding trigger %s", s.TriggerField)
		}
	})
	t.Run("intermediate 72 h after the initial, final one month after the latest intermediate", func(t *testing.T) {
		r := &record.Record{
			Regimes: []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-04T10:00:00Z")}},
			Notifications: []record.Notification{
				ca("initial", "2026-05-04T13:00:00Z"),
				ca("intermediate", "2026-05-07T12:00:00Z"),
				ca("intermediate", "2026-05-20T09:00:00Z"), // updated: regular activities recovered
			},
		}
		ss := Evaluate(r, nil, mustTime(t, "2026-06-01T00:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "dora-19-initial"), StateMet, "2026-05-04T14:00:00Z")
		checkStatus(t, find(t, ss, "dora-19-intermediate"), StateMet, "2026-05-07T13:00:00Z")
		f := find(t, ss, "dora-19-final")
		checkStatus(t, f, StateOpen, "2026-06-20T23:59:59.999999999+02:00")
		if f.TriggerField != "latest submission of dora-19-intermediate" {
			t.Errorf("trigger field %q", f.TriggerField)
		}

		r.Notifications = append(r.Notifications, ca("final", "2026-06-20T21:59:59Z"))
		checkStatus(t, find(t, Evaluate(r, nil, now, berlin), "dora-19-final"), StateMet, "2026-06-20T23:59:59.999999999+02:00")
		r.Notifications[len(r.Notifications)-1] = ca("final", "2026-06-20T22:00:00Z") // 00:00 on 21 June in Berlin
		checkStatus(t, find(t, Evaluate(r, nil, now, berlin), "dora-19-final"), StateLate, "2026-06-20T23:59:59.999999999+02:00")
	})
	t.Run("a late final report does not restart its own clock", func(t *testing.T) {
		r := &record.Record{
			Regimes: []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-04T10:00:00Z")}},
			Notifications: []record.Notification{
				ca("initial", "2026-05-04T13:00:00Z"),
				ca("intermediate", "2026-05-07T12:00:00Z"),
				ca("final", "2026-06-30T12:00:00Z"),
			},
		}
		checkStatus(t, find(t, Evaluate(r, nil, now, berlin), "dora-19-final"), StateLate, "2026-06-07T23:59:59.999999999+02:00")
	})
	t.Run("a combined report satisfies all three", func(t *testing.T) {
		r := &record.Record{
			Regimes:       []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-04T10:00:00Z")}},
			Notifications: []record.Notification{ca("final", "2026-05-04T13:00:00Z")},
		}
		for _, s := range Evaluate(r, nil, now, berlin) {
			if s.State != StateMet {
				t.Errorf("%s", s)
			}
		}
	})
	t.Run("intermediate waits for the initial", func(t *testing.T) {
		r := &record.Record{Regimes: []record.Regime{{ID: "dora-19", AwareAt: rt(t, "2026-05-04T08:00:00Z"), ClassifiedAt: rt(t, "2026-05-04T10:00:00Z")}}}
		ss := Evaluate(r, nil, mustTime(t, "2026-05-04T15:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "dora-19-initial"), StateOverdue, "2026-05-04T14:00:00Z")
		checkStatus(t, find(t, ss, "dora-19-intermediate"), StatePending, "")
		checkStatus(t, find(t, ss, "dora-19-final"), StatePending, "")
	})
	t.Run("a missing classification does not stop the chain from a made submission", func(t *testing.T) {
		r := &record.Record{
			Regimes:       []record.Regime{{ID: "dora", AwareAt: rt(t, "2026-05-04T08:00:00Z")}},
			Notifications: []record.Notification{ca("initial", "2026-05-04T13:00:00Z")},
		}
		ss := Evaluate(r, nil, mustTime(t, "2026-05-05T00:00:00Z"), berlin)
		checkStatus(t, find(t, ss, "dora-19-initial"), StateMissingTrigger, "")
		checkStatus(t, find(t, ss, "dora-19-intermediate"), StateOpen, "2026-05-07T13:00:00Z")
	})
	t.Run("not in force before 17 January 2025", func(t *testing.T) {
		r := &record.Record{Regimes: []record.Regime{{ID: "dora", AwareAt: rt(t, "2025-01-16T23:00:00Z"), ClassifiedAt: rt(t, "2025-01-17T02:00:00Z")}}}
		s := find(t, Evaluate(r, nil, now, berlin), "dora-19-initial")
		checkStatus(t, s, StateNotInForce, "")
		if !strings.Contains(s.Reason, "2025-01-17") {
			t.Errorf("reason %q", s.Reason)
		}
	})
}

func TestEvaluateSEC(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	r := &record.Record{
		Regimes:       []record.Regime{{ID: "sec-8k", DeterminedAt: rt(t, "2026-11-25T21:00:00Z")}}, // Wednesday 16:00 EST
		Notifications: []record.Notification{note(t, "sec-8k", "other", "", "2026-12-02T22:30:00Z")},
	}
	for _, loc := range []*time.Location{time.UTC, tokyo} {
		s := Evaluate(r, nil, mustTime(t, "2026-12-10T00:00:00Z"), loc)[0]
		checkStatus(t, s, StateMet, "2026-12-02T17:30:00-05:00")
	}
	r.Notifications[0].At = rt(t, "2026-12-02T22:31:00Z")
	checkStatus(t, Evaluate(r, nil, mustTime(t, "2026-12-10T00:00:00Z"), nil)[0], StateLate, "2026-12-02T17:30:00-05:00")

	r.Regimes[0].DeterminedAt = rt(t, "2023-12-15T15:00:00Z")
	checkStatus(t, Evaluate(r, nil, mustTime(t, "2026-12-10T00:00:00Z"), nil)[0], StateNotInForce, "")
}

func TestEvaluateHIPAA(t *testing.T) {
	chicago := mustLoc(t, "America/Chicago")
	now := mustTime(t, "2026-02-01T00:00:00Z")
	rec := func(subjects int64) *record.Record {
		r := &record.Record{Regimes: []record.Regime{{ID: "hipaa", AwareAt: rt(t, "2026-01-10T14:00:00Z")}}}
		if subjects > 0 {
			r.Affected.PersonalData = &record.PersonalData{Involved: true, SubjectsApprox: subjects}
		}
		return r
	}
	for _, tc := range []struct {
		subjects int64
		hhs      State
		annual   State
	}{{1200, StateOpen, StateNotApplicable}, {0, StateOpen, StateNotApplicable}, {120, StateNotApplicable, StateOpen}} {
		ss := Evaluate(rec(tc.subjects), nil, now, chicago)
		checkStatus(t, find(t, ss, "hipaa-individuals"), StateOpen, "2026-03-11T23:59:59.999999999-05:00")
		hhs, annual := find(t, ss, "hipaa-hhs"), find(t, ss, "hipaa-hhs-annual")
		if hhs.State != tc.hhs || annual.State != tc.annual {
			t.Errorf("%d subjects: hhs %s, annual %s", tc.subjects, hhs, annual)
		}
		if tc.annual == StateOpen {
			checkStatus(t, annual, StateOpen, "2027-03-01T23:59:59.999999999-06:00")
		}
	}
}

func TestEvaluateNDBAndPDPA(t *testing.T) {
	sydney := mustLoc(t, "Australia/Sydney")
	r := &record.Record{Regimes: []record.Regime{{ID: "au-ndb", AwareAt: rt(t, "2026-03-20T09:00:00+11:00")}}}
	const due = "2026-04-19T23:59:59.999999999+10:00"
	checkStatus(t, Evaluate(r, nil, mustTime(t, "2026-04-20T00:00:00+10:00"), sydney)[0], StateOverdue, due)

	r.Regimes[0].DeterminedAt = rt(t, "2026-04-10T16:00:00+10:00")
	s := Evaluate(r, nil, mustTime(t, "2026-05-01T00:00:00Z"), sydney)[0]
	checkStatus(t, s, StateMet, due)
	if s.SatisfiedBy != FieldDeterminedAt || s.Submission != nil {
		t.Errorf("satisfied by %q, %v", s.SatisfiedBy, s.Submission)
	}
	r.Regimes[0].DeterminedAt = record.Time{}
	r.Notifications = []record.Notification{note(t, "au-ndb", "supervisory-authority", "", "2026-04-02T10:00:00+11:00")}
	if s := Evaluate(r, nil, mustTime(t, "2026-05-01T00:00:00Z"), sydney)[0]; s.State != StateMet || s.SatisfiedBy != "notification" {
		t.Errorf("statement to the OAIC: %s (%s)", s, s.SatisfiedBy)
	}

	singapore := mustLoc(t, "Asia/Singapore")
	p := &record.Record{Regimes: []record.Regime{{ID: "sg-pdpa-26d", DeterminedAt: rt(t, "2026-02-26T22:00:00+08:00")}}}
	checkStatus(t, Evaluate(p, nil, mustTime(t, "2026-02-27T00:00:00Z"), singapore)[0], StateOpen, "2026-03-01T23:59:59.999999999+08:00")
}

func TestEvaluateDisabledCIRCIA(t *testing.T) {
	r := &record.Record{Regimes: []record.Regime{{ID: "circia", AwareAt: rt(t, "2026-03-02T10:00:00Z")}}}
	s := Evaluate(r, nil, mustTime(t, "2027-01-01T00:00:00Z"), nil)[0]
	if s.Obligation.ID != "us-circia" || s.State != StateNotInForce || !strings.Contains(s.Reason, "proposed") || s.State.Violation() {
		t.Errorf("%s", s)
	}
}

func TestEvaluatePartialDates(t *testing.T) {
	// A date-only trigger counts from its start and a date-only submission
	// at its end: both the conservative reading.
	r := &record.Record{
		Regimes:       []record.Regime{{ID: "gdpr-33", AwareAt: rt(t, "2026-03-02")}},
		Notifications: []record.Notification{note(t, "gdpr-33", "supervisory-authority", "initial", "2026-03-04")},
	}
	now := mustTime(t, "2026-04-01T00:00:00Z")
	checkStatus(t, Evaluate(r, nil, now, nil)[0], StateMet, "2026-03-05T00:00:00Z")
	r.Notifications[0].At = rt(t, "2026-03-05")
	checkStatus(t, Evaluate(r, nil, now, nil)[0], StateLate, "2026-03-05T00:00:00Z")
}

func TestEvaluateVersions(t *testing.T) {
	v1 := Obligation{
		ID: "acme-notice", Regime: "acme", Legs: on(FieldAwareAt, Hours(24)), Parties: []string{"customers"},
		EffectiveFrom: mustTime(t, "2025-01-01T00:00:00Z"), EffectiveUntil: mustTime(t, "2025-07-01T00:00:00Z"),
	}
	v2 := v1
	v2.Legs, v2.EffectiveFrom, v2.EffectiveUntil = on(FieldAwareAt, Hours(48)), v1.EffectiveUntil, time.Time{}
	rs, err := NewRuleSet("test", nil, []Obligation{v1, v2})
	if err != nil {
		t.Fatal(err)
	}
	now := mustTime(t, "2026-01-01T00:00:00Z")
	for _, tc := range []struct {
		aware, due string
		state      State
	}{
		{"2025-06-30T12:00:00Z", "2025-07-01T12:00:00Z", StateOverdue},
		{"2025-07-01T00:00:00Z", "2025-07-03T00:00:00Z", StateOverdue},
		{"2024-12-31T12:00:00Z", "", StateNotInForce},
	} {
		r := &record.Record{Regimes: []record.Regime{{ID: "acme", AwareAt: rt(t, tc.aware)}}}
		ss := Evaluate(r, rs, now, nil)
		if len(ss) != 1 {
			t.Fatalf("one status per obligation, got %v", ss)
		}
		checkStatus(t, ss[0], tc.state, tc.due)
	}

	overlap := v2
	overlap.EffectiveFrom = mustTime(t, "2025-06-01T00:00:00Z")
	if _, err := NewRuleSet("test", nil, []Obligation{v1, overlap}); err == nil || !strings.Contains(err.Error(), "two versions") {
		t.Errorf("overlapping versions: %v", err)
	}
}

func TestStateViolation(t *testing.T) {
	want := map[State]bool{
		StateMet: false, StateLate: true, StateLateExplained: false, StateOpen: false, StateOverdue: true,
		StateNotApplicable: false, StateNoDeadline: false, StateNotInForce: false, StatePending: false,
		StateMissingTrigger: true, StateUnknownRegime: true,
	}
	for s, v := range want {
		if s.Violation() != v {
			t.Errorf("%s.Violation() = %v", s, !v)
		}
	}
}

func TestEvaluateOrderAndDue(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	r := &record.Record{Regimes: []record.Regime{
		{ID: "gdpr-33", AwareAt: rt(t, "2026-03-02T10:00:00Z")},
		{ID: "nis2-23", AwareAt: rt(t, "2026-03-02T09:00:00Z")},
	}}
	ss := Evaluate(r, nil, mustTime(t, "2026-03-02T12:00:00Z"), berlin)
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.Regime+"/"+s.Obligation.ID)
	}
	if got := strings.Join(ids, " "); got != "gdpr-33/gdpr-33 nis2-23/nis2-23-early-warning nis2-23/nis2-23-notification nis2-23/nis2-23-final" {
		t.Errorf("order: %s", got)
	}
	if got := ss[0].Due(berlin); got != "2026-03-05T11:00:00+01:00" {
		t.Errorf("Due = %q", got)
	}
	if got := ss[0].String(); got != "gdpr-33: open (due: 2026-03-05T10:00:00Z)" {
		t.Errorf("String = %q", got)
	}
}

func TestEvaluateNilRecord(t *testing.T) {
	if ss := Evaluate(nil, nil, time.Time{}, nil); ss != nil {
		t.Errorf("got %v", ss)
	}
}
