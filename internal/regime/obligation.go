package regime

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/record"
)

// Fields of a declared regime (record.Regime) that can start a clock.
const (
	FieldAwareAt      = "aware_at"
	FieldClassifiedAt = "classified_at"
	FieldDeterminedAt = "determined_at"
)

// Phases of a notification, as in the record schema. Phases are ordered
// early-warning < initial < intermediate < final; update is outside the order
// because an update never stands in for a required report.
const (
	PhaseEarlyWarning = "early-warning"
	PhaseInitial      = "initial"
	PhaseIntermediate = "intermediate"
	PhaseFinal        = "final"
	PhaseUpdate       = "update"
)

// Notification parties used by the built-in rules; the full list is the
// enum of notifications[].party in schema/record.schema.json.
const (
	partySupervisory  = "supervisory-authority"
	partyCSIRT        = "csirt"
	partyDataSubjects = record.PartyDataSubjects
	partyOther        = "other"
)

var validParties = []string{
	"management", partySupervisory, record.PartyLawEnforcement, partyDataSubjects,
	record.PartyCustomers, record.PartyPartners, "insurer", partyCSIRT, "legal", partyOther,
}

var validFields = []string{FieldAwareAt, FieldClassifiedAt, FieldDeterminedAt}

// idPattern is the pattern of regime and obligation IDs in the record schema.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Trigger says what starts a clock: a time field of the declared regime, or
// the submission of another obligation of the same regime.
type Trigger struct {
	// Field is aware_at, classified_at or determined_at.
	Field string
	// After is the ID of the obligation whose submission starts the clock
	// (the earliest notification that satisfied it).
	After string
	// Latest, with After, takes the latest notification in exactly the
	// phase of After instead (DORA: one month from the latest updated
	// intermediate report), falling back to the satisfying one when a
	// combined report carried that phase.
	Latest bool
}

// String describes the trigger, e.g. "aware_at" or "submission of
// nis2-23-notification".
func (t Trigger) String() string {
	switch {
	case t.Field != "":
		return t.Field
	case t.Latest:
		return "latest submission of " + t.After
	default:
		return "submission of " + t.After
	}
}

// Leg is one clock of an obligation with the trigger that starts it. An
// obligation with several legs is due at the earliest of their deadlines.
type Leg struct {
	Trigger Trigger
	// Clock is nil for "without undue delay": no number, no deadline.
	Clock Clock
}

// Obligation is one notification duty: who must be told, in which phase, and
// by when, counted from what.
type Obligation struct {
	// ID names the obligation, e.g. "nis2-23-final".
	ID string
	// Regime is the regime ID a record declares (regimes: [{id: …}]) that
	// brings this obligation; several obligations can share one.
	Regime string
	// Title says in a few words what must be done.
	Title string
	// Legs are the clocks; the deadline is the earliest of them.
	Legs []Leg
	// Parties are the notification parties whose notice satisfies it.
	Parties []string
	// Phase is the notification phase that satisfies it; a later phase
	// (a combined report) satisfies it too. Empty accepts any phase.
	Phase string
	// EffectiveFrom is the first instant the rule applies: a trigger
	// before it means the obligation was not in force for the record.
	EffectiveFrom time.Time
	// EffectiveUntil, when set, is the first instant a later version of
	// the rule (same ID) applies instead.
	EffectiveUntil time.Time
	// Disabled marks a rule that is known but not law (a proposed rule).
	Disabled       bool
	DisabledReason string
	// CompletedBy names a regime field that satisfies the obligation when
	// set, besides a notification: an assessment that is recorded rather
	// than sent (Australia NDB: determined_at).
	CompletedBy string
	// Applies, when set, decides from the record whether the obligation
	// applies at all, with the reason when it does not.
	Applies func(r *record.Record) (ok bool, reason string)
	// Source cites the legal text the rule encodes.
	Source string
	// Note records the reading taken where the text is ambiguous.
	Note string
	// Custom marks obligations defined in casefile.yaml.
	Custom bool
}

// HasDeadline reports whether the obligation has a number: false for
// "without undue delay".
func (o Obligation) HasDeadline() bool {
	for _, l := range o.Legs {
		if l.Clock != nil {
			return true
		}
	}
	return false
}

