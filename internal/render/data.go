package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
)

// Data is what a template sees as dot. Field and method names are the
// documented data model (see the package documentation); templates in
// records repositories depend on them, so they change only compatibly.
type Data struct {
	// Template is the name of the template being rendered, e.g. briefing.
	Template string
	// Format is md or html.
	Format string

	// Record is the typed record. Its optional blocks (assessment,
	// root_cause, cost, drill, closed, affected.personal_data) are never
	// nil here, so a field chain like .Record.Assessment.Rationale never
	// fails; test whether the file has a block with has "assessment".
	Record *record.Record
	// Fields is the record as its JSON data model (what the schema
	// validates), including blocks the typed model leaves out: extra and
	// source. The field helper reads it by dotted path.
	Fields map[string]any
	// Path is the record's file in the repository, e.g.
	// records/2026/INC-2026-0007.yaml.
	Path string

	// Organisation, Roles and Contacts come from casefile.yaml.
	Organisation config.Organisation
	Roles        config.Roles
	Contacts     config.Contacts
	// Authority is the supervisory authority competent for the record's
	// declared regimes (contacts.supervisory_authorities), or nil.
	Authority *config.Authority
	// Severity is the record's level of the configured severity scale, or
	// nil when unassessed or not in the scale.
	Severity *config.Severity
	// Category names the record's taxonomy class and type.
	Category Category
	// Obligations are the notification obligations of the declared regimes,
	// evaluated at Now (the same clocks as casefile deadlines).
	Obligations []regime.Status
	// Times are the derived intervals: detect→contain and the others.
	Times Times

	// Now is the render time, in Zone.
	Now time.Time
	// Zone is the time zone dates are shown in: --tz, else
	// organisation.timezone.
	Zone *time.Location
	// Commit is the commit the record was read from.
	Commit Commit
	// Generator names the program, e.g. "casefile v1.2.0".
	Generator string
}

// Commit identifies the revision a document was rendered from.
type Commit struct {
	// Hash is the full commit hash; "" for a record not read from git.
	Hash string
}

// Short is the abbreviated hash (12 characters), or "uncommitted".
func (c Commit) Short() string {
	if c.Hash == "" {
		return "uncommitted"
	}
	if len(c.Hash) > 12 {
		return c.Hash[:12]
	}
	return c.Hash
}

// Category is the record's category resolved against the taxonomy.
type Category struct {
	// ID is <class>/<type> as written in the record, "" before assessment.
	ID string
	// Class and Type are the taxonomy names (class name, type ID) or the IDs
	// themselves when the taxonomy lacks a name.
	Class, Type string
	// Description is the taxonomy's description of the type.
	Description string
}

// Times holds the intervals derived from the record's timestamps. An
// interval whose end points are missing prints as a [MISSING: field] marker.
type Times struct {
	// DetectionDelay runs from occurred_at to detected_at.
	DetectionDelay Span
	// ReportingDelay runs from detected_at to reported.at.
	ReportingDelay Span
	// AssessmentDelay runs from reported.at to assessment.at.
	AssessmentDelay Span
	// TimeToContain runs from detected_at to contained_at.
	TimeToContain Span
	// TimeToRecover runs from detected_at to recovered_at.
	TimeToRecover Span
	// Exposure runs from occurred_at to contained_at: how long the
	// attacker or the fault had its way.
	Exposure Span
	// TimeToClose runs from reported.at to closed.at.
	TimeToClose Span
	// Age runs from reported.at to the render time.
	Age Span
}

// Span is the interval between two record timestamps.
type Span struct {
	// From and To are the field names of the end points, e.g. detected_at.
	From, To string
	// D is the length; valid when Set.
	D time.Duration
	// Set is false when an end point is missing.
	Set bool
	// Approx is true when an end point is a partial date, so D is measured
	// from the start of the period it names.
	Approx bool

	absent string // the missing end point
}

// String is the length, e.g. "2h 52m" (prefixed "about" when approximate),
// or the marker of the missing end point.
func (s Span) String() string {
	if !s.Set {
		return s.missing().String()
	}
	if s.Approx {
		return "about " + formatDuration(s.D)
	}
	return formatDuration(s.D)
}

func (s Span) missing() Missing { return Missing{Field: s.absent} }

func span(fromName string, from record.Time, toName string, to record.Time) Span {
	s := Span{From: fromName, To: toName}
	switch {
	case !from.IsSet():
		s.absent = fromName
	case !to.IsSet():
		s.absent = toName
	default:
		s.D, s.Set = to.Start().Sub(from.Start()), true
		s.Approx = from.Precision != record.PrecisionFull || to.Precision != record.PrecisionFull
	}
	return s
}

// Options are the inputs of NewData besides the record and configuration.
type Options struct {
	Template  string
	Format    string
	Path      string
	Now       time.Time
	Zone      *time.Location // nil: cfg.Location, else UTC
	Commit    string
	Generator string
}

