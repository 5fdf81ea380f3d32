package regime

import (
	"fmt"
	"sync"
	"time"

	"github.com/casefile/casefile/internal/record"
)

// BuiltinVersion identifies the built-in rule set. Change it whenever a rule
// changes, so a report can say which rules it applied.
const BuiltinVersion = "2026.1"

// Builtin returns the built-in rule set. It is shared and immutable.
func Builtin() *RuleSet { return builtin() }

var builtin = sync.OnceValue(func() *RuleSet {
	rs, err := NewRuleSet(BuiltinVersion, builtinAliases, builtinObligations())
	if err != nil {
		panic("regime: built-in rules: " + err.Error())
	}
	return rs
})

// builtinAliases lets records use the article-style IDs already found in
// existing logs (nis2-23) as well as the short regime names.
var builtinAliases = map[string]string{
	"uk-gdpr":     "uk-gdpr-33",
	"nis2-23":     "nis2",
	"dora-19":     "dora",
	"sec-8k-105":  "sec-8k",
	"sec-8k-1.05": "sec-8k",
	"sg-pdpa-26d": "sg-pdpa",
	"circia":      "us-circia",
}

// hipaaLargeBreach is the 500-individual threshold of 45 CFR 164.408(b).
const hipaaLargeBreach = 500

