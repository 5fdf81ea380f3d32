// Package regime computes regulatory notification deadlines from a record:
// a built-in, versioned rule set (GDPR, UK GDPR, NIS2, DORA, SEC Form 8-K
// Item 1.05, HIPAA, Australia NDB, Singapore PDPA, and CIRCIA as a disabled
// proposal), organisation-defined obligations from casefile.yaml, the clock
// arithmetic behind them, and the ISO/IEC 27001 2013 → 2022 mapping of the
// incident management controls.
//
// Nothing here reads the clock, the environment or the tz database: callers
// pass now and the organisation's *time.Location, and US Eastern time is
// built in (USEastern).
//
// # Regimes and obligations
//
// A record declares regimes, each with the times that start its clocks:
//
//	regimes:
//	  - {id: nis2, aware_at: 2026-03-02T10:00:00+01:00}
//	  - {id: dora, aware_at: 2026-03-02T08:00:00Z, classified_at: 2026-03-02T11:00:00Z}
//
// A declared regime brings one or more obligations:
//
//	regime       aliases              obligations
//	gdpr-33                           gdpr-33
//	gdpr-34                           gdpr-34 (without undue delay)
//	uk-gdpr-33   uk-gdpr              uk-gdpr-33
//	uk-gdpr-34                        uk-gdpr-34 (without undue delay)
//	nis2         nis2-23              nis2-23-early-warning, nis2-23-notification, nis2-23-final
//	dora         dora-19              dora-19-initial, dora-19-intermediate, dora-19-final
//	sec-8k       sec-8k-105, -1.05    sec-8k-105
//	hipaa                             hipaa-individuals, hipaa-hhs (500 or more), hipaa-hhs-annual (fewer)
//	hipaa-media                       hipaa-media (more than 500 residents of a State)
//	au-ndb                            au-ndb-assessment
//	sg-pdpa      sg-pdpa-26d          sg-pdpa-26d
//	us-circia    circia               us-circia (disabled: proposed rule)
//
// A notification satisfies an obligation when its regime is the
// obligation's regime (or an alias of it, or the obligation's own ID), its
// party is one of the obligation's parties, and its phase is the
// obligation's phase or a later one in the order early-warning < initial <
// intermediate < final (a combined report: NIS2 Art. 23(4)(b) "update[s]" the
// early warning; DORA Implementing Regulation 2025/302 Art. 2 allows combined
// submissions). A notification without a phase counts as initial; phase update
// never satisfies an obligation. The earliest matching notification is the
// submission. A date-only notification counts at the end of its day, and a
// date-only trigger at the start of its day, so partial dates never make a
// submission look earlier or a deadline later than it may have been.
//
// Parties: GDPR, UK GDPR, DORA, HIPAA HHS, PDPA and NDB notices go to
// supervisory-authority; NIS2 to csirt or supervisory-authority (CSIRT or
// competent authority); GDPR 34 and HIPAA individuals to data-subjects;
// HIPAA media to other; the SEC, which the party list has no name for, to
// supervisory-authority or other.
//
// # Deadlines
//
// A deadline is the last instant that is still on time; a submission at
// exactly the deadline is met. Periods that end "with the expiry of the last
// hour" of a day end at 23:59:59.999999999 local time, which RFC 3339 output
// shows as 23:59:59.
//
//   - Clock hours (Hours) are elapsed time, independent of zones and DST:
//     72 h from 2026-03-27T10:00+01:00 ends at 2026-03-30T11:00+02:00.
//     Regulation 1182/71 Art. 3(1) would leave out the hour in which the
//     event happens, adding up to 59 minutes; regulators (EDPB Guidelines
//     9/2022) count from the moment of awareness, and so does this package,
//     the earlier of the two readings.
//   - Calendar days (CalendarDays) leave out the day of the trigger and end
//     at the end of the Nth day after it in the organisation's zone:
//     1182/71 Art. 3(1) and 3(2)(b); HIPAA "60 calendar days after
//     discovery" (45 CFR 164.404(b)); NDB "within 30 days after" (Privacy Act
//     s 26WH(2), Acts Interpretation Act s 36); PDPA "3 calendar days after
//     the day" of the assessment (s 26D(1)). N×24 h was rejected: the texts
//     count days, not hours.
//   - Calendar months (CalendarMonths) follow 1182/71 Art. 3(2)(c): the
//     period ends with the last hour of the day of the last month with the
//     same date as the start day, or of the last day of that month if it has
//     none; 31 January + 1 month ends at the end of 28 (29) February, 30 April
//     at the end of 30 May. Days are the organisation's.
//   - Business days (BusinessDays) skip Saturdays, Sundays and the holidays
//     of a calendar. SEC: Form 8-K General Instruction B.1 ("within four
//     business days after occurrence of the event. If the event occurs on a
//     Saturday, Sunday or holiday on which the Commission is not open for
//     business, then the four business day period shall begin to run on, and
//     include, the first business day thereafter"): the determination day is
//     never counted and the deadline is the 4th business day after it. The
//     day is taken in US Eastern time, the Commission's, so the same instant
//     gives the same deadline wherever the organisation is. The deadline is
//     17:30 Eastern, not midnight: Regulation S-T Rule 13(a)(2) dates a
//     filing whose transmission commences after 5:30 p.m. Eastern on the next
//     business day (the 10 p.m. exception of 13(a)(4) is for Forms 3, 4, 5,
//     144 and Schedule 14N, not Form 8-K). Holidays are the federal holidays
//     of 5 U.S.C. 6103 computed for any year (USFederal), observed on the
//     Friday before a Saturday and the Monday after a Sunday; ad hoc closures
//     can be added.
//
// Regulation 1182/71 Art. 3(4) (a period in days or months ending on a
// Saturday, Sunday or public holiday runs to the end of the next working
// day) and the DORA relief for some entities (2025/301 Art. 5: noon of the
// next working day) depend on the Member State's holidays and the entity's
// type; they are not applied, so EU deadlines can be earlier than the law
// allows but never later.
//
// DORA initial notification: the earlier of 4 h after classified_at and 24 h
// after aware_at (2025/301 Art. 5(1)(a): "within four hours from the
// classification … and no later than 24 hours from the moment the financial
// entity has become aware"). A classification more than 20 h after awareness
// is therefore bound by the 24 h limit, and one after 24 h yields a deadline
// before the classification: record the late_reason. Intermediate: 72 h after
// the initial notification was submitted. Final: one month after the latest
// notification in phase intermediate (or the submission that satisfied the
// intermediate report, for a combined report). NIS2 final report: one month
// after the incident notification (phase initial) was submitted. Until the
// earlier submission exists, a chained obligation is pending.
//
// GDPR Art. 34 and UK GDPR Art. 34 have no number: the obligation is met by
// a communication, not applicable with a not_applicable_reason (Art. 34(3)),
// late-explained when the communication carries a late_reason, and reports
// "no-deadline" (Status.Due: "without undue delay") until then.
//
// HIPAA HHS notice: with the individual notices (60 days) when
// affected.personal_data.subjects_approx is 500 or more or unknown, otherwise
// within 60 days after the end of the calendar year (164.408(c)). Australia
// NDB: the assessment is completed by determined_at or by a notification to
// the OAIC (supervisory-authority).
//
// Effective dates: each rule has EffectiveFrom (00:00 UTC of the day it
// applied: GDPR 2018-05-25, UK GDPR 2020-12-31T23:00Z, NIS2 2024-10-18, DORA
// 2025-01-17, SEC 8-K 1.05 2023-12-18, HIPAA 2009-09-23, NDB 2018-02-22, PDPA
// 2021-02-01) and optionally EffectiveUntil, so a changed rule is added as a
// new version with the same ID. An obligation whose earliest trigger is
// before EffectiveFrom is reported as not in force, and so are the
// obligations chained to it.
//
// # Organisation-defined obligations
//
// casefile.yaml can add obligations, in their own regime or in a built-in
// one. The shape ParseCustom expects (decode the list into []map[string]any):
//
//	obligations:
//	  - id: acme-msa-notice              # required, unique, [a-z0-9][a-z0-9._-]*
//	    regime: acme-msa                 # required: the ID records declare
//	    description: Tell Acme within 48 hours (MSA §12.3)
//	    trigger: aware_at                # aware_at | classified_at | determined_at
//	    within: 48h                      # Nh | Nd | Nbd | Nmo | without undue delay
//	    party: customers                 # a notification party, or a list of them
//	    phase: initial                   # optional: early-warning | initial | intermediate | final
//	    effective_from: 2025-07-01       # optional date or RFC 3339 timestamp
//	    effective_until: 2027-07-01      # optional
//	    source: Acme MSA §12.3           # optional citation
//	  - id: acme-msa-report
//	    regime: acme-msa
//	    after: acme-msa-notice           # instead of trigger: another obligation's submission
//	    latest: false                    # optional, with after: its latest submission in its phase
//	    within: 5bd
//	    calendar: us-federal             # business days only: us-federal | weekends (default)
//	    cutoff: "17:00"                  # business days only: the last day ends at this local time
//	    party: [customers]
//	    phase: final
//
// Hours are clock hours; days, business days and months count in the
// organisation's time zone. Unknown keys and wrong types are errors that name
// the entry ("obligation 2 (acme-msa-report): within: …").
package regime
