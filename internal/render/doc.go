// Package render turns one record into a document through a template: the
// incident report, the management briefing, the supervisory-authority
// notification (GDPR Art. 33(3)), the data-subject (Art. 34) and customer
// notices, the law-enforcement referral, the post-incident review form and
// the drill report. casefile render and casefile templates are its
// commands; casefile new takes its record skeletons from the same library.
//
// # Where templates come from
//
// The built-in templates live in casefile's templates/comms folder (package
// templates). A records repository overrides or adds templates with files
// under its own templates/ folder, at the repository root:
//
//	templates/comms/NAME.md.tmpl         Markdown, Go text/template
//	templates/comms/NAME.html.tmpl       HTML, Go html/template (every value is escaped for its context)
//	templates/comms/_common.md.tmpl      {{define}} blocks parsed with every Markdown template
//	templates/comms/_common.html.tmpl    the same for HTML
//	templates/records/KIND.yaml          the skeleton casefile new starts a KIND record from
//
// A repository file replaces the built-in file of the same name and format
// only; the other format keeps the built-in one. NAME is lowercase letters,
// digits and single hyphens. Template files must be regular files of at
// most 1 MiB: a symbolic link anywhere on the path (the file, templates/comms,
// templates) is refused, never followed, and never silently skipped in
// favour of the built-in file. The first comment of a template,
// {{/* … */}}, is its description in casefile templates list. Template
// errors name the file and line as Go reports them:
// "template: templates/comms/briefing.md.tmpl:12:5: …".
//
// Markdown output is tidied: runs of blank lines collapse into one and
// trailing spaces are removed, so templates need not count newlines.
//
// # The data model
//
// Dot is a *Data:
//
//	.Record        the typed record (record.Record); optional blocks are never nil
//	.Fields        the record as JSON data (every field, including extra: and source:)
//	.Path          records/2026/INC-2026-0007.yaml
//	.Organisation  casefile.yaml organisation (name, timezone)
//	.Roles         casefile.yaml roles (senior_security_lead, incident_managers, management)
//	.Contacts      casefile.yaml contacts: .SeniorSecurityLead .DPO .SupervisoryAuthorities
//	               .CSIRTs .LawEnforcement .Insurer .LegalCounsel .Other
//	.Authority     the supervisory authority for the record's declared regimes, or nil
//	.Severity      the record's level of the severity scale (ID, Name, Criteria), or nil
//	.Category      .ID .Class .Type .Description from the taxonomy
//	.Obligations   notification clocks of the declared regimes at the render time (regime.Status)
//	.Times         .DetectionDelay (occurred→detected) .ReportingDelay (detected→reported)
//	               .AssessmentDelay (reported→assessed) .TimeToContain (detected→contained)
//	               .TimeToRecover (detected→recovered) .Exposure (occurred→contained)
//	               .TimeToClose (reported→closed) .Age (reported→now); each a Span
//	               that prints "2h 52m", or [MISSING: field] when an end is missing
//	.Now .Zone     the render time and the zone dates are shown in
//	.Commit        .Hash, .Short: the commit the record was read from
//	.Generator     "casefile v1.2.3"
//	.Template .Format  the template name and md or html
//
// and methods: .Has "path", .IsIncident, .Closed, .ActionsOf "containment" …,
// .NotificationsTo "customers" …, .NotifiedNames "supervisory-authority" …,
// .OpenCorrectiveActions, .OverdueCorrectiveActions, .PendingObligations,
// .RegimeOf "gdpr-33" …, .ObligationOf "gdpr-33" …, .AuthorityFor "gdpr-33" …,
// .CSIRTFor "nis2" …, .Participants, .Timeline (milestones, actions and
// notifications in time order) and .DecisionsNeeded (what the procedure
// still asks of management, derived from the record).
//
// Built-in templates read a few optional keys of a record's extra: block
// when present: extra.public_summary (plain-language text for outsiders,
// used by the data-subject and customer notices instead of the
// description), extra.likely_consequences (Art. 33(3)(c) / 34(2)), extra.advice
// (what recipients of a notice should do), and extra.review.held_at,
// .participants, .worked and .did_not_work (the post-incident review).
//
// # Helpers
//
//	need VALUE "field.path"   VALUE, or the marker [MISSING: field.path] when VALUE is empty
//	missing "field.path"      the marker itself
//	field "extra.advice"      a dotted path of the record's JSON data, or its marker
//	has "assessment"          whether the record file has the field
//	empty VALUE               whether VALUE counts as missing
//	default DEFAULT VALUE     VALUE, or DEFAULT when empty
//	date LAYOUT TIME          a record time, time.Time or RFC 3339 text in the zone
//	                          (partial dates print as written): date "2006-01-02 15:04 MST"
//	duration SPAN|DURATION    "52m", "2h 52m", "3d 4h", "77d"
//	between FROM TO           the Span between two times
//	join SEP LIST             the non-blank items joined
//	plural N ONE MANY         "1 record", "58,400 records" (N may be a list)
//	number N                  58,400
//	money COST                EUR 38,600
//	contact CONTACT           a contact, authority or insurer on one line
//	upper lower oneline trim  text; cell escapes text for a Markdown table cell
//	indent N TEXT             indents the lines after the first (Markdown list items)
//	lines TEXT, paragraphs TEXT, items VALUE   lists to range over
//	list A B …, add A B
//
// "Empty" is nil, blank text, an empty list, zero, an unset time or Span, a
// nil pointer or a struct with only zero fields; false is data. Every helper
// passes a marker through, so a pipeline such as
// {{ need .Record.DetectedAt "detected_at" | date "2006-01-02 15:04 MST" }}
// prints the marker, never an empty sentence. Markers returns the markers
// of a rendered document; casefile render --strict refuses a document that
// has any.
package render
