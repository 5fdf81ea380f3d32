package regime

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/record"
)

// State is where one obligation of one record stands.
type State string

// States of an obligation.
const (
	// StateMet: submitted by the deadline, or (without undue delay)
	// submitted at all.
	StateMet State = "met"
	// StateLate: submitted after the deadline without a late_reason.
	StateLate State = "late"
	// StateLateExplained: submitted after the deadline with a late_reason
	// (for an obligation without a number: any submission with one).
	StateLateExplained State = "late-explained"
	// StateOpen: not submitted, the deadline is ahead (or now).
	StateOpen State = "open"
	// StateOverdue: not submitted, the deadline has passed.
	StateOverdue State = "overdue"
	// StateNotApplicable: the declared regime has a not_applicable_reason,
	// or the rule's own condition excludes the record.
	StateNotApplicable State = "not-applicable"
	// StateNoDeadline: not submitted, due without undue delay.
	StateNoDeadline State = "no-deadline"
	// StateNotInForce: the rule did not apply at the trigger time (it
	// took effect later), or is disabled (a proposed rule).
	StateNotInForce State = "not-in-force"
	// StatePending: the clock starts at another obligation's
	// submission, which has not been made.
	StatePending State = "pending"
	// StateMissingTrigger: the regime is declared without the field that
	// starts the clock; Err says which.
	StateMissingTrigger State = "missing-trigger"
	// StateUnknownRegime: no obligation belongs to the declared regime.
	StateUnknownRegime State = "unknown-regime"
)

// Violation reports whether the state is a finding for lint rules and exit
// codes: overdue, late without a reason, a missing trigger, or an unknown
// regime.
func (s State) Violation() bool {
	switch s {
	case StateOverdue, StateLate, StateMissingTrigger, StateUnknownRegime:
		return true
	}
	return false
}

// MissingTriggerError is the error of a regime declared without a field its
// clock needs.
type MissingTriggerError struct {
	Regime string   // the regime ID as declared
	Fields []string // the missing fields, e.g. aware_at
}

// Error says which regime lacks which fields, e.g. "regime nis2 declared
// without aware_at".
func (e *MissingTriggerError) Error() string {
	return fmt.Sprintf("regime %s declared without %s", e.Regime, strings.Join(e.Fields, " and "))
}

// UnknownRegimeError is the error of a regime that no rule defines.
type UnknownRegimeError struct {
	Regime string
}

// Error names the undefined regime.
func (e *UnknownRegimeError) Error() string {
	return fmt.Sprintf("regime %s is not a built-in regime nor defined in casefile.yaml", e.Regime)
}

// Status is the outcome of one obligation for one record.
type Status struct {
	// Obligation is the version of the rule that was applied.
	Obligation Obligation
	// Regime is the regime ID as the record declared it.
	Regime string
	State  State
	// Trigger is the instant that started the binding clock (for several
	// legs, the one whose deadline is earliest); zero when unknown.
	Trigger time.Time
	// TriggerField names it: "aware_at", "submission of dora-19-initial".
	TriggerField string
	// Deadline is the last on-time instant; zero without one.
	Deadline time.Time
	// Submission is the notification that satisfied the obligation, or
	// nil (not submitted, or completed by a regime field).
	Submission *record.Notification
	// SubmittedAt is when it was satisfied; zero when it was not.
	SubmittedAt time.Time
	// SatisfiedBy is "notification" or the regime field that completed it.
	SatisfiedBy string
	// Reason explains not-applicable, not-in-force and pending.
	Reason string
	// Err is set for missing-trigger and unknown-regime.
	Err error
}

// Due returns the deadline as RFC 3339 in loc, "without undue delay" for an
// obligation without a number, or "" when no deadline could be computed.
func (s Status) Due(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	if !s.Deadline.IsZero() {
		return s.Deadline.In(loc).Format(time.RFC3339)
	}
	if len(s.Obligation.Legs) > 0 && !s.Obligation.HasDeadline() {
		return "without undue delay"
	}
	return ""
}

// String summarises the status for messages, e.g.
// "nis2 nis2-23-final: open (due: 2026-02-28T23:59:59Z)".
func (s Status) String() string {
	var b strings.Builder
	b.WriteString(s.Regime)
	if s.Obligation.ID != "" && s.Obligation.ID != s.Regime {
		b.WriteString(" " + s.Obligation.ID)
	}
	b.WriteString(": " + string(s.State))
	if due := s.Due(time.UTC); due != "" {
		b.WriteString(" (due: " + due + ")")
	}
	switch {
	case s.Err != nil:
		b.WriteString(": " + s.Err.Error())
	case s.Reason != "":
		b.WriteString(": " + s.Reason)
	}
	return b.String()
}