// NewData builds the data model of one record.
func NewData(doc *record.Doc, cfg *config.Config, opts Options) (*Data, error) {
	r, err := doc.Record()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", doc.Path, err)
	}
	if cfg == nil {
		if cfg, err = config.Default(); err != nil {
			return nil, err
		}
	}
	zone := opts.Zone
	if zone == nil {
		zone = cfg.Location
	}
	if zone == nil {
		zone = time.UTC
	}
	d := &Data{
		Template:     opts.Template,
		Format:       opts.Format,
		Fields:       doc.Data,
		Path:         opts.Path,
		Organisation: cfg.Organisation,
		Roles:        cfg.Roles,
		Contacts:     cfg.Contacts,
		Now:          opts.Now.In(zone),
		Zone:         zone,
		Commit:       Commit{Hash: opts.Commit},
		Generator:    opts.Generator,
	}
	if d.Path == "" {
		d.Path = doc.Path
	}
	if d.Generator == "" {
		d.Generator = "casefile"
	}
	d.Obligations = regime.Evaluate(r, cfg.Rules, opts.Now, cfg.Location)
	d.Record = filled(r)
	d.Times = times(d.Record, opts.Now)
	if sev := r.Severity(); sev != "" {
		if i := cfg.SeverityRank(sev); i >= 0 {
			s := cfg.Severity[i]
			d.Severity = &s
		}
	}
	d.Category = category(cfg, r.Category())
	d.Authority = d.authorityFor(nil)
	return d, nil
}

// filled returns a copy of r whose optional blocks are allocated, so that
// templates can follow field chains without nil checks.
func filled(r *record.Record) *record.Record {
	c := *r
	if c.Assessment == nil {
		c.Assessment = &record.Assessment{}
	}
	if c.RootCause == nil {
		c.RootCause = &record.RootCause{}
	}
	if c.Cost == nil {
		c.Cost = &record.Cost{}
	}
	if c.Drill == nil {
		c.Drill = &record.Drill{}
	}
	if c.Closed == nil {
		c.Closed = &record.Closure{}
	}
	if c.Affected.PersonalData == nil {
		c.Affected.PersonalData = &record.PersonalData{}
	}
	c.Evidence = append([]record.Evidence(nil), r.Evidence...)
	for i := range c.Evidence {
		if c.Evidence[i].Collected == nil {
			c.Evidence[i].Collected = &record.Collected{}
		}
	}
	c.CorrectiveActions = append([]record.CorrectiveAction(nil), r.CorrectiveActions...)
	for i := range c.CorrectiveActions {
		if c.CorrectiveActions[i].Verified == nil {
			c.CorrectiveActions[i].Verified = &record.Verification{}
		}
		if c.CorrectiveActions[i].Waived == nil {
			c.CorrectiveActions[i].Waived = &record.Waiver{}
		}
	}
	return &c
}

func times(r *record.Record, now time.Time) Times {
	t := Times{
		DetectionDelay:  span("occurred_at", r.OccurredAt, "detected_at", r.DetectedAt),
		ReportingDelay:  span("detected_at", r.DetectedAt, "reported.at", r.Reported.At),
		AssessmentDelay: span("reported.at", r.Reported.At, "assessment.at", r.Assessment.At),
		TimeToContain:   span("detected_at", r.DetectedAt, "contained_at", r.ContainedAt),
		TimeToRecover:   span("detected_at", r.DetectedAt, "recovered_at", r.RecoveredAt),
		Exposure:        span("occurred_at", r.OccurredAt, "contained_at", r.ContainedAt),
		TimeToClose:     span("reported.at", r.Reported.At, "closed.at", r.Closed.At),
	}
	t.Age = span("reported.at", r.Reported.At, "now", record.At(now))
	return t
}

func category(cfg *config.Config, id string) Category {
	c := Category{ID: id}
	if id == "" {
		return c
	}
	class, typ, _ := strings.Cut(id, "/")
	c.Class, c.Type = class, typ
	for _, cl := range cfg.Taxonomy.Classes {
		if cl.ID != class {
			continue
		}
		if cl.Name != "" {
			c.Class = cl.Name
		}
		for _, t := range cl.Types {
			if t.ID == typ {
				c.Description = t.Description
			}
		}
	}
	return c
}

// authorityFor picks the supervisory authority for the first of regimes
// (default: the record's declared regimes, in order) that one lists, else
// the first authority that lists none.
func (d *Data) authorityFor(regimes []string) *config.Authority {
	if regimes == nil {
		for _, rg := range d.Record.Regimes {
			regimes = append(regimes, rg.ID)
		}
	}
	return pickAuthority(d.Contacts.SupervisoryAuthorities, regimes)
}

