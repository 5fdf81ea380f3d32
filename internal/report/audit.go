package report

import (
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
)

// DrillWindowMonths is how recent a drill must be to evidence preparation
// (A.5.24): one was held in the twelve months before the end of the audit
// period.
const DrillWindowMonths = 12

// ReportDelay is how long after detection a report may be filed before the
// audit counts it as not reported "as quickly as possible" (A.6.8).
const ReportDelay = 24 * time.Hour

// AuthorityParties are the notification parties that are authorities
// (A.5.5 contact with authorities).
var AuthorityParties = []string{"supervisory-authority", "law-enforcement", "csirt"}

// Gap rule IDs of the audit report.
const (
	GapNoDrill             = "no-drill-12-months"
	GapDrillFollowUp       = "drill-follow-up-open"
	GapReportDelayed       = "report-delayed"
	GapNotAssessed         = "not-assessed"
	GapNoIncidentManager   = "no-incident-manager"
	GapNoResponseLog       = "no-response-log"
	GapNotificationLate    = "notification-late"
	GapNotificationOverdue = "notification-overdue"
	GapRegimeTrigger       = "regime-without-trigger"
	GapNoRootCause         = "closed-without-root-cause"
	GapNoLessons           = "closed-without-lessons"
	GapActionOverdue       = "corrective-action-overdue"
	GapActionUnverified    = "corrective-action-not-verified"
	GapEvidenceNoDigest    = "evidence-without-sha256"
	GapEvidenceNoCollector = "evidence-without-collector"
	GapCustodyNotVerified  = "custody-not-verified"
)

// AuditOptions configure the ISO 27001 audit pack.
type AuditOptions struct {
	// Period limits the records to those reported in it (2026, 2026-H2,
	// 2026-Q3, 2026-07); "" is the whole log.
	Period string
	Now    time.Time
	Stamp  Stamp
}

// AuditReport shows, control by control, how the log evidences ISO/IEC
// 27001 incident management (2022 A.5.24–A.5.28, A.6.8 and A.5.5, which are
// 2013 A.16.1.1–A.16.1.7 and A.6.1.3), and where it falls short.
type AuditReport struct {
	Meta
	Period string `json:"period,omitempty"`
	// DrillsFrom and DrillsTo bound the drill window: the twelve months
	// before the end of the period (or now).
	DrillsFrom time.Time      `json:"drills_from"`
	DrillsTo   time.Time      `json:"drills_to"`
	Controls   []AuditControl `json:"controls"`
	// Gaps is the number of gap items over all controls.
	Gaps int `json:"gaps"`
}

// AuditControl is one Annex A control with its evidence and gaps.
type AuditControl struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// ISO2013 are the 2013 controls it replaces.
	ISO2013  []ISORef    `json:"iso_2013"`
	Evidence []AuditItem `json:"evidence"`
	Gaps     []AuditItem `json:"gaps"`
}

// ISORef names an Annex A control.
type ISORef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// AuditItem is one kind of evidence or one kind of gap: what it is, how
// many (records, items or notifications, as What says) and the records.
type AuditItem struct {
	// Rule is the gap rule ID; empty for evidence.
	Rule    string   `json:"rule,omitempty"`
	What    string   `json:"what"`
	Count   int      `json:"count"`
	Records []string `json:"records"`
}

// items collects audit items, each record named once per item.
type items struct {
	list []*AuditItem
	seen []map[string]bool
}

func (s *items) item(rule, what string) int {
	s.list = append(s.list, &AuditItem{Rule: rule, What: what, Records: []string{}})
	s.seen = append(s.seen, map[string]bool{})
	return len(s.list) - 1
}

// add counts n for record id in item i.
func (s *items) add(i int, id string, n int) {
	if n <= 0 {
		return
	}
	it := s.list[i]
	it.Count += n
	if id != "" && !s.seen[i][id] {
		s.seen[i][id] = true
		it.Records = append(it.Records, id)
	}
}

func (s *items) gaps() []AuditItem {
	out := []AuditItem{}
	for _, it := range s.list {
		if it.Rule != "" && it.Count > 0 {
			out = append(out, *it)
		}
	}
	return out
}

func isAuthority(party string) bool {
	for _, p := range AuthorityParties {
		if p == party {
			return true
		}
	}
	return false
}

