package lint

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// checker runs the semantic rules on one record.
type checker struct {
	doc *record.Doc
	rec *record.Record
	cfg *config.Config
	now time.Time
	out []Finding
}

func (c *checker) at(line, col int, rule, format string, args ...any) {
	r := ruleByID[rule]
	c.out = append(c.out, Finding{
		File: c.doc.Path, Line: line, Column: col, Severity: r.Severity, Rule: rule,
		Message: fmt.Sprintf(format, args...),
	})
}

// field reports a finding at the value at pointer.
func (c *checker) field(pointer, rule, format string, args ...any) {
	l, col := c.doc.Pos(pointer)
	c.at(l, col, rule, format, args...)
}

// key reports a finding at the key of the member at pointer. When the member
// is missing it points at its nearest existing ancestor, and when even the
// top-level field is missing, at the key of near: the field that implies the
// missing one.
func (c *checker) key(pointer, near, rule, format string, args ...any) {
	target := pointer
	for target != "" && !c.doc.Has(target) {
		target = target[:strings.LastIndexByte(target, '/')]
	}
	if target == "" {
		target = near
	}
	l, col := c.doc.KeyPos(target)
	c.at(l, col, rule, format, args...)
}

func (c *checker) run() []Finding {
	c.checkID()
	c.checkItemIDs()
	c.checkTimes()
	c.checkStatus()
	c.checkAssessment()
	c.checkClosure()
	c.checkCorrectiveActions()
	c.checkEvidence()
	c.checkNotifications()
	c.checkDrill()
	c.checkRegimes()
	return c.out
}

var idRe = regexp.MustCompile(`^([A-Z][A-Z0-9]*)-([0-9]{4})-([0-9]+)$`)

func (c *checker) checkID() {
	r := c.rec
	base := filepath.Base(c.doc.Path)
	if name := strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml"); name != r.ID {
		c.field("/id", RuleIDFilename, "file name %q does not match id %s (expected %s.yaml)", base, r.ID, r.ID)
	}
	prefix := c.cfg.Prefix(r.Kind)
	m := idRe.FindStringSubmatch(r.ID)
	switch {
	case m == nil || len(m[3]) < c.cfg.IDs.Digits:
		c.field("/id", RuleIDFormat, "id %s is not %s-<YEAR>-<%d-digit sequence>", r.ID, prefix, c.cfg.IDs.Digits)
		return
	case m[1] != prefix:
		c.field("/id", RuleIDFormat, "id %s has prefix %s but a %s record's prefix is %s", r.ID, m[1], r.Kind, prefix)
		return
	}
	if r.Reported.At.IsSet() {
		if y := strconv.Itoa(r.Reported.At.T.Year()); y != m[2] {
			c.field("/id", RuleIDYear, "id %s names year %s but the record was reported in %s", r.ID, m[2], y)
		}
	}
}

func (c *checker) checkItemIDs() {
	seen := map[string]string{}
	dup := func(kind, id, pointer string) {
		if first, ok := seen[kind+id]; ok {
			c.field(pointer, RuleItemIDUnique, "%s %s is used twice (first at %s)", kind, id, first)
			return
		}
		l, col := c.doc.Pos(pointer)
		seen[kind+id] = fmt.Sprintf("line %d:%d", l, col)
	}
	for i, e := range c.rec.Evidence {
		dup("evidence", e.ID, fmt.Sprintf("/evidence/%d/id", i))
	}
	for i, a := range c.rec.CorrectiveActions {
		dup("corrective action", a.ID, fmt.Sprintf("/corrective_actions/%d/id", i))
	}
	if c.rec.Drill != nil {
		for i, f := range c.rec.Drill.Findings {
			dup("finding", f.ID, fmt.Sprintf("/drill/findings/%d/id", i))
		}
	}
}

// namedTime is a time of a record with the name findings give it: label,
// with the item indices i and j in place of its %d verbs. The name is
// built only for a finding, as every record has dozens of times.
type namedTime struct {
	label string
	t     record.Time
	i, j  int
}

func (n namedTime) name() string {
	switch strings.Count(n.label, "%d") {
	case 0:
		return n.label
	case 1:
		return fmt.Sprintf(n.label, n.i)
	default:
		return fmt.Sprintf(n.label, n.i, n.j)
	}
}