func pickAuthority(list []config.Authority, regimes []string) *config.Authority {
	for _, id := range regimes {
		for i := range list {
			if len(list[i].Regimes) > 0 && list[i].Covers(id) {
				return &list[i]
			}
		}
	}
	for i := range list {
		if len(list[i].Regimes) == 0 {
			return &list[i]
		}
	}
	return nil
}

// Has reports whether the record file has the field at the dotted path
// (e.g. "assessment.rationale", "extra.review"), whatever its value.
func (d *Data) Has(path string) bool {
	_, ok := lookupPath(d.Fields, path)
	return ok
}

// IsIncident reports whether the record follows the incident lifecycle (an
// incident, or an event or weakness assessed to be one).
func (d *Data) IsIncident() bool { return d.Record.IsIncident() }

// Closed reports whether the record reached a terminal status.
func (d *Data) Closed() bool { return d.Record.Terminal() }

// ActionsOf returns the response actions of the given types (all with none),
// in record order.
func (d *Data) ActionsOf(types ...string) []record.Action {
	var out []record.Action
	for _, a := range d.Record.Actions {
		if len(types) == 0 || contains(types, a.Type) {
			out = append(out, a)
		}
	}
	return out
}

// NotificationsTo returns the notifications to the given parties (all with
// none), in record order.
func (d *Data) NotificationsTo(parties ...string) []record.Notification {
	var out []record.Notification
	for _, n := range d.Record.Notifications {
		if len(parties) == 0 || contains(parties, n.Party) {
			out = append(out, n)
		}
	}
	return out
}

// NotifiedNames lists who was notified among the given parties (all with
// none): each recipient's name, or its party when unnamed, once.
func (d *Data) NotifiedNames(parties ...string) []string {
	var out []string
	for _, n := range d.NotificationsTo(parties...) {
		name := oneLine(n.Name)
		if name == "" {
			name = n.Party
		}
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// OpenCorrectiveActions are the corrective actions not verified or waived.
func (d *Data) OpenCorrectiveActions() []record.CorrectiveAction {
	var out []record.CorrectiveAction
	for _, c := range d.Record.CorrectiveActions {
		if !c.Settled() {
			out = append(out, c)
		}
	}
	return out
}

// OverdueCorrectiveActions are the open corrective actions past their due
// date at the render time.
func (d *Data) OverdueCorrectiveActions() []record.CorrectiveAction {
	var out []record.CorrectiveAction
	for _, c := range d.OpenCorrectiveActions() {
		if c.Status != record.CADone && c.Due.IsSet() && d.Now.After(c.Due.End()) {
			out = append(out, c)
		}
	}
	return out
}

// PendingObligations are the obligations still to be met: open, overdue, or
// waiting for the time that starts their clock.
func (d *Data) PendingObligations() []regime.Status {
	var out []regime.Status
	for _, s := range d.Obligations {
		switch s.State {
		case regime.StateOpen, regime.StateOverdue, regime.StateMissingTrigger, regime.StateNoDeadline:
			out = append(out, s)
		}
	}
	return out
}

// RegimeOf returns the record's declaration of the first of the regime IDs
// it declares, or nil: .RegimeOf "gdpr-33" "uk-gdpr-33".
func (d *Data) RegimeOf(ids ...string) *record.Regime {
	for _, id := range ids {
		for i := range d.Record.Regimes {
			if d.Record.Regimes[i].ID == id {
				return &d.Record.Regimes[i]
			}
		}
	}
	return nil
}

// ObligationOf returns the evaluated obligation of the first of the IDs
// (obligation or regime IDs) the record has, or nil.
func (d *Data) ObligationOf(ids ...string) *regime.Status {
	for _, id := range ids {
		for i := range d.Obligations {
			if d.Obligations[i].Obligation.ID == id || d.Obligations[i].Regime == id {
				return &d.Obligations[i]
			}
		}
	}
	return nil
}

// AuthorityFor returns the supervisory authority for the first of the regime
// IDs that one lists (else one that lists none), or nil.
func (d *Data) AuthorityFor(regimes ...string) *config.Authority {
	return pickAuthority(d.Contacts.SupervisoryAuthorities, regimes)
}

// CSIRTFor is AuthorityFor over contacts.csirts.
func (d *Data) CSIRTFor(regimes ...string) *config.Authority {
	return pickAuthority(d.Contacts.CSIRTs, regimes)
}

// Participants is everyone named in the record's roles, responders, actions
// and drill participants, each once, in order of appearance.
func (d *Data) Participants() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	r := d.Record
	add(r.Roles.IncidentManager)
	add(r.Roles.SeniorSecurityLead)
	for _, p := range r.Roles.Responders {
		add(p)
	}
	add(r.Roles.Communications)
	add(r.Roles.Legal)
	for _, a := range r.Actions {
		add(a.By)
	}
	for _, p := range r.Drill.Participants {
		add(p)
	}
	return out
}

// TimelineEntry is one dated step of the record's history.
type TimelineEntry struct {
	At   record.Time
	By   string
	What string // e.g. "reported", "containment", "notified supervisory-authority"
	Text string
}

// Timeline merges the record's milestones (occurred, detected, reported,
// assessed, contained, recovered, closed), its actions and its notifications
// in time order; entries at the same instant keep that order.
func (d *Data) Timeline() []TimelineEntry {
	r := d.Record
	var out []TimelineEntry
	add := func(at record.Time, by, what, text string) {
		if at.IsSet() {
			out = append(out, TimelineEntry{At: at, By: by, What: what, Text: text})
		}
	}
	add(r.OccurredAt, "", "occurred", "")
	add(r.DetectedAt, "", "detected", "")
	add(r.Reported.At, r.Reported.By, "reported", oneLine(r.Title))
	if r.Assessment.At.IsSet() {
		verdict := "not an incident"
		if r.Assessment.IsIncident {
			verdict = "incident"
		}
		if r.Assessment.Severity != "" {
			verdict += ", " + r.Assessment.Severity
		}
		add(r.Assessment.At, r.Assessment.By, "assessed", verdict)
	}
	for _, a := range r.Actions {
		add(a.At, a.By, a.Type, a.Text)
	}
	for _, n := range r.Notifications {
		text := n.Name
		if n.Summary != "" {
			if text != "" {
				text += ": "
			}
			text += n.Summary
		}
		add(n.At, n.By, "notified "+n.Party, text)
	}
	add(r.ContainedAt, "", "contained", "")
	add(r.RecoveredAt, "", "recovered", "")
	add(r.Closed.At, r.Closed.By, r.Status, r.Closed.Reason)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Start().Before(out[j].At.Start()) })
	return out
}

