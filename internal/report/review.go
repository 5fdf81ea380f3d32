package report

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// HighImpactLevels is how many of the most severe levels of the configured
// scale make an incident high-impact.
const HighImpactLevels = 2

// ReviewOptions configure the management review pack.
type ReviewOptions struct {
	// Period is the review period: 2026, 2026-H2, 2026-Q3 or 2026-07.
	Period string
	// CostThreshold flags incidents whose cost is at least this amount (in
	// the record's currency) as high-impact; 0 turns the flag off.
	CostThreshold float64
	RepeatWindow  time.Duration
	Late          LateFunc
	LateRule      string
	Now           time.Time
	Stamp         Stamp
}

// ReviewReport is the management review pack for one period.
type ReviewReport struct {
	Meta
	Period        string         `json:"period"`
	Trends        *TrendReport   `json:"trends"`
	OpenActions   []OpenAction   `json:"open_corrective_actions"`
	Lessons       []Lesson       `json:"lessons_learned"`
	Drills        []DrillHeld    `json:"drills"`
	HighImpact    []Impact       `json:"high_impact_incidents"`
	CostThreshold float64        `json:"cost_threshold,omitempty"`
	Custody       CustodyStatus  `json:"chain_of_custody"`
	ActionCounts  map[string]int `json:"open_corrective_action_counts"`
}

// OpenAction is a corrective action that is not yet verified effective or
// waived, anywhere in the log.
type OpenAction struct {
	Record      string `json:"record"`
	RecordTitle string `json:"record_title"`
	ID          string `json:"id"`
	Type        string `json:"type,omitempty"`
	Text        string `json:"text"`
	Owner       string `json:"owner"`
	Due         string `json:"due"`
	Status      string `json:"status"`
	Overdue     bool   `json:"overdue"`
	DaysOverdue int    `json:"days_overdue,omitempty"`
}