// Evaluate returns the status of every obligation the record's declared
// regimes bring, in the order of the declarations and then of the rules.
// rules nil means Builtin(); loc is the organisation's time zone, in which
// day- and month-based periods are counted (nil: UTC); now decides open
// against overdue.
//
// Only one version of each rule is reported: the one in force at the
// trigger, or, when none is, the first one, as not-in-force.
func Evaluate(r *record.Record, rules *RuleSet, now time.Time, loc *time.Location) []Status {
	if r == nil {
		return nil
	}
	if rules == nil {
		rules = Builtin()
	}
	if loc == nil {
		loc = time.UTC
	}
	var out []Status
	for i := range r.Regimes {
		e := &evaluation{r: r, rules: rules, now: now, loc: loc, rg: &r.Regimes[i], memo: map[string]*Status{}}
		ids := rules.byRegime[rules.Canonical(e.rg.ID)]
		if len(ids) == 0 {
			out = append(out, Status{
				Obligation: Obligation{Regime: e.rg.ID},
				Regime:     e.rg.ID,
				State:      StateUnknownRegime,
				Err:        &UnknownRegimeError{Regime: e.rg.ID},
			})
			continue
		}
		for _, id := range ids {
			out = append(out, *e.status(id))
		}
	}
	return out
}

// evaluation is the work on one declared regime of one record.
type evaluation struct {
	r     *record.Record
	rules *RuleSet
	now   time.Time
	loc   *time.Location
	rg    *record.Regime
	memo  map[string]*Status
}

// status evaluates the obligation ID once per declared regime, so chained
// triggers see the same result as the report.
func (e *evaluation) status(id string) *Status {
	if s, ok := e.memo[id]; ok {
		return s
	}
	var chosen *Status
	for _, o := range e.rules.Obligation(id) {
		s := e.evaluate(o)
		if s.State != StateNotInForce {
			chosen = s
			break
		}
		if chosen == nil {
			chosen = s
		}
	}
	e.memo[id] = chosen
	return chosen
}

func (e *evaluation) evaluate(o Obligation) *Status {
	s := &Status{Obligation: o, Regime: e.rg.ID}
	if o.Disabled {
		s.State, s.Reason = StateNotInForce, o.DisabledReason
		return s
	}
	if e.rg.NotApplicableReason != "" {
		s.State, s.Reason = StateNotApplicable, e.rg.NotApplicableReason
		return s
	}
	if o.Applies != nil {
		if ok, why := o.Applies(e.r); !ok {
			s.State, s.Reason = StateNotApplicable, why
			return s
		}
	}
	// The submission is found before the triggers, so that a chained clock
	// can start from it even when this obligation's own trigger is missing.
	e.findSubmission(o, s)

	starts := make([]time.Time, len(o.Legs))
	var missing []string
	for i, l := range o.Legs {
		if l.Trigger.Field == "" {
			continue
		}
		t := regimeField(e.rg, l.Trigger.Field)
		if !t.IsSet() {
			if !slices.Contains(missing, l.Trigger.Field) {
				missing = append(missing, l.Trigger.Field)
			}
			continue
		}
		// A date-only trigger counts from its earliest instant.
		starts[i] = t.Start()
	}
	if len(missing) > 0 {
		s.State, s.Err = StateMissingTrigger, &MissingTriggerError{Regime: e.rg.ID, Fields: missing}
		return s
	}
	for i, l := range o.Legs {
		if l.Trigger.After == "" {
			continue
		}
		pred := e.status(l.Trigger.After)
		switch pred.State {
		case StateNotInForce, StateNotApplicable:
			s.State, s.Reason = pred.State, fmt.Sprintf("follows %s, which is %s", l.Trigger.After, pred.State)
			return s
		}
		at, ok := e.chainStart(pred, l.Trigger)
		if !ok {
			s.State, s.Reason = StatePending, fmt.Sprintf("the clock starts when %s is submitted", l.Trigger.After)
			return s
		}
		starts[i] = at
	}

	first := slices.MinFunc(starts, time.Time.Compare)
	if !o.inForceAt(first) {
		s.State, s.Trigger = StateNotInForce, first
		s.Reason = fmt.Sprintf("in force from %s, triggered %s", o.EffectiveFrom.Format(time.DateOnly), first.In(e.loc).Format(time.RFC3339))
		if !o.EffectiveUntil.IsZero() && !first.Before(o.EffectiveUntil) {
			s.Reason = fmt.Sprintf("in force until %s, triggered %s", o.EffectiveUntil.Format(time.DateOnly), first.In(e.loc).Format(time.RFC3339))
		}
		return s
	}

	bound := -1
	for i, l := range o.Legs {
		if l.Clock == nil {
			continue
		}
		// Day and month clocks without their own zone count the days of
		// the organisation's zone; hour clocks do not care.
		d := l.Clock.Deadline(starts[i].In(e.loc))
		if bound < 0 || d.Before(s.Deadline) {
			bound, s.Deadline = i, d
		}
	}
	if bound < 0 {
		bound = 0
	}
	s.Trigger, s.TriggerField = starts[bound], o.Legs[bound].Trigger.String()

	explained := s.Submission != nil && s.Submission.LateReason != ""
	switch {
	case s.SubmittedAt.IsZero() && s.Deadline.IsZero():
		s.State = StateNoDeadline
	case s.SubmittedAt.IsZero() && e.now.After(s.Deadline):
		s.State = StateOverdue
	case s.SubmittedAt.IsZero():
		s.State = StateOpen
	case s.Deadline.IsZero() && explained:
		s.State = StateLateExplained
	case s.Deadline.IsZero(), !s.SubmittedAt.After(s.Deadline):
		s.State = StateMet
	case explained:
		s.State = StateLateExplained
	default:
		s.State = StateLate
	}
	return s
}