// Audit builds the ISO 27001 audit pack.
func Audit(recs []*record.Record, cfg *config.Config, opts AuditOptions) (*AuditReport, error) {
	var rng Range
	label := ""
	if opts.Period != "" {
		var err error
		if rng, label, err = ParsePeriod(opts.Period); err != nil {
			return nil, err
		}
	}
	end := opts.Now.UTC()
	if !rng.To.IsZero() && rng.To.Before(end) {
		end = rng.To
	}
	drills := Range{From: end.AddDate(0, -DrillWindowMonths, 0), To: end}
	rep := &AuditReport{
		Meta: newMeta("audit", "ISO 27001 audit pack", cfg, opts.Now, opts.Stamp, rng), Period: label,
		DrillsFrom: drills.From, DrillsTo: drills.To,
	}
	if label != "" {
		rep.Title += " " + label
	}
	var rules *regime.RuleSet
	var loc *time.Location
	if cfg != nil {
		rules, loc = cfg.Rules, cfg.Location
	}
	today := opts.Now.UTC().Truncate(24 * time.Hour)
	late := RegimeLate(cfg, opts.Now)

	// A.5.24 planning and preparation.
	var prep items
	pDrills := prep.item("", "drills held in the 12 months before the end of the period")
	pFindings := prep.item("", "drill findings recorded")
	pSeverity := prep.item("", "levels of the configured severity scale (classification scheme)")
	gNoDrill := prep.item(GapNoDrill, "no drill was held in the 12 months before the end of the period")
	gDrillFollow := prep.item(GapDrillFollowUp, "drill follow-up actions not verified effective or waived")
	if cfg != nil {
		prep.add(pSeverity, "", len(cfg.Severity))
	}
	// A.6.8 event reporting.
	var rpt items
	rEvents := rpt.item("", "events reported, with reporter and time")
	rWeak := rpt.item("", "weaknesses reported, with reporter and time")
	rInc := rpt.item("", "incidents reported, with reporter and time")
	gDelayed := rpt.item(GapReportDelayed, "reports filed more than 24 hours after detection")
	// A.5.25 assessment and decision.
	var asm items
	aAssessed := asm.item("", "reports assessed with a decision, a decider and a time")
	aIncident := asm.item("", "assessed to be incidents")
	aNot := asm.item("", "assessed not to be incidents")
	aManager := asm.item("", "incidents with an appointed Incident Manager")
	gNotAssessed := asm.item(GapNotAssessed, "reports without an assessment decision")
	gNoManager := asm.item(GapNoIncidentManager, "incidents without an Incident Manager")
	// A.5.26 response.
	var rsp items
	sTimeline := rsp.item("", "incidents with a response timeline (logged actions)")
	sActions := rsp.item("", "response actions logged")
	sContained := rsp.item("", "incidents with a containment time")
	sNotified := rsp.item("", "notifications made (management, customers, authorities, others)")
	gNoLog := rsp.item(GapNoResponseLog, "incidents with no response action logged")
	// A.5.27 learning.
	var lrn items
	lRoot := lrn.item("", "closed incidents with a root cause")
	lLessons := lrn.item("", "records with lessons learned")
	lVerified := lrn.item("", "corrective actions verified effective")
	lWaived := lrn.item("", "corrective actions waived with a reason")
	gNoRoot := lrn.item(GapNoRootCause, "incidents closed without a root cause")
	gNoLessons := lrn.item(GapNoLessons, "incidents closed without lessons learned")
	gOverdue := lrn.item(GapActionOverdue, "corrective actions open past their due date")
	gUnverified := lrn.item(GapActionUnverified, "corrective actions of closed records done but not verified effective")
	// A.5.28 collection of evidence.
	var evd items
	eItems := evd.item("", "evidence items logged")
	eDigest := evd.item("", "evidence items with a sha256 digest")
	eCollected := evd.item("", "evidence items with collector and time")
	eCustody := evd.item("", "custody transfers recorded")
	gNoDigest := evd.item(GapEvidenceNoDigest, "evidence items without a sha256 digest")
	gNoCollector := evd.item(GapEvidenceNoCollector, "evidence items without collector and time")
	gCustody := evd.item(GapCustodyNotVerified, "")
	// A.5.5 contact with authorities.
	var ath items
	tNotified := ath.item("", "notifications to authorities (supervisory authority, law enforcement, CSIRT)")
	tMet := ath.item("", "regulatory obligations met on time")
	gLate := ath.item(GapNotificationLate, "notifications made late: after their regime's deadline, or with a late_reason")
	gOverdueN := ath.item(GapNotificationOverdue, "regulatory obligations overdue without a submission")
	gTrigger := ath.item(GapRegimeTrigger, "regimes declared without the time that starts their clock")

	for _, r := range sortedRecords(recs) {
		if r.Kind == record.KindDrill {
			if r.Drill != nil && r.Drill.HeldAt.IsSet() && drills.Contains(r.Drill.HeldAt.T) {
				prep.add(pDrills, r.ID, 1)
				prep.add(pFindings, r.ID, len(r.Drill.Findings))
				for _, ca := range r.CorrectiveActions {
					if !ca.Settled() {
						prep.add(gDrillFollow, r.ID, 1)
					}
				}
			}
			continue
		}
		if !r.Reported.At.IsSet() || !rng.Contains(r.Reported.At.T) {
			continue
		}
		id := r.ID
		switch r.Kind {
		case record.KindEvent:
			rpt.add(rEvents, id, 1)
		case record.KindWeakness:
			rpt.add(rWeak, id, 1)
		case record.KindIncident:
			rpt.add(rInc, id, 1)
		}
		if d, rp := r.DetectedAt, r.Reported.At; d.IsSet() && d.Precision == record.PrecisionFull && rp.Precision == record.PrecisionFull &&
			rp.T.Sub(d.T) > ReportDelay {
			rpt.add(gDelayed, id, 1)
		}

		switch a := r.Assessment; {
		case a != nil && a.At.IsSet() && a.By != "":
			asm.add(aAssessed, id, 1)
			if a.IsIncident {
				asm.add(aIncident, id, 1)
			} else {
				asm.add(aNot, id, 1)
			}
		case r.Status != record.StatusRejected:
			asm.add(gNotAssessed, id, 1)
		}
		inc := IsIncident(r)
		if inc {
			if r.Roles.IncidentManager != "" {
				asm.add(aManager, id, 1)
			} else {
				asm.add(gNoManager, id, 1)
			}
			if len(r.Actions) > 0 {
				rsp.add(sTimeline, id, 1)
			} else {
				rsp.add(gNoLog, id, 1)
			}
			if r.ContainedAt.IsSet() {
				rsp.add(sContained, id, 1)
			}
			if r.Status == record.StatusClosed {
				if r.RootCause != nil && (len(r.RootCause.Factors) > 0 || r.RootCause.Analysis != "") {
					lrn.add(lRoot, id, 1)
				} else {
					lrn.add(gNoRoot, id, 1)
				}
				if r.Lessons == "" {
					lrn.add(gNoLessons, id, 1)
				}
			}
		}
		rsp.add(sActions, id, len(r.Actions))
		rsp.add(sNotified, id, len(r.Notifications))
		if r.Lessons != "" {
			lrn.add(lLessons, id, 1)
		}
		for _, ca := range r.CorrectiveActions {
			switch {
			case ca.Status == record.CAVerified:
				lrn.add(lVerified, id, 1)
			case ca.Status == record.CAWaived:
				lrn.add(lWaived, id, 1)
			case overdue(ca, today):
				lrn.add(gOverdue, id, 1)
			case ca.Status == record.CADone && r.Terminal():
				lrn.add(gUnverified, id, 1)
			}
		}
		for _, e := range r.Evidence {
			evd.add(eItems, id, 1)
			if e.SHA256 != "" {
				evd.add(eDigest, id, 1)
			} else {
				evd.add(gNoDigest, id, 1)
			}
			if e.Collected != nil && e.Collected.At.IsSet() && e.Collected.By != "" {
				evd.add(eCollected, id, 1)
			} else {
				evd.add(gNoCollector, id, 1)
			}
			evd.add(eCustody, id, len(e.Custody))
		}
		for i := range r.Notifications {
			if isAuthority(r.Notifications[i].Party) {
				ath.add(tNotified, id, 1)
			}
			if late(r, &r.Notifications[i]) {
				ath.add(gLate, id, 1)
			}
		}
		if len(r.Regimes) > 0 {
			for _, st := range regime.Evaluate(r, rules, opts.Now, loc) {
				switch st.State {
				case regime.StateMet:
					ath.add(tMet, id, 1)
				case regime.StateOverdue:
					ath.add(gOverdueN, id, 1)
				case regime.StateMissingTrigger:
					ath.add(gTrigger, id, 1)
				}
			}
		}
	}
	if prep.list[pDrills].Count == 0 {
		prep.add(gNoDrill, "", 1)
	}
	if opts.Stamp.status() != VerifyPassed {
		evd.list[gCustody].What = "casefile verify did not pass at this commit (" + opts.Stamp.Verify() + ")"
		evd.add(gCustody, "", 1)
	}
	verified := evd.item("", "chain of custody: "+opts.Stamp.Verify())
	if opts.Stamp.status() == VerifyPassed {
		evd.add(verified, "", 1)
	}

	byControl := map[string]*items{"A.5.24": &prep, "A.6.8": &rpt, "A.5.25": &asm, "A.5.26": &rsp, "A.5.27": &lrn, "A.5.28": &evd, "A.5.5": &ath}
	for _, c := range regime.ISO2022Controls() {
		ac := AuditControl{ID: c.ID, Title: c.Title, ISO2013: []ISORef{}, Evidence: []AuditItem{}, Gaps: []AuditItem{}}
		for _, old := range regime.ISO2013For(c.ID) {
			ac.ISO2013 = append(ac.ISO2013, ISORef{ID: old.ID, Title: old.Title})
		}
		if s := byControl[c.ID]; s != nil {
			for _, it := range s.list {
				if it.Rule == "" {
					ac.Evidence = append(ac.Evidence, *it)
				}
			}
			ac.Gaps = s.gaps()
		}
		rep.Gaps += len(ac.Gaps)
		rep.Controls = append(rep.Controls, ac)
	}
	return rep, nil
}