// Lesson is the lessons learned of a record closed in the period.
type Lesson struct {
	Record   string   `json:"record"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Severity string   `json:"severity,omitempty"`
	ClosedAt string   `json:"closed_at"`
	Lessons  string   `json:"lessons"`
	Factors  []string `json:"root_cause_factors"`
}

// DrillHeld is a drill held in the period.
type DrillHeld struct {
	Record       string         `json:"record"`
	Title        string         `json:"title"`
	Format       string         `json:"format,omitempty"`
	HeldAt       string         `json:"held_at"`
	Status       string         `json:"status"`
	Participants int            `json:"participants"`
	Objectives   int            `json:"objectives"`
	Findings     int            `json:"findings"`
	BySeverity   map[string]int `json:"findings_by_severity"`
	FollowUps    int            `json:"follow_ups"`
	Settled      int            `json:"follow_ups_settled"`
}

// Impact is a high-impact incident active in the period.
type Impact struct {
	Record     string       `json:"record"`
	Title      string       `json:"title"`
	Severity   string       `json:"severity,omitempty"`
	Category   string       `json:"category,omitempty"`
	Status     string       `json:"status"`
	ReportedAt string       `json:"reported_at"`
	ClosedAt   string       `json:"closed_at,omitempty"`
	Cost       *record.Cost `json:"cost,omitempty"`
	Reasons    []string     `json:"reasons"`
}

// CustodyStatus is the chain-of-custody state the pack was made under.
type CustodyStatus struct {
	Commit   string `json:"commit"`
	Verify   string `json:"verify"`
	Note     string `json:"note,omitempty"`
	Sentence string `json:"statement"`
	// Evidence counts the evidence items of the records reported in the
	// period, those with a sha256 digest, and their custody transfers.
	Evidence   int `json:"evidence_items"`
	WithDigest int `json:"evidence_with_sha256"`
	Transfers  int `json:"custody_transfers"`
}

// Review builds the management review pack.
func Review(recs []*record.Record, cfg *config.Config, opts ReviewOptions) (*ReviewReport, error) {
	rng, label, err := ParsePeriod(opts.Period)
	if err != nil {
		return nil, err
	}
	tr := Trends(recs, cfg, TrendOptions{Range: rng, Period: Month, RepeatWindow: opts.RepeatWindow, Late: opts.Late, LateRule: opts.LateRule, Now: opts.Now, Stamp: opts.Stamp})
	rep := &ReviewReport{
		Meta:          newMeta("review", "Management review "+label, cfg, opts.Now, opts.Stamp, rng),
		Period:        label,
		Trends:        tr,
		OpenActions:   []OpenAction{},
		Lessons:       []Lesson{},
		Drills:        []DrillHeld{},
		HighImpact:    []Impact{},
		CostThreshold: opts.CostThreshold,
		ActionCounts:  map[string]int{},
		Custody:       CustodyStatus{Commit: opts.Stamp.Commit, Verify: opts.Stamp.Verify(), Note: opts.Stamp.Note, Sentence: opts.Stamp.Sentence()},
	}
	today := opts.Now.UTC().Truncate(24 * time.Hour)
	all := sortedRecords(recs)
	for _, r := range all {
		for _, ca := range r.CorrectiveActions {
			if ca.Settled() {
				continue
			}
			oa := OpenAction{
				Record: r.ID, RecordTitle: r.Title, ID: ca.ID, Type: ca.Type, Text: ca.Text, Owner: ca.Owner,
				Due: ca.Due.Raw, Status: ca.Status, Overdue: overdue(ca, today),
			}
			if oa.Overdue {
				oa.DaysOverdue = int(today.Sub(ca.Due.End()).Hours()/24) + 1
			}
			rep.OpenActions = append(rep.OpenActions, oa)
			rep.ActionCounts[ca.Status]++
			if oa.Overdue {
				rep.ActionCounts["overdue"]++
			}
		}
		if c := closedAt(r); c.IsSet() && rng.Contains(c.T) && r.Lessons != "" {
			l := Lesson{Record: r.ID, Title: r.Title, Kind: r.Kind, Severity: r.Severity(), ClosedAt: c.Raw, Lessons: r.Lessons, Factors: []string{}}
			if r.RootCause != nil {
				l.Factors = append(l.Factors, r.RootCause.Factors...)
			}
			rep.Lessons = append(rep.Lessons, l)
		}
		if r.Kind == record.KindDrill && r.Drill != nil && r.Drill.HeldAt.IsSet() && rng.Contains(r.Drill.HeldAt.T) {
			d := DrillHeld{
				Record: r.ID, Title: r.Title, Format: r.Drill.Format, HeldAt: r.Drill.HeldAt.Raw, Status: r.Status,
				Participants: len(r.Drill.Participants), Objectives: len(r.Drill.Objectives), Findings: len(r.Drill.Findings),
				BySeverity: map[string]int{}, FollowUps: len(r.CorrectiveActions),
			}
			for _, f := range r.Drill.Findings {
				s := f.Severity
				if s == "" {
					s = "unrated"
				}
				d.BySeverity[s]++
			}
			for _, ca := range r.CorrectiveActions {
				if ca.Settled() {
					d.Settled++
				}
			}
			rep.Drills = append(rep.Drills, d)
		}
		if im, ok := highImpact(r, cfg, rng, opts.CostThreshold); ok {
			rep.HighImpact = append(rep.HighImpact, im)
		}
		if r.Reported.At.IsSet() && rng.Contains(r.Reported.At.T) {
			for _, e := range r.Evidence {
				rep.Custody.Evidence++
				if e.SHA256 != "" {
					rep.Custody.WithDigest++
				}
				rep.Custody.Transfers += len(e.Custody)
			}
		}
	}
	sort.SliceStable(rep.OpenActions, func(i, j int) bool {
		a, b := rep.OpenActions[i], rep.OpenActions[j]
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if (a.Due == "") != (b.Due == "") {
			return b.Due == ""
		}
		if a.Due != b.Due {
			return a.Due < b.Due
		}
		if a.Record != b.Record {
			return a.Record < b.Record
		}
		return a.ID < b.ID
	})
	sort.SliceStable(rep.Lessons, func(i, j int) bool { return rep.Lessons[i].ClosedAt < rep.Lessons[j].ClosedAt })
	sort.SliceStable(rep.Drills, func(i, j int) bool { return rep.Drills[i].HeldAt < rep.Drills[j].HeldAt })
	return rep, nil
}

// highImpact reports whether r is a high-impact incident active in the
// range: reported before its end and not closed before its start, and of
// one of the HighImpactLevels most severe levels, or with a cost at the
// threshold or above.
func highImpact(r *record.Record, cfg *config.Config, rng Range, threshold float64) (Impact, bool) {
	if !IsIncident(r) || !r.Reported.At.IsSet() || !r.Reported.At.T.Before(rng.To) {
		return Impact{}, false
	}
	if c := closedAt(r); c.IsSet() && c.T.Before(rng.From) {
		return Impact{}, false
	}
	var reasons []string
	if s := r.Severity(); s != "" && cfg != nil {
		if rank := cfg.SeverityRank(s); rank >= 0 && rank < HighImpactLevels {
			name := severityName(cfg, s)
			if name != "" {
				reasons = append(reasons, fmt.Sprintf("severity %s (%s)", s, name))
			} else {
				reasons = append(reasons, "severity "+s)
			}
		}
	}
	if threshold > 0 && r.Cost != nil && r.Cost.Amount >= threshold {
		reasons = append(reasons, fmt.Sprintf("cost %s %s ≥ %s", Money(r.Cost.Amount), r.Cost.Currency, Money(threshold)))
	}
	if len(reasons) == 0 {
		return Impact{}, false
	}
	return Impact{
		Record: r.ID, Title: r.Title, Severity: r.Severity(), Category: r.Category(), Status: r.Status,
		ReportedAt: r.Reported.At.Raw, ClosedAt: closedAt(r).Raw, Cost: r.Cost, Reasons: reasons,
	}, true
}

// Money formats an amount with thousands separators and cents when there
// are any: 12,000 or 1,234.50.
func Money(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	cents := int64(v*100 + 0.5)
	whole, frac := cents/100, cents%100
	s := strconv.FormatInt(whole, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if frac != 0 {
		s += fmt.Sprintf(".%02d", frac)
	}
	if neg {
		s = "-" + s
	}
	return s
}