// findSubmission sets the earliest notification that satisfies o, or the
// CompletedBy field when that is earlier. A date-only notification counts at
// the end of its day, so it is never taken as earlier than it may have been.
func (e *evaluation) findSubmission(o Obligation, s *Status) {
	for i := range e.r.Notifications {
		n := &e.r.Notifications[i]
		if !e.matches(o, n, false) {
			continue
		}
		if at := n.At.End(); s.Submission == nil || at.Before(s.SubmittedAt) {
			s.Submission, s.SubmittedAt, s.SatisfiedBy = n, at, "notification"
		}
	}
	if o.CompletedBy == "" {
		return
	}
	if t := regimeField(e.rg, o.CompletedBy); t.IsSet() && (s.SubmittedAt.IsZero() || t.End().Before(s.SubmittedAt)) {
		s.Submission, s.SubmittedAt, s.SatisfiedBy = nil, t.End(), o.CompletedBy
	}
}

// chainStart returns the submission that starts a chained clock.
func (e *evaluation) chainStart(pred *Status, t Trigger) (time.Time, bool) {
	if pred.SubmittedAt.IsZero() {
		return time.Time{}, false
	}
	if !t.Latest {
		return pred.SubmittedAt, true
	}
	// Only reports in exactly the predecessor's phase count as its updates:
	// a final report must not restart its own clock.
	var latest time.Time
	for i := range e.r.Notifications {
		n := &e.r.Notifications[i]
		if e.matches(pred.Obligation, n, true) && n.At.End().After(latest) {
			latest = n.At.End()
		}
	}
	if latest.IsZero() {
		return pred.SubmittedAt, true
	}
	return latest, true
}

// matches reports whether notification n satisfies o: its regime is the
// obligation's regime (through the aliases) or the obligation's own ID, its
// party is one of the obligation's, and its phase is the obligation's or, for
// a combined report, a later one (exact: the same phase only). A notification
// without a phase counts as initial.
func (e *evaluation) matches(o Obligation, n *record.Notification, exact bool) bool {
	if n.Regime == "" || !n.At.IsSet() {
		return false
	}
	if n.Regime != o.ID && e.rules.Canonical(n.Regime) != o.Regime {
		return false
	}
	if !slices.Contains(o.Parties, n.Party) {
		return false
	}
	if o.Phase == "" {
		return true
	}
	p := n.Phase
	if p == "" {
		p = PhaseInitial
	}
	if exact {
		return p == o.Phase
	}
	return phaseRank(p) >= phaseRank(o.Phase)
}

func regimeField(rg *record.Regime, field string) record.Time {
	switch field {
	case FieldAwareAt:
		return rg.AwareAt
	case FieldClassifiedAt:
		return rg.ClassifiedAt
	case FieldDeterminedAt:
		return rg.DeterminedAt
	}
	return record.Time{}
}