// DecisionsNeeded lists what management or the Senior Security Lead still has
// to decide or do according to the procedure, derived from the record: the
// assessment, an Incident Manager, notification clocks, approval of a
// law-enforcement notification, whether to notify affected parties, overdue
// corrective actions.
func (d *Data) DecisionsNeeded() []string {
	r := d.Record
	var out []string
	when := func(t time.Time) string { return t.In(d.Zone).Format("2006-01-02 15:04 MST") }
	if !d.Has("assessment") {
		out = append(out, "Assess the report: is it an information-security incident? (A.16.1.4)")
	}
	if d.IsIncident() && d.Has("assessment") && r.Roles.IncidentManager == "" {
		out = append(out, "Appoint an Incident Manager.")
	}
	for _, s := range d.PendingObligations() {
		what := s.Obligation.Title
		if what == "" {
			what = "Notify " + strings.Join(s.Obligation.Parties, ", ")
		}
		switch s.State {
		case regime.StateOverdue:
			out = append(out, fmt.Sprintf("%s (%s): OVERDUE since %s.", what, s.Regime, when(s.Deadline)))
		case regime.StateOpen:
			out = append(out, fmt.Sprintf("%s (%s): due %s.", what, s.Regime, when(s.Deadline)))
		case regime.StateNoDeadline:
			out = append(out, fmt.Sprintf("%s (%s): without undue delay, or record why it does not apply.", what, s.Regime))
		case regime.StateMissingTrigger:
			out = append(out, fmt.Sprintf("%s (%s): record when the organisation became aware, so its clock can be counted.", what, s.Regime))
		}
	}
	if r.Affected.PersonalData.Involved && len(r.Regimes) == 0 {
		out = append(out, "Personal data is involved but no notification regime is declared: decide whether a data-breach notification (e.g. GDPR Art. 33) applies.")
	}
	for _, n := range r.Notifications {
		if n.Party == record.PartyLawEnforcement && n.ApprovedBy == "" {
			out = append(out, "Management approval of the notification to law enforcement ("+oneLine(n.Name)+") is not recorded.")
		}
	}
	if r.Assessment.ExternalImpact && r.Assessment.NoNotificationReason == "" &&
		len(d.NotificationsTo(record.PartyCustomers, record.PartyDataSubjects, record.PartyPartners)) == 0 {
		out = append(out, "The incident affects external parties: decide whether to notify customers, data subjects or partners, or record why not.")
	}
	for _, c := range d.OverdueCorrectiveActions() {
		out = append(out, fmt.Sprintf("Corrective action %s (%s) was due %s and is %s: extend, escalate or waive it.", c.ID, c.Owner, c.Due.Raw, c.Status))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// lookupPath finds a dotted path ("affected.personal_data.subjects_approx",
// "actions.0.text") in the JSON data model.
func lookupPath(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[part]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := parseIndex(part)
			if err != nil || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func parseIndex(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, fmt.Errorf("bad index %q", s)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("bad index %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n, nil
}
