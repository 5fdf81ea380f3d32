// Package record is the casefile record model: the typed Record, the loader
// that turns a YAML file into both the typed model and the JSON data model the
// schema validator needs (keeping line and column of every node), and the
// canonical writer.
package record

// Kinds of record.
const (
	KindEvent    = "event"
	KindWeakness = "weakness"
	KindIncident = "incident"
	KindDrill    = "drill"
)

// Kinds lists every kind in the order reports show them.
var Kinds = []string{KindEvent, KindWeakness, KindIncident, KindDrill}

// Statuses of the record lifecycle.
const (
	StatusPlanned    = "planned"
	StatusHeld       = "held"
	StatusReported   = "reported"
	StatusAssessed   = "assessed"
	StatusResponding = "responding"
	StatusContained  = "contained"
	StatusRecovered  = "recovered"
	StatusClosed     = "closed"
	StatusResolved   = "resolved"
	StatusRejected   = "rejected"
)

// Record is the typed model of one record file. Field names follow the YAML
// keys; the JSON Schema in package schema is the contract.
type Record struct {
	SchemaVersion     int                `yaml:"schema_version"`
	ID                string             `yaml:"id"`
	Kind              string             `yaml:"kind"`
	Title             string             `yaml:"title"`
	Status            string             `yaml:"status"`
	TLP               string             `yaml:"tlp,omitempty"`
	Reported          Report             `yaml:"reported"`
	OccurredAt        Time               `yaml:"occurred_at,omitempty"`
	DetectedAt        Time               `yaml:"detected_at,omitempty"`
	ContainedAt       Time               `yaml:"contained_at,omitempty"`
	RecoveredAt       Time               `yaml:"recovered_at,omitempty"`
	Description       string             `yaml:"description,omitempty"`
	Affected          Affected           `yaml:"affected,omitempty"`
	Assessment        *Assessment        `yaml:"assessment,omitempty"`
	Roles             Roles              `yaml:"roles,omitempty"`
	Regimes           []Regime           `yaml:"regimes,omitempty"`
	Notifications     []Notification     `yaml:"notifications,omitempty"`
	Actions           []Action           `yaml:"actions,omitempty"`
	Evidence          []Evidence         `yaml:"evidence,omitempty"`
	RootCause         *RootCause         `yaml:"root_cause,omitempty"`
	CorrectiveActions []CorrectiveAction `yaml:"corrective_actions,omitempty"`
	Lessons           string             `yaml:"lessons,omitempty"`
	Cost              *Cost              `yaml:"cost,omitempty"`
	Drill             *Drill             `yaml:"drill,omitempty"`
	Closed            *Closure           `yaml:"closed,omitempty"`
	Related           []string           `yaml:"related,omitempty"`
	Tags              []string           `yaml:"tags,omitempty"`
}

// Report is the reported: block, the report as received.
type Report struct {
	At      Time   `yaml:"at"`
	By      string `yaml:"by"`
	Channel string `yaml:"channel,omitempty"`
	Contact string `yaml:"contact,omitempty"`
}

// Affected lists what the event touched.
type Affected struct {
	Facilities   []string      `yaml:"facilities,omitempty"`
	Systems      []string      `yaml:"systems,omitempty"`
	Processes    []string      `yaml:"processes,omitempty"`
	Assets       []string      `yaml:"assets,omitempty"`
	Parties      []string      `yaml:"parties,omitempty"`
	PersonalData *PersonalData `yaml:"personal_data,omitempty"`
}

// PersonalData describes personal data involved in a breach.
type PersonalData struct {
	Involved          bool     `yaml:"involved"`
	DataCategories    []string `yaml:"data_categories,omitempty"`
	SubjectCategories []string `yaml:"subject_categories,omitempty"`
	SubjectsApprox    int64    `yaml:"subjects_approx,omitempty"`
	RecordsApprox     int64    `yaml:"records_approx,omitempty"`
}

// Assessment is the decision whether a report is an incident (A.16.1.4).
type Assessment struct {
	At                   Time     `yaml:"at"`
	By                   string   `yaml:"by"`
	IsIncident           bool     `yaml:"is_incident"`
	Rationale            string   `yaml:"rationale,omitempty"`
	CIA                  []string `yaml:"cia,omitempty"`
	Category             string   `yaml:"category,omitempty"`
	Severity             string   `yaml:"severity,omitempty"`
	ExternalImpact       bool     `yaml:"external_impact,omitempty"`
	NoNotificationReason string   `yaml:"no_notification_reason,omitempty"`
	ImmediateActions     string   `yaml:"immediate_actions,omitempty"`
}

// Roles names the people handling a record.
type Roles struct {
	IncidentManager    string   `yaml:"incident_manager,omitempty"`
	SeniorSecurityLead string   `yaml:"senior_security_lead,omitempty"`
	Responders         []string `yaml:"responders,omitempty"`
	Communications     string   `yaml:"communications,omitempty"`
	Legal              string   `yaml:"legal,omitempty"`
}

// Regime is a notification obligation that applies to a record.
type Regime struct {
	ID                  string `yaml:"id"`
	AwareAt             Time   `yaml:"aware_at,omitempty"`
	ClassifiedAt        Time   `yaml:"classified_at,omitempty"`
	DeterminedAt        Time   `yaml:"determined_at,omitempty"`
	NotApplicableReason string `yaml:"not_applicable_reason,omitempty"`
	Note                string `yaml:"note,omitempty"`
}

// Notification parties the lint rules treat specially.
const (
	PartyLawEnforcement = "law-enforcement"
	PartyDataSubjects   = "data-subjects"
	PartyCustomers      = "customers"
	PartyPartners       = "partners"
)