// milestones are the lifecycle times of a record.
func milestones(r *record.Record) []namedTime {
	ms := []namedTime{
		{label: "occurred_at", t: r.OccurredAt},
		{label: "detected_at", t: r.DetectedAt},
		{label: "reported.at", t: r.Reported.At},
	}
	if r.Assessment != nil {
		ms = append(ms, namedTime{label: "assessment.at", t: r.Assessment.At})
	}
	ms = append(ms, namedTime{label: "contained_at", t: r.ContainedAt}, namedTime{label: "recovered_at", t: r.RecoveredAt})
	if r.Closed != nil {
		ms = append(ms, namedTime{label: "closed.at", t: r.Closed.At})
	}
	return ms
}

// timeOrder lists which milestone must not come before which. It is a
// partial order: containment often happens before the assessment decision
// (an EDR isolates a host, the SOC blocks an account), so contained_at only
// has to follow detection, not the assessment.
var timeOrder = [][2]string{
	{"occurred_at", "detected_at"},
	{"occurred_at", "reported.at"},
	{"detected_at", "reported.at"},
	{"reported.at", "assessment.at"},
	{"occurred_at", "contained_at"},
	{"detected_at", "contained_at"},
	{"contained_at", "recovered_at"},
	{"detected_at", "recovered_at"},
	{"assessment.at", "closed.at"},
	{"recovered_at", "closed.at"},
	{"reported.at", "closed.at"},
}

// allTimes lists every timestamp that records something that already
// happened (due dates and drill schedules may lie ahead).
func allTimes(r *record.Record) []namedTime {
	ts := milestones(r)
	for i, a := range r.Actions {
		ts = append(ts, namedTime{"actions[%d].at", a.At, i, 0})
	}
	for i, n := range r.Notifications {
		ts = append(ts, namedTime{"notifications[%d].at", n.At, i, 0},
			namedTime{"notifications[%d].approved_at", n.ApprovedAt, i, 0})
	}
	for i, e := range r.Evidence {
		if e.Collected != nil {
			ts = append(ts, namedTime{"evidence[%d].collected.at", e.Collected.At, i, 0})
		}
		for j, t := range e.Custody {
			ts = append(ts, namedTime{"evidence[%d].custody[%d].at", t.At, i, j})
		}
	}
	for i, a := range r.CorrectiveActions {
		ts = append(ts, namedTime{"corrective_actions[%d].done_at", a.DoneAt, i, 0})
		if a.Verified != nil {
			ts = append(ts, namedTime{"corrective_actions[%d].verified.at", a.Verified.At, i, 0})
		}
		if a.Waived != nil {
			ts = append(ts, namedTime{"corrective_actions[%d].waived.at", a.Waived.At, i, 0})
		}
	}
	if r.Drill != nil {
		ts = append(ts, namedTime{label: "drill.held_at", t: r.Drill.HeldAt})
	}
	return ts
}

// clockSkew is how far ahead of the linting machine's clock a timestamp may
// be before it counts as in the future.
const clockSkew = 5 * time.Minute

