package lint

import (
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/validate"
)

// Severity of a finding.
type Severity string

// Severities: an error fails lint; a warning fails it only with --strict.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Rule is one check lint runs, identified by a stable ID.
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Doc      string   `json:"doc"`
}

// Rule IDs of the semantic rules (loader and schema rule IDs come from
// packages record and validate).
const (
	RuleSymlink             = "file-symlink"
	RuleConfig              = "config"
	RuleIDFilename          = "id-filename"
	RuleIDUnique            = "id-unique"
	RuleIDFormat            = "id-format"
	RuleIDYear              = "id-year"
	RuleItemIDUnique        = "item-id-unique"
	RuleTimeOrder           = "time-order"
	RuleTimeFuture          = "time-future"
	RuleStatusKind          = "status-kind"
	RuleStatusFields        = "status-fields"
	RuleAssessment          = "assessment-required"
	RuleIncidentFields      = "incident-classification"
	RuleCategory            = "category-unknown"
	RuleSeverity            = "severity-unknown"
	RuleIncidentManager     = "incident-manager"
	RuleContainment         = "containment-action"
	RuleClosureRootCause    = "closure-root-cause"
	RuleClosureLessons      = "closure-lessons"
	RuleClosureCA           = "closure-corrective-actions"
	RuleCAState             = "corrective-action-state"
	RuleCAOverdue           = "corrective-action-overdue"
	RuleEvidenceIntegrity   = "evidence-integrity"
	RuleEvidencePath        = "evidence-path"
	RuleLawEnforcement      = "law-enforcement-approval"
	RuleExternalNotice      = "external-notification"
	RuleDrillHeld           = "drill-held"
	RuleRegimeUnknown       = "regime-unknown"
	RuleRegimeTrigger       = "regime-trigger"
	RuleNotificationOverdue = "notification-overdue"
	RuleNotificationLate    = "notification-late"
)

// Rules lists every rule lint can report, in the order `lint --rules`
// prints them.
var Rules = []Rule{
	{record.RuleSyntax, Error, "the file is not valid YAML"},
	{record.RuleAlias, Error, "YAML anchors, aliases and merge keys are not allowed (they hide content and enable alias bombs)"},
	{record.RuleDuplicate, Error, "a mapping has the same key twice"},
	{record.RuleMultiDoc, Error, "a record file holds exactly one YAML document"},
	{record.RuleDepth, Error, "nesting is deeper than any record needs"},
	{record.RuleTag, Error, "custom YAML tags are not allowed"},
	{record.RuleNotMap, Error, "a record is a YAML mapping of field names to values"},
	{record.RuleEncoding, Error, "the file is UTF-8 text without control characters or NUL bytes"},
	{record.RuleTooLarge, Error, "the file is larger than a record may be"},
	{record.RuleBOM, Warning, "the file starts with a byte-order mark"},
	{record.RuleCRLF, Warning, "the file uses CRLF line ends"},
	{RuleSymlink, Error, "a record is a regular file, not a symbolic link"},
	{RuleConfig, Error, "casefile.yaml is valid against the config schema"},
	{validate.RuleSchema, Error, "the record is valid against the record schema (casefile schema record)"},
	{RuleIDFilename, Error, "the file name is the record ID followed by .yaml"},
	{RuleIDUnique, Error, "no two records share an ID"},
	{RuleIDFormat, Error, "the ID is <PREFIX>-<YEAR>-<SEQ> with the prefix configured for the record's kind"},
	{RuleIDYear, Warning, "the year in the ID is the year the record was reported"},
	{RuleItemIDUnique, Error, "evidence, corrective action and drill finding IDs are unique within a record"},
	{RuleTimeOrder, Error, "occurred <= detected <= reported <= assessed <= closed, and detected <= contained <= recovered <= closed"},
	{RuleTimeFuture, Error, "no timestamp lies in the future"},
	{RuleStatusKind, Error, "the status belongs to the record's lifecycle (event/weakness, incident or drill)"},
	{RuleStatusFields, Error, "the status has the fields it implies: contained_at, recovered_at, closed"},
	{RuleAssessment, Error, "every record past reported has an assessment with decider and time (one rejected outright has closed.by and closed.reason instead)"},
	{RuleIncidentFields, Error, "an assessed incident has a category, a severity and the CIA impact"},
	{RuleCategory, Error, "the category is <class>/<type> from the configured taxonomy"},
	{RuleSeverity, Error, "the severity is a level of the configured scale"},
	{RuleIncidentManager, Error, "an assessed incident has an Incident Manager"},
	{RuleContainment, Error, "an incident marked contained (or later) has a containment action"},
	{RuleClosureRootCause, Error, "a closed incident has a root cause"},
	{RuleClosureLessons, Error, "a closed incident has lessons learned"},
	{RuleClosureCA, Error, "a closed incident has every corrective action verified effective or waived"},
	{RuleCAState, Error, "a verified corrective action records its verification, a waived one its waiver"},
	{RuleCAOverdue, Warning, "an open corrective action is past its due date"},
	{RuleEvidenceIntegrity, Error, "every evidence item has a sha256 digest and a collector"},
	{RuleEvidencePath, Error, "an evidence path stays inside the repository's evidence/ folder"},
	{RuleLawEnforcement, Error, "a notification to law enforcement records management's approval (who, and when: before it was sent)"},
	{RuleExternalNotice, Error, "an incident with external impact notifies the affected parties or records why not"},
	{RuleDrillHeld, Error, "a drill that was held records when and who took part"},
	{RuleRegimeUnknown, Error, "a declared regime is in the rule set (built-in or casefile.yaml obligations)"},
	{RuleRegimeTrigger, Error, "a declared regime has the trigger time its clock starts from (aware_at, classified_at, determined_at)"},
	{RuleNotificationOverdue, Error, "no notification obligation is past its deadline without a submission"},
	{RuleNotificationLate, Error, "a notification submitted after its deadline records the reason (late_reason)"},
}

var ruleByID = func() map[string]Rule {
	m := make(map[string]Rule, len(Rules))
	for _, r := range Rules {
		m[r.ID] = r
	}
	return m
}()

// RuleFor returns the rule with the given ID.
func RuleFor(id string) (Rule, bool) {
	r, ok := ruleByID[id]
	return r, ok
}