// Notification records that a party was told.
type Notification struct {
	Party      string `yaml:"party"`
	Name       string `yaml:"name,omitempty"`
	Regime     string `yaml:"regime,omitempty"`
	Phase      string `yaml:"phase,omitempty"`
	At         Time   `yaml:"at"`
	By         string `yaml:"by,omitempty"`
	Channel    string `yaml:"channel,omitempty"`
	Reference  string `yaml:"reference,omitempty"`
	Summary    string `yaml:"summary,omitempty"`
	ApprovedBy string `yaml:"approved_by,omitempty"`
	ApprovedAt Time   `yaml:"approved_at,omitempty"`
	LateReason string `yaml:"late_reason,omitempty"`
}

// Action types of the response timeline.
const (
	ActionContainment = "containment"
)

// Action is one entry of the response activity log.
type Action struct {
	At   Time   `yaml:"at"`
	By   string `yaml:"by"`
	Type string `yaml:"type"`
	Text string `yaml:"text"`
}

// Evidence is one item of collected evidence with its chain of custody.
type Evidence struct {
	ID          string     `yaml:"id"`
	Description string     `yaml:"description"`
	Path        string     `yaml:"path,omitempty"`
	Location    string     `yaml:"location,omitempty"`
	SHA256      string     `yaml:"sha256,omitempty"`
	Size        int64      `yaml:"size,omitempty"`
	Collected   *Collected `yaml:"collected,omitempty"`
	Custody     []Transfer `yaml:"custody,omitempty"`
}

// Collected says who collected evidence, when and how.
type Collected struct {
	At  Time   `yaml:"at"`
	By  string `yaml:"by"`
	How string `yaml:"how,omitempty"`
}

// Transfer is one hand-over of evidence.
type Transfer struct {
	At      Time   `yaml:"at"`
	From    string `yaml:"from"`
	To      string `yaml:"to"`
	Purpose string `yaml:"purpose,omitempty"`
}

// RootCause is the outcome of the root-cause analysis.
type RootCause struct {
	Factors  []string `yaml:"factors,omitempty"`
	Analysis string   `yaml:"analysis,omitempty"`
	Method   string   `yaml:"method,omitempty"`
}

// Corrective action statuses.
const (
	CAOpen       = "open"
	CAInProgress = "in-progress"
	CADone       = "done"
	CAVerified   = "verified"
	CAWaived     = "waived"
)

// CorrectiveAction is a corrective or preventive action (or a drill follow-up).
type CorrectiveAction struct {
	ID       string        `yaml:"id"`
	Type     string        `yaml:"type,omitempty"`
	Text     string        `yaml:"text"`
	Owner    string        `yaml:"owner"`
	Due      Time          `yaml:"due,omitempty"`
	Status   string        `yaml:"status"`
	DoneAt   Time          `yaml:"done_at,omitempty"`
	Verified *Verification `yaml:"verified,omitempty"`
	Waived   *Waiver       `yaml:"waived,omitempty"`
}

// Settled reports whether the action needs no more work: verified effective,
// or waived.
func (c CorrectiveAction) Settled() bool {
	return c.Status == CAVerified || c.Status == CAWaived
}

// Verification records that a corrective action was effective.
type Verification struct {
	At  Time   `yaml:"at"`
	By  string `yaml:"by"`
	How string `yaml:"how"`
}

// Waiver records why a corrective action will not be done.
type Waiver struct {
	At     Time   `yaml:"at"`
	By     string `yaml:"by"`
	Reason string `yaml:"reason"`
}

// Cost is the total cost of handling a record.
type Cost struct {
	Amount   float64 `yaml:"amount"`
	Currency string  `yaml:"currency"`
	Note     string  `yaml:"note,omitempty"`
}

// Drill describes an incident-response exercise.
type Drill struct {
	Scenario     string    `yaml:"scenario"`
	Format       string    `yaml:"format,omitempty"`
	ScheduledAt  Time      `yaml:"scheduled_at,omitempty"`
	HeldAt       Time      `yaml:"held_at,omitempty"`
	Participants []string  `yaml:"participants,omitempty"`
	Objectives   []string  `yaml:"objectives,omitempty"`
	Findings     []Finding `yaml:"findings,omitempty"`
}

// Finding is one finding of a drill.
type Finding struct {
	ID       string `yaml:"id"`
	Text     string `yaml:"text"`
	Severity string `yaml:"severity,omitempty"`
}

// Closure records when and why a record reached a terminal status.
type Closure struct {
	At     Time   `yaml:"at"`
	By     string `yaml:"by"`
	Reason string `yaml:"reason,omitempty"`
}

// IsIncident reports whether the record follows the incident lifecycle: it
// was reported as an incident and not assessed otherwise, or an event or
// weakness was assessed to be one.
func (r *Record) IsIncident() bool {
	if r.Assessment != nil {
		return r.Assessment.IsIncident
	}
	return r.Kind == KindIncident
}

// Terminal reports whether the status ends the lifecycle.
func (r *Record) Terminal() bool {
	switch r.Status {
	case StatusClosed, StatusResolved, StatusRejected:
		return true
	}
	return false
}

// Open reports whether the record still needs work.
func (r *Record) Open() bool { return !r.Terminal() }

// Severity returns the assessed severity, or "" before assessment.
func (r *Record) Severity() string {
	if r.Assessment == nil {
		return ""
	}
	return r.Assessment.Severity
}

// Category returns the assessed category, or "" before assessment.
func (r *Record) Category() string {
	if r.Assessment == nil {
		return ""
	}
	return r.Assessment.Category
}