// Rule describes the deadline arithmetic, e.g. "72h after aware_at" or
// "earliest of 4h after classified_at, 24h after aware_at".
func (o Obligation) Rule() string {
	parts := make([]string, len(o.Legs))
	for i, l := range o.Legs {
		if l.Clock == nil {
			parts[i] = "without undue delay after " + l.Trigger.String()
			continue
		}
		parts[i] = l.Clock.String() + " after " + l.Trigger.String()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "earliest of " + strings.Join(parts, ", ")
}

// inForceAt reports whether the version applies to a trigger at t.
func (o Obligation) inForceAt(t time.Time) bool {
	if t.Before(o.EffectiveFrom) {
		return false
	}
	return o.EffectiveUntil.IsZero() || t.Before(o.EffectiveUntil)
}

// RuleSet is a validated, immutable set of obligations with the aliases
// under which records may declare their regimes.
type RuleSet struct {
	version     string
	obligations []Obligation
	aliases     map[string]string // alias → canonical regime ID
	byID        map[string][]int  // obligation ID → versions, in order
	byRegime    map[string][]string
	regimes     []string
}

// NewRuleSet validates the obligations and aliases (alias → regime ID) and
// returns the rule set. Several obligations may share an ID as versions of
// one rule when their effective periods do not overlap.
func NewRuleSet(version string, aliases map[string]string, obligations []Obligation) (*RuleSet, error) {
	rs := &RuleSet{
		version:     version,
		obligations: slices.Clone(obligations),
		aliases:     map[string]string{},
		byID:        map[string][]int{},
		byRegime:    map[string][]string{},
	}
	for i, o := range rs.obligations {
		if err := validateObligation(o); err != nil {
			return nil, err
		}
		if prev, ok := rs.byID[o.ID]; ok {
			p := rs.obligations[prev[0]]
			if p.Regime != o.Regime {
				return nil, fmt.Errorf("obligation %s: versions belong to regimes %s and %s", o.ID, p.Regime, o.Regime)
			}
			for _, j := range prev {
				if overlaps(rs.obligations[j], o) {
					return nil, fmt.Errorf("obligation %s: two versions are in force at the same time", o.ID)
				}
			}
		} else {
			if !slices.Contains(rs.regimes, o.Regime) {
				rs.regimes = append(rs.regimes, o.Regime)
			}
			rs.byRegime[o.Regime] = append(rs.byRegime[o.Regime], o.ID)
		}
		rs.byID[o.ID] = append(rs.byID[o.ID], i)
	}
	for alias, canon := range aliases {
		if _, ok := rs.byRegime[canon]; !ok {
			return nil, fmt.Errorf("regime alias %s: no obligation belongs to regime %s", alias, canon)
		}
		if _, ok := rs.byRegime[alias]; ok {
			return nil, fmt.Errorf("regime alias %s: is itself a regime", alias)
		}
		rs.aliases[alias] = canon
	}
	for _, o := range rs.obligations {
		for _, l := range o.Legs {
			if l.Trigger.After == "" {
				continue
			}
			prev, ok := rs.byID[l.Trigger.After]
			if !ok {
				return nil, fmt.Errorf("obligation %s: after %s: no such obligation", o.ID, l.Trigger.After)
			}
			if rs.obligations[prev[0]].Regime != o.Regime {
				return nil, fmt.Errorf("obligation %s: after %s: it belongs to another regime", o.ID, l.Trigger.After)
			}
		}
	}
	if err := rs.checkCycles(); err != nil {
		return nil, err
	}
	return rs, nil
}

// With returns a rule set with the custom obligations added. A custom
// obligation may join a built-in regime (its regime is resolved through the
// aliases) but may not reuse an existing obligation ID.
func (rs *RuleSet) With(custom []Obligation) (*RuleSet, error) {
	all := slices.Clone(rs.obligations)
	for _, c := range custom {
		if _, ok := rs.byID[c.ID]; ok {
			return nil, fmt.Errorf("obligation %s: the id is already used by a built-in obligation", c.ID)
		}
		c.Regime = rs.Canonical(c.Regime)
		all = append(all, c)
	}
	return NewRuleSet(rs.version, rs.aliases, all)
}

// Version identifies the rule set, e.g. "2026.1" for the built-in rules.
func (rs *RuleSet) Version() string { return rs.version }

// Obligations returns every obligation (all versions), in definition order.
func (rs *RuleSet) Obligations() []Obligation { return slices.Clone(rs.obligations) }

// Obligation returns the versions of the obligation with that ID, oldest
// first, or nil.
func (rs *RuleSet) Obligation(id string) []Obligation {
	var out []Obligation
	for _, i := range rs.byID[id] {
		out = append(out, rs.obligations[i])
	}
	return out
}

// Regimes returns the canonical regime IDs, in definition order.
func (rs *RuleSet) Regimes() []string { return slices.Clone(rs.regimes) }

// Aliases returns the alias → canonical regime ID map.
func (rs *RuleSet) Aliases() map[string]string {
	out := make(map[string]string, len(rs.aliases))
	for k, v := range rs.aliases {
		out[k] = v
	}
	return out
}

// Canonical resolves a declared regime ID through the aliases ("nis2-23" →
// "nis2"); unknown IDs are returned unchanged.
func (rs *RuleSet) Canonical(id string) string {
	if c, ok := rs.aliases[id]; ok {
		return c
	}
	return id
}

// Known reports whether records may declare the regime ID.
func (rs *RuleSet) Known(id string) bool {
	_, ok := rs.byRegime[rs.Canonical(id)]
	return ok
}

// ForRegime returns the obligations (all versions) a declared regime brings,
// in definition order.
func (rs *RuleSet) ForRegime(id string) []Obligation {
	var out []Obligation
	for _, oid := range rs.byRegime[rs.Canonical(id)] {
		out = append(out, rs.Obligation(oid)...)
	}
	return out
}

func (rs *RuleSet) checkCycles() error {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case visiting:
			return fmt.Errorf("obligation %s: its trigger depends on its own submission", id)
		case done:
			return nil
		}
		state[id] = visiting
		for _, o := range rs.Obligation(id) {
			for _, l := range o.Legs {
				if l.Trigger.After != "" {
					if err := visit(l.Trigger.After); err != nil {
						return err
					}
				}
			}
		}
		state[id] = done
		return nil
	}
	for _, o := range rs.obligations {
		if err := visit(o.ID); err != nil {
			return err
		}
	}
	return nil
}

