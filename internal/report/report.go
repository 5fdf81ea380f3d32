// Package report turns records into the Security Incident Log, the trend
// analysis and the management review pack, and renders them as Markdown,
// CSV, JSON and self-contained HTML. Everything here is a pure function of
// the records, the configuration, the clock reading and the Stamp the caller
// passes in: nothing reads the clock, the environment or the disk.
package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
)

// Stamp says what a report was made from: "every report states the commit
// it was made from and whether verify passed there".
type Stamp struct {
	// Commit is the commit the records were read at; "" when there is no
	// commit (not a git repository, or no commit yet).
	Commit string `json:"commit"`
	// Verified is the outcome of casefile verify at Commit: true when the
	// whole history verified, false when a rule is broken, nil when verify
	// was not run or could not decide.
	Verified *bool `json:"verified"`
	// VerifyStatus is one of the Verify… constants; "" is VerifyNotRun.
	VerifyStatus string `json:"verify_status,omitempty"`
	// Violations counts the broken rules verify found.
	Violations int `json:"violations,omitempty"`
	// Note qualifies the stamp, e.g. that the work tree differs from the
	// commit or why verify was not run.
	Note string `json:"note,omitempty"`
}

// Values of Stamp.VerifyStatus. The first three are custody.Verify's.
const (
	VerifyPassed       = "verified"
	VerifyFailed       = "failed"
	VerifyUnverifiable = "unverifiable"
	VerifyNotRun       = "not-run"
	VerifyError        = "error"
)

// NewStamp makes the stamp of a verify outcome: status is a Verify…
// constant and violations the number of broken rules.
func NewStamp(commit, status string, violations int) Stamp {
	s := Stamp{Commit: commit, VerifyStatus: status, Violations: violations}
	switch status {
	case VerifyPassed:
		s.Verified = ptrBool(true)
	case VerifyFailed:
		s.Verified = ptrBool(false)
	}
	return s
}

func ptrBool(b bool) *bool { return &b }

func (s Stamp) status() string {
	switch {
	case s.VerifyStatus != "":
		return s.VerifyStatus
	case s.Verified == nil:
		return VerifyNotRun
	case *s.Verified:
		return VerifyPassed
	}
	return VerifyFailed
}

// Verify states the verification outcome in a few words.
func (s Stamp) Verify() string {
	switch s.status() {
	case VerifyPassed:
		return "verify passed"
	case VerifyFailed:
		return "verify FAILED"
	case VerifyUnverifiable:
		return "verify incomplete (shallow clone)"
	case VerifyError:
		return "verify could not run"
	}
	return "not verified"
}

// CommitText names the commit, or says there is none.
func (s Stamp) CommitText() string {
	if s.Commit == "" {
		return "no commit (not made from a git commit)"
	}
	return s.Commit
}

// VerifyClause says what casefile verify found at the commit, as the second
// half of "Made from commit …; <clause>".
func (s Stamp) VerifyClause() string {
	switch s.status() {
	case VerifyPassed:
		return "casefile verify passed at this commit."
	case VerifyFailed:
		if s.Violations == 0 {
			return "casefile verify FAILED at this commit: the chain of custody is broken."
		}
		return fmt.Sprintf("casefile verify FAILED at this commit (%d %s): the chain of custody is broken.",
			s.Violations, plural(s.Violations, "violation"))
	case VerifyUnverifiable:
		return "casefile verify found nothing broken, but the clone is shallow, so the history before its boundary was not checked."
	case VerifyError:
		return "casefile verify could not read the repository, so the chain of custody at this commit is unknown."
	}
	return "the chain of custody at this commit was not verified (casefile verify was not run)."
}

// Sentence is the stamp as one line for the head of a report.
func (s Stamp) Sentence() string {
	var b strings.Builder
	if s.Commit == "" {
		b.WriteString("Made from records that are not in a git commit, so no chain of custody vouches for them.")
	} else {
		b.WriteString("Made from commit " + s.Commit + "; " + s.VerifyClause())
	}
	if s.Note != "" {
		b.WriteString(" " + s.Note)
	}
	return b.String()
}

// Meta is what every report says about itself.
type Meta struct {
	Report       string    `json:"report"`
	Title        string    `json:"title"`
	Organisation string    `json:"organisation"`
	GeneratedAt  time.Time `json:"generated_at"`
	Source       Stamp     `json:"source"`
	VerifyState  string    `json:"verify"`
	// From and To bound the records by reported.at, To exclusive; absent
	// when unbounded.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
}