func (c *checker) checkTimes() {
	byName := map[string]record.Time{}
	for _, m := range milestones(c.rec) {
		byName[m.label] = m.t
	}
	// Report each later milestone once, against the first earlier one it
	// precedes, so one wrong time gives one finding.
	reported := map[string]bool{}
	for _, pair := range timeOrder {
		before, after := byName[pair[0]], byName[pair[1]]
		if reported[pair[1]] || !before.After(after) {
			continue
		}
		reported[pair[1]] = true
		c.at(after.Line, after.Column, RuleTimeOrder, "%s %s is before %s %s", pair[1], after.Raw, pair[0], before.Raw)
	}
	limit := c.now.Add(clockSkew)
	for _, nt := range allTimes(c.rec) {
		if nt.t.IsSet() && nt.t.Start().After(limit) {
			c.at(nt.t.Line, nt.t.Column, RuleTimeFuture, "%s %s is in the future (now is %s)", nt.name(), nt.t.Raw, c.now.UTC().Format(time.RFC3339))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *checker) checkStatus() {
	r := c.rec
	track, allowed := record.Lifecycle(r)
	if !contains(allowed, r.Status) {
		why := ""
		if r.Kind == record.KindIncident && track == record.TrackEvent {
			why = ", which an incident report assessed as not an incident follows"
		}
		c.field("/status", RuleStatusKind, "status %s is not part of the %s lifecycle%s (%s)", r.Status, track, why, strings.Join(allowed, ", "))
		return
	}
	if track == record.TrackIncident {
		if record.StatusAtLeast(r, record.StatusContained) && !r.ContainedAt.IsSet() {
			c.key("/contained_at", "/status", RuleStatusFields, "status %s but contained_at is not set", r.Status)
		}
		if record.StatusAtLeast(r, record.StatusRecovered) && !r.RecoveredAt.IsSet() {
			c.key("/recovered_at", "/status", RuleStatusFields, "status %s but recovered_at is not set", r.Status)
		}
		if record.StatusAtLeast(r, record.StatusContained) && !hasAction(r, record.ActionContainment) {
			c.key("/actions", "/status", RuleContainment, "status %s but no action of type containment is logged", r.Status)
		}
	}
	if r.Terminal() && r.Closed == nil {
		c.key("/closed", "/status", RuleStatusFields, "status %s but the closed block (at, by) is missing", r.Status)
	}
	if r.Status == record.StatusRejected && r.Closed != nil && r.Closed.Reason == "" {
		c.key("/closed/reason", "/status", RuleStatusFields, "a rejected record needs closed.reason saying why")
	}
	if !r.Terminal() && r.Closed != nil {
		c.key("/closed", "/status", RuleStatusFields, "status %s but the record has a closed block", r.Status)
	}
}

func hasAction(r *record.Record, typ string) bool {
	for _, a := range r.Actions {
		if a.Type == typ {
			return true
		}
	}
	return false
}

func (c *checker) checkAssessment() {
	r := c.rec
	a := r.Assessment
	if a == nil {
		// A report rejected outright (a duplicate, a test) carries its
		// decision in closed.by and closed.reason instead.
		rejected := r.Status == record.StatusRejected && r.Closed != nil && r.Closed.Reason != ""
		if r.Kind != record.KindDrill && r.Status != record.StatusReported && !rejected {
			c.key("/assessment", "/status", RuleAssessment, "status %s but the record has no assessment (the decision whether it is an incident)", r.Status)
		}
		return
	}
	if a.Category != "" && !c.cfg.HasCategory(a.Category) {
		c.field("/assessment/category", RuleCategory, "category %q is not in the configured taxonomy (%s)", a.Category, c.cfg.Taxonomy.Name)
	}
	if a.Severity != "" && !c.cfg.HasSeverity(a.Severity) {
		c.field("/assessment/severity", RuleSeverity, "severity %q is not a level of the scale (%s)", a.Severity, strings.Join(c.cfg.SeverityIDs(), ", "))
	}
	if !a.IsIncident {
		return
	}
	var missing []string
	if a.Category == "" {
		missing = append(missing, "category")
	}
	if a.Severity == "" {
		missing = append(missing, "severity")
	}
	if len(a.CIA) == 0 {
		missing = append(missing, "cia")
	}
	if len(missing) > 0 {
		c.key("/assessment/is_incident", "/assessment", RuleIncidentFields, "assessed as an incident but assessment has no %s", strings.Join(missing, ", "))
	}
	if r.Status != record.StatusRejected && r.Roles.IncidentManager == "" {
		c.key("/roles/incident_manager", "/assessment/is_incident", RuleIncidentManager, "assessed as an incident but roles.incident_manager is not set")
	}
	if a.ExternalImpact && a.NoNotificationReason == "" && !notified(r, record.PartyCustomers, record.PartyDataSubjects, record.PartyPartners) {
		c.key("/assessment/external_impact", "/assessment", RuleExternalNotice,
			"external impact but no notification to customers, data subjects or partners, and no assessment.no_notification_reason")
	}
}

func notified(r *record.Record, parties ...string) bool {
	for _, n := range r.Notifications {
		if contains(parties, n.Party) {
			return true
		}
	}
	return false
}

func (c *checker) checkClosure() {
	r := c.rec
	if r.Status != record.StatusClosed || !r.IsIncident() || r.Kind == record.KindDrill {
		return
	}
	if r.RootCause == nil || (len(r.RootCause.Factors) == 0 && r.RootCause.Analysis == "") {
		c.key("/root_cause", "/status", RuleClosureRootCause, "closed incident has no root_cause (factors or analysis)")
	}
	if r.Lessons == "" {
		c.key("/lessons", "/status", RuleClosureLessons, "closed incident has no lessons learned")
	}
	for i, a := range r.CorrectiveActions {
		if !a.Settled() {
			c.field(fmt.Sprintf("/corrective_actions/%d/status", i), RuleClosureCA,
				"closed incident has corrective action %s with status %s; verify its effectiveness or waive it with a reason", a.ID, a.Status)
		}
	}
}

func (c *checker) checkCorrectiveActions() {
	today := c.now.UTC().Truncate(24 * time.Hour)
	for i, a := range c.rec.CorrectiveActions {
		p := fmt.Sprintf("/corrective_actions/%d", i)
		switch {
		case a.Status == record.CAVerified && a.Verified == nil:
			c.field(p+"/status", RuleCAState, "corrective action %s is verified but has no verified block (at, by, how)", a.ID)
		case a.Status == record.CAWaived && a.Waived == nil:
			c.field(p+"/status", RuleCAState, "corrective action %s is waived but has no waived block (at, by, reason)", a.ID)
		case a.Verified != nil && a.Status != record.CAVerified:
			c.key(p+"/verified", p, RuleCAState, "corrective action %s has a verification but status %s", a.ID, a.Status)
		}
		if a.Due.IsSet() && a.Due.End().Before(today) && (a.Status == record.CAOpen || a.Status == record.CAInProgress) {
			c.field(p+"/due", RuleCAOverdue, "corrective action %s was due %s and is still %s", a.ID, a.Due.Raw, a.Status)
		}
	}
}

func (c *checker) checkEvidence() {
	for i, e := range c.rec.Evidence {
		p := fmt.Sprintf("/evidence/%d", i)
		if e.SHA256 == "" {
			c.key(p+"/sha256", p, RuleEvidenceIntegrity, "evidence %s has no sha256 digest", e.ID)
		}
		if e.Collected == nil {
			c.key(p+"/collected", p, RuleEvidenceIntegrity, "evidence %s does not record who collected it and when", e.ID)
		}
		if e.Path == "" && e.Location == "" {
			c.key(p+"/path", p, RuleEvidenceIntegrity, "evidence %s has neither a path in the repository nor a location", e.ID)
		}
		if e.Path != "" {
			if msg := evidencePathProblem(e.Path); msg != "" {
				c.field(p+"/path", RuleEvidencePath, "evidence %s path %q %s", e.ID, e.Path, msg)
			}
		}
	}
}

// evidencePathProblem says what is wrong with an evidence path, or "".
func evidencePathProblem(p string) string {
	switch {
	case strings.Contains(p, "\\"):
		return "uses backslashes; use forward slashes"
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return "is absolute; it must be relative to the repository root"
	case path.Clean(p) != p:
		return "is not clean (no ./, ../, // or trailing slash)"
	case p == ".." || strings.HasPrefix(p, "../"):
		return "leaves the repository"
	case !strings.HasPrefix(p, config.EvidenceDir+"/"):
		return "is not under " + config.EvidenceDir + "/"
	}
	return ""
}

func (c *checker) checkNotifications() {
	for i, n := range c.rec.Notifications {
		if n.Party != record.PartyLawEnforcement {
			continue
		}
		var missing []string
		if n.ApprovedBy == "" {
			missing = append(missing, "approved_by")
		}
		if !n.ApprovedAt.IsSet() {
			missing = append(missing, "approved_at")
		}
		if len(missing) > 0 {
			c.key(fmt.Sprintf("/notifications/%d/party", i), "", RuleLawEnforcement,
				"notification to law enforcement lacks management approval (%s)", strings.Join(missing, ", "))
			continue
		}
		if n.ApprovedAt.After(n.At) {
			c.at(n.ApprovedAt.Line, n.ApprovedAt.Column, RuleLawEnforcement,
				"notification to law enforcement was approved at %s, after it was sent at %s", n.ApprovedAt.Raw, n.At.Raw)
		}
	}
}

func (c *checker) checkDrill() {
	r := c.rec
	if r.Kind != record.KindDrill || r.Drill == nil || r.Status == record.StatusPlanned {
		return
	}
	if !r.Drill.HeldAt.IsSet() {
		c.key("/drill/held_at", "/status", RuleDrillHeld, "drill status %s but drill.held_at is not set", r.Status)
	}
	if len(r.Drill.Participants) == 0 {
		c.key("/drill/participants", "/status", RuleDrillHeld, "drill status %s but drill.participants is empty", r.Status)
	}
}