func overlaps(a, b Obligation) bool {
	aEnd, bEnd := a.EffectiveUntil, b.EffectiveUntil
	aBeforeB := !aEnd.IsZero() && !aEnd.After(b.EffectiveFrom)
	bBeforeA := !bEnd.IsZero() && !bEnd.After(a.EffectiveFrom)
	return !aBeforeB && !bBeforeA
}

func validateObligation(o Obligation) error {
	if !idPattern.MatchString(o.ID) {
		return fmt.Errorf("obligation %q: id must match %s", o.ID, idPattern)
	}
	if !idPattern.MatchString(o.Regime) {
		return fmt.Errorf("obligation %s: regime %q must match %s", o.ID, o.Regime, idPattern)
	}
	if len(o.Legs) == 0 {
		return fmt.Errorf("obligation %s: no trigger", o.ID)
	}
	for _, l := range o.Legs {
		t := l.Trigger
		switch {
		case t.Field != "" && t.After != "":
			return fmt.Errorf("obligation %s: a trigger is either a field or another obligation's submission, not both", o.ID)
		case t.Field != "" && !slices.Contains(validFields, t.Field):
			return fmt.Errorf("obligation %s: trigger %q is not one of %s", o.ID, t.Field, strings.Join(validFields, ", "))
		case t.Field == "" && t.After == "":
			return fmt.Errorf("obligation %s: trigger has neither a field nor an obligation", o.ID)
		case t.Latest && t.After == "":
			return fmt.Errorf("obligation %s: latest needs after", o.ID)
		case t.After == o.ID:
			return fmt.Errorf("obligation %s: its trigger depends on its own submission", o.ID)
		}
		if l.Clock == nil && len(o.Legs) > 1 {
			return fmt.Errorf("obligation %s: a leg without a deadline cannot be combined with others", o.ID)
		}
	}
	if len(o.Parties) == 0 {
		return fmt.Errorf("obligation %s: no party", o.ID)
	}
	for _, p := range o.Parties {
		if !slices.Contains(validParties, p) {
			return fmt.Errorf("obligation %s: party %q is not one of %s", o.ID, p, strings.Join(validParties, ", "))
		}
	}
	if o.Phase != "" && phaseRank(o.Phase) < 0 {
		return fmt.Errorf("obligation %s: phase %q is not one of early-warning, initial, intermediate, final", o.ID, o.Phase)
	}
	if o.CompletedBy != "" && !slices.Contains(validFields, o.CompletedBy) {
		return fmt.Errorf("obligation %s: completed_by %q is not one of %s", o.ID, o.CompletedBy, strings.Join(validFields, ", "))
	}
	if !o.EffectiveUntil.IsZero() && !o.EffectiveUntil.After(o.EffectiveFrom) {
		return fmt.Errorf("obligation %s: effective_until is not after effective_from", o.ID)
	}
	return nil
}

// phaseRank orders the phases that can satisfy an obligation; -1 for
// update and anything else.
func phaseRank(p string) int {
	switch p {
	case PhaseEarlyWarning:
		return 0
	case PhaseInitial:
		return 1
	case PhaseIntermediate:
		return 2
	case PhaseFinal:
		return 3
	}
	return -1
}