func dateUTC(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func on(field string, c Clock) []Leg { return []Leg{{Trigger: Trigger{Field: field}, Clock: c}} }

func builtinObligations() []Obligation {
	gdpr := dateUTC(2018, time.May, 25)
	// IP completion day: the UK GDPR replaced the EU GDPR at 23:00 GMT on
	// 31 December 2020.
	ukGDPR := time.Date(2020, time.December, 31, 23, 0, 0, 0, time.UTC)
	nis2 := dateUTC(2024, time.October, 18)
	dora := dateUTC(2025, time.January, 17)
	hipaa := dateUTC(2009, time.September, 23)
	return []Obligation{
		{
			ID: "gdpr-33", Regime: "gdpr-33",
			Title:   "Notify the supervisory authority of a personal data breach",
			Legs:    on(FieldAwareAt, Hours(72)),
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: gdpr,
			Source:        "Regulation (EU) 2016/679 Art. 33(1) and (4); EDPB Guidelines 9/2022 on personal data breach notification",
			Note:          "72 clock hours from the instant of awareness; information may follow in phases (update notifications); a late notice states its reasons (late_reason)",
		},
		{
			ID: "gdpr-34", Regime: "gdpr-34",
			Title:   "Communicate a high-risk personal data breach to the data subjects",
			Legs:    on(FieldAwareAt, nil),
			Parties: []string{partyDataSubjects}, Phase: PhaseInitial,
			EffectiveFrom: gdpr,
			Source:        "Regulation (EU) 2016/679 Art. 34(1); exemptions Art. 34(3)",
			Note:          "without undue delay: satisfied by a communication, or not applicable with a recorded reason (Art. 34(3))",
		},
		{
			ID: "uk-gdpr-33", Regime: "uk-gdpr-33",
			Title:   "Notify the ICO of a personal data breach",
			Legs:    on(FieldAwareAt, Hours(72)),
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: ukGDPR,
			Source:        "UK GDPR Art. 33(1) (Regulation (EU) 2016/679 as retained by the European Union (Withdrawal) Act 2018)",
		},
		{
			ID: "uk-gdpr-34", Regime: "uk-gdpr-34",
			Title:   "Communicate a high-risk personal data breach to the data subjects (UK)",
			Legs:    on(FieldAwareAt, nil),
			Parties: []string{partyDataSubjects}, Phase: PhaseInitial,
			EffectiveFrom: ukGDPR,
			Source:        "UK GDPR Art. 34(1); exemptions Art. 34(3)",
		},
		{
			ID: "nis2-23-early-warning", Regime: "nis2",
			Title:   "Send the CSIRT or competent authority an early warning of a significant incident",
			Legs:    on(FieldAwareAt, Hours(24)),
			Parties: []string{partyCSIRT, partySupervisory}, Phase: PhaseEarlyWarning,
			EffectiveFrom: nis2,
			Source:        "Directive (EU) 2022/2555 Art. 23(4)(a)",
			Note:          "in force from the date Member States apply NIS2 (Art. 41(1)); a national law that started later needs a custom obligation",
		},
		{
			ID: "nis2-23-notification", Regime: "nis2",
			Title:   "Submit the incident notification with an initial assessment",
			Legs:    on(FieldAwareAt, Hours(72)),
			Parties: []string{partyCSIRT, partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: nis2,
			Source:        "Directive (EU) 2022/2555 Art. 23(4)(b)",
			Note:          "recorded as phase initial; trust service providers have 24 h (declare a custom obligation)",
		},
		{
			ID: "nis2-23-final", Regime: "nis2",
			Title:   "Submit the final report",
			Legs:    []Leg{{Trigger: Trigger{After: "nis2-23-notification"}, Clock: CalendarMonths{N: 1}}},
			Parties: []string{partyCSIRT, partySupervisory}, Phase: PhaseFinal,
			EffectiveFrom: nis2,
			Source:        "Directive (EU) 2022/2555 Art. 23(4)(d); Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c)",
			Note:          "one calendar month after the incident notification was submitted; a progress report (Art. 23(4)(e)) is recorded as phase update",
		},
		{
			ID: "dora-19-initial", Regime: "dora",
			Title: "Submit the initial notification of a major ICT-related incident",
			Legs: []Leg{
				{Trigger: Trigger{Field: FieldClassifiedAt}, Clock: Hours(4)},
				{Trigger: Trigger{Field: FieldAwareAt}, Clock: Hours(24)},
			},
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: dora,
			Source:        "Regulation (EU) 2022/2554 Art. 19(4)(a); Delegated Regulation (EU) 2025/301 Art. 5(1)(a)",
			Note:          "the earlier of 4 h after classification as major and 24 h after awareness; the weekend and holiday relief for some entities (noon of the next working day) is not applied",
		},
		{
			ID: "dora-19-intermediate", Regime: "dora",
			Title:   "Submit the intermediate report",
			Legs:    []Leg{{Trigger: Trigger{After: "dora-19-initial"}, Clock: Hours(72)}},
			Parties: []string{partySupervisory}, Phase: PhaseIntermediate,
			EffectiveFrom: dora,
			Source:        "Regulation (EU) 2022/2554 Art. 19(4)(b); Delegated Regulation (EU) 2025/301 Art. 5(1)(b)",
			Note:          "72 h after the initial notification was submitted; a combined report (Implementing Regulation (EU) 2025/302 Art. 2) in a later phase satisfies it",
		},
		{
			ID: "dora-19-final", Regime: "dora",
			Title:   "Submit the final report",
			Legs:    []Leg{{Trigger: Trigger{After: "dora-19-intermediate", Latest: true}, Clock: CalendarMonths{N: 1}}},
			Parties: []string{partySupervisory}, Phase: PhaseFinal,
			EffectiveFrom: dora,
			Source:        "Regulation (EU) 2022/2554 Art. 19(4)(c); Delegated Regulation (EU) 2025/301 Art. 5(1)(c); Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c)",
			Note:          "one calendar month after the latest intermediate report was submitted",
		},
		{
			ID: "sec-8k-105", Regime: "sec-8k",
			Title: "File Form 8-K Item 1.05 on a material cybersecurity incident",
			Legs: on(FieldDeterminedAt, BusinessDays{
				N: 4, Calendar: USFederal{}, Loc: USEastern(), Cutoff: 17*time.Hour + 30*time.Minute,
			}),
			Parties: []string{partySupervisory, partyOther}, Phase: PhaseInitial,
			EffectiveFrom: dateUTC(2023, time.December, 18),
			Source:        "Form 8-K Item 1.05 and General Instruction B.1; Regulation S-T Rule 13(a)(2), 17 CFR 232.13; Release No. 33-11216",
			Note:          "4 US business days after the day of the materiality determination, days counted in Eastern time; due by 5:30 p.m. Eastern, after which EDGAR dates a filing the next business day; smaller reporting companies from 2024-06-15",
		},
		{
			ID: "hipaa-individuals", Regime: "hipaa",
			Title:   "Notify the affected individuals of a breach of unsecured PHI",
			Legs:    on(FieldAwareAt, CalendarDays{N: 60}),
			Parties: []string{partyDataSubjects}, Phase: PhaseInitial,
			EffectiveFrom: hipaa,
			Source:        "45 CFR 164.404(b)",
			Note:          "aware_at is the date of discovery (164.404(a)(2)); due at the end of the 60th calendar day after it",
		},
		{
			ID: "hipaa-hhs", Regime: "hipaa",
			Title:   "Notify HHS of a breach affecting 500 or more individuals",
			Legs:    on(FieldAwareAt, CalendarDays{N: 60}),
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: hipaa,
			Applies: func(r *record.Record) (bool, string) {
				if n := subjects(r); n > 0 && n < hipaaLargeBreach {
					return false, fmt.Sprintf("%d individuals: fewer than 500, reported in the annual log (hipaa-hhs-annual)", n)
				}
				return true, ""
			},
			Source: "45 CFR 164.408(b)",
			Note:   "contemporaneously with the individual notices; applies when affected.personal_data.subjects_approx is 500 or more, or unknown",
		},
		{
			ID: "hipaa-hhs-annual", Regime: "hipaa",
			Title:   "Report a breach affecting fewer than 500 individuals to HHS in the annual log",
			Legs:    on(FieldAwareAt, DaysAfterYearEnd{N: 60}),
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: hipaa,
			Applies: func(r *record.Record) (bool, string) {
				if n := subjects(r); n > 0 && n < hipaaLargeBreach {
					return true, ""
				}
				return false, "500 or more individuals, or the number is unknown: HHS is notified with the individuals (hipaa-hhs)"
			},
			Source: "45 CFR 164.408(c)",
		},
		{
			ID: "hipaa-media", Regime: "hipaa-media",
			Title:   "Notify prominent media outlets of a breach affecting more than 500 residents of a State",
			Legs:    on(FieldAwareAt, CalendarDays{N: 60}),
			Parties: []string{partyOther}, Phase: PhaseInitial,
			EffectiveFrom: hipaa,
			Source:        "45 CFR 164.406",
			Note:          "declared as its own regime because the per-State count is not in the record",
		},
		{
			ID: "au-ndb-assessment", Regime: "au-ndb",
			Title:       "Complete the assessment of a suspected eligible data breach",
			Legs:        on(FieldAwareAt, CalendarDays{N: 30}),
			Parties:     []string{partySupervisory},
			CompletedBy: FieldDeterminedAt,
			// Part IIIC of the Privacy Act 1988 commenced on 22 February 2018.
			EffectiveFrom: dateUTC(2018, time.February, 22),
			Source:        "Privacy Act 1988 (Cth) s 26WH(2); Acts Interpretation Act 1901 s 36",
			Note:          "aware_at is when the entity became aware of reasonable grounds to suspect; completed by determined_at or by a statement to the OAIC",
		},
		{
			ID: "sg-pdpa-26d", Regime: "sg-pdpa",
			Title:   "Notify the PDPC of a notifiable data breach",
			Legs:    on(FieldDeterminedAt, CalendarDays{N: 3}),
			Parties: []string{partySupervisory}, Phase: PhaseInitial,
			EffectiveFrom: dateUTC(2021, time.February, 1),
			Source:        "Personal Data Protection Act 2012 s 26D(1)",
			Note:          "determined_at is the assessment that the breach is notifiable; due at the end of the 3rd calendar day after that day",
		},
		{
			ID: "us-circia", Regime: "us-circia",
			Title:          "Report a covered cyber incident to CISA",
			Legs:           on(FieldAwareAt, Hours(72)),
			Parties:        []string{partyCSIRT, partySupervisory},
			Disabled:       true,
			DisabledReason: "proposed rule (CISA notice of proposed rulemaking, 89 FR 23644, 4 April 2024), not in force",
			Source:         "6 U.S.C. 681b(a)",
			Note:           "72 h after reasonable belief of a covered incident; ransom payments 24 h (not modelled)",
		},
	}
}

func subjects(r *record.Record) int64 {
	if r == nil || r.Affected.PersonalData == nil {
		return 0
	}
	return r.Affected.PersonalData.SubjectsApprox
}