func newMeta(report, title string, cfg *config.Config, now time.Time, stamp Stamp, r Range) Meta {
	m := Meta{Report: report, Title: title, GeneratedAt: now.UTC().Truncate(time.Second), Source: stamp, VerifyState: stamp.Verify()}
	if cfg != nil {
		m.Organisation = cfg.Organisation.Name
	}
	if !r.From.IsZero() {
		f := r.From.UTC()
		m.From = &f
	}
	if !r.To.IsZero() {
		t := r.To.UTC()
		m.To = &t
	}
	return m
}

// RangeText describes the reporting range for a heading.
func (m Meta) RangeText() string {
	verb := "reported "
	if m.Report == "review" || m.Report == "audit" {
		verb = "period "
	}
	switch {
	case m.From == nil && m.To == nil:
		return "all records"
	case m.From == nil:
		return verb + "before " + fmtDay(*m.To)
	case m.To == nil:
		return verb + "from " + fmtDay(*m.From)
	}
	return verb + fmtDay(*m.From) + " to " + fmtEnd(*m.To)
}

// fmtDay shows an instant as a date when it is midnight UTC, else as a
// full timestamp.
func fmtDay(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// fmtEnd shows the exclusive end of a range as the last day it includes
// when it is midnight UTC, else as the instant itself.
func fmtEnd(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return fmtDay(t.AddDate(0, 0, -1))
	}
	return t.Format(time.RFC3339)
}

// Range is a half-open interval of instants [From, To); a zero bound is
// open.
type Range struct {
	From, To time.Time
}

// Contains reports whether t lies in the range.
func (r Range) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// LateFunc decides whether a notification was made late.
type LateFunc func(r *record.Record, n *record.Notification) bool

// LateByReason counts a notification as late when it records a reason for
// being late.
func LateByReason(_ *record.Record, n *record.Notification) bool { return n.LateReason != "" }

// LateRuleText says in words how RegimeLate decides.
const LateRuleText = "late when it was submitted after its regime's deadline (the notification clocks of casefile deadlines) or records a late_reason"

// RegimeLate decides lateness with the notification clocks of package
// regime (the configured rule set and time zone; the built-in rules when
// cfg has none): a notification is late when the obligation it satisfied
// was met after its deadline, explained or not, or when it records a
// late_reason. It remembers each record's evaluation, so it is not safe
// for concurrent use.
func RegimeLate(cfg *config.Config, now time.Time) LateFunc {
	var rules *regime.RuleSet
	var loc *time.Location
	if cfg != nil {
		rules, loc = cfg.Rules, cfg.Location
	}
	memo := map[*record.Record]map[*record.Notification]bool{}
	return func(r *record.Record, n *record.Notification) bool {
		if n.LateReason != "" {
			return true
		}
		if len(r.Regimes) == 0 || n.Regime == "" {
			return false
		}
		late, ok := memo[r]
		if !ok {
			for _, st := range regime.Evaluate(r, rules, now, loc) {
				if st.Submission != nil && (st.State == regime.StateLate || st.State == regime.StateLateExplained) {
					if late == nil {
						late = map[*record.Notification]bool{}
					}
					late[st.Submission] = true
				}
			}
			memo[r] = late
		}
		return late[n]
	}
}

// IsIncident reports whether a record counts as an incident in reports: it
// follows the incident lifecycle (reported as one and not assessed
// otherwise, or an event or weakness assessed to be one) and was not
// rejected.
func IsIncident(r *record.Record) bool {
	return r.IsIncident() && r.Status != record.StatusRejected && r.Kind != record.KindDrill
}

// Escalated reports whether an event or weakness was assessed to be an
// incident.
func Escalated(r *record.Record) bool {
	return (r.Kind == record.KindEvent || r.Kind == record.KindWeakness) && r.Assessment != nil && r.Assessment.IsIncident
}

// Decision is the assessment decision in words.
func Decision(r *record.Record) string {
	switch {
	case r.Kind == record.KindDrill:
		return "n/a (drill)"
	case r.Assessment == nil:
		return "not assessed"
	case r.Assessment.IsIncident:
		return "incident"
	}
	return "not an incident"
}

// closedAt returns when a record reached a terminal status, if known.
func closedAt(r *record.Record) record.Time {
	if r.Terminal() && r.Closed != nil {
		return r.Closed.At
	}
	return record.Time{}
}

// Unassessed is the severity bucket of incidents without a severity.
const Unassessed = "unassessed"

// Uncategorised is the category bucket of records without a category.
const Uncategorised = "uncategorised"

func severityOf(r *record.Record) string {
	if s := r.Severity(); s != "" {
		return s
	}
	return Unassessed
}

func categoryOf(r *record.Record) string {
	if c := r.Category(); c != "" {
		return c
	}
	return Uncategorised
}

// severityOrder lists the configured scale, most severe first, then any
// other severity seen in records (sorted), then Unassessed.
func severityOrder(cfg *config.Config, seen map[string]bool) []string {
	var out []string
	known := map[string]bool{}
	if cfg != nil {
		for _, s := range cfg.SeverityIDs() {
			out = append(out, s)
			known[s] = true
		}
	}
	var extra []string
	for s := range seen {
		if !known[s] && s != Unassessed {
			extra = append(extra, s)
		}
	}
	sort.Strings(extra)
	out = append(out, extra...)
	return append(out, Unassessed)
}

func severityName(cfg *config.Config, id string) string {
	if cfg != nil {
		for _, s := range cfg.Severity {
			if s.ID == id {
				return s.Name
			}
		}
	}
	return ""
}

// sortedRecords orders records by report time, then ID, so every figure
// that depends on order (the first spelling of a root-cause factor, the
// order of rows) is deterministic.
func sortedRecords(recs []*record.Record) []*record.Record {
	out := make([]*record.Record, 0, len(recs))
	for _, r := range recs {
		if r != nil {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Reported.At.T, out[j].Reported.At.T
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Stat is the mean and median of a set of durations, in seconds.
type Stat struct {
	N             int      `json:"n"`
	MeanSeconds   *float64 `json:"mean_seconds"`
	MedianSeconds *float64 `json:"median_seconds"`
	// Partial counts the records left out because a time was only a
	// partial date.
	Partial int `json:"partial_dates_skipped"`
}

type durations struct {
	secs    []float64
	partial int
}

func (d *durations) add(from, to record.Time) {
	if !from.IsSet() || !to.IsSet() {
		return
	}
	if from.Precision != record.PrecisionFull || to.Precision != record.PrecisionFull {
		d.partial++
		return
	}
	s := to.T.Sub(from.T).Seconds()
	if s < 0 {
		// Out of order (lint's time-order rule reports it); a negative
		// duration would only distort the figures.
		return
	}
	d.secs = append(d.secs, s)
}

func (d *durations) stat() Stat {
	st := Stat{N: len(d.secs), Partial: d.partial}
	if len(d.secs) == 0 {
		return st
	}
	s := append([]float64(nil), d.secs...)
	sort.Float64s(s)
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	mean := sum / float64(len(s))
	var med float64
	if n := len(s); n%2 == 1 {
		med = s[n/2]
	} else {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	mean = math.Round(mean*1000) / 1000
	st.MeanSeconds, st.MedianSeconds = &mean, &med
	return st
}

// Duration formats seconds for people: "3d 4h", "5h 12m", "12m", "< 1m".
func Duration(secs float64) string {
	d := time.Duration(math.Round(secs)) * time.Second
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	m := int(d % time.Hour / time.Minute)
	switch {
	case days > 0 && h > 0:
		return itoa(days) + "d " + itoa(h) + "h"
	case days > 0:
		return itoa(days) + "d"
	case h > 0 && m > 0:
		return itoa(h) + "h " + itoa(m) + "m"
	case h > 0:
		return itoa(h) + "h"
	case m > 0:
		return itoa(m) + "m"
	}
	return "< 1m"
}

// The record fields each report never reads, as dotted YAML paths. A loader
// may leave them out to save memory on large logs (quickload.Options.Omit);
// TestUnusedFields proves the reports come out the same without them.
var (
	LogUnused = []string{
		"actions", "regimes", "root_cause", "corrective_actions", "lessons", "drill", "related", "tags",
		"evidence.description", "evidence.collected", "evidence.custody", "evidence.location", "evidence.sha256",
		"notifications.summary", "notifications.name", "notifications.channel", "notifications.reference",
		"assessment.rationale", "assessment.immediate_actions", "affected.personal_data", "affected.parties", "reported.contact",
	}
	TrendsUnused = []string{
		"description", "actions", "evidence", "lessons", "drill", "related", "tags", "roles",
		"root_cause.analysis", "root_cause.method", "corrective_actions.text", "corrective_actions.verified",
		"corrective_actions.waived", "corrective_actions.owner", "notifications.summary", "notifications.name",
		"notifications.channel", "notifications.reference", "affected.personal_data", "affected.parties",
		"affected.facilities", "affected.processes", "assessment.rationale", "assessment.immediate_actions",
		"assessment.no_notification_reason", "reported.contact", "reported.channel", "title",
	}
	ReviewUnused = []string{
		"description", "actions", "related", "tags", "roles", "root_cause.analysis", "root_cause.method",
		"evidence.description", "evidence.collected", "evidence.location", "drill.scenario",
		"notifications.summary", "notifications.name", "notifications.channel", "notifications.reference",
		"affected.personal_data", "affected.parties", "affected.facilities", "affected.processes",
		"assessment.rationale", "assessment.immediate_actions", "reported.contact",
	}
)
