package veris

import (
	"strings"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// actionOrder is the precedence of VERIS action categories when an
// incident has several: the one that explains the harm best comes first
// (a phishing mail that led to stolen credentials is an intrusion).
var actionOrder = []string{"hacking", "malware", "social", "misuse", "physical", "error", "environmental", "unknown"}

// categoryRule maps the varieties of one VERIS action category to RSIT
// categories; def is taken for any other variety.
type categoryRule struct {
	byVariety map[string]string
	def       string
}

var categoryRules = map[string]categoryRule{
	"hacking": {map[string]string{ //nolint:gosec // G101: VERIS variety names ("Use of stolen creds"), not credentials
		"Use of stolen creds":    "intrusions/unprivileged-account-compromise",
		"Brute force":            "intrusions/unprivileged-account-compromise",
		"Offline cracking":       "intrusions/unprivileged-account-compromise",
		"Pass-the-hash":          "intrusions/unprivileged-account-compromise",
		"Session replay":         "intrusions/unprivileged-account-compromise",
		"Session fixation":       "intrusions/unprivileged-account-compromise",
		"Session prediction":     "intrusions/unprivileged-account-compromise",
		"Hijack":                 "intrusions/unprivileged-account-compromise",
		"Exploit vuln":           "intrusions/application-compromise",
		"Exploit misconfig":      "intrusions/application-compromise",
		"SQLi":                   "intrusions/application-compromise",
		"XSS":                    "intrusions/application-compromise",
		"RFI":                    "intrusions/application-compromise",
		"Path traversal":         "intrusions/application-compromise",
		"Forced browsing":        "intrusions/application-compromise",
		"OS commanding":          "intrusions/application-compromise",
		"Abuse of functionality": "intrusions/application-compromise",
		"Backdoor":               "intrusions/system-compromise",
		"Virtual machine escape": "intrusions/system-compromise",
		"DoS":                    "availability/dos",
		"Scan network":           "information-gathering/scanner",
		"Profile host":           "information-gathering/scanner",
		"Unknown":                "intrusions",
	}, "intrusions/system-compromise"},
	"malware": {map[string]string{}, "malicious-code/infected-system"},
	"social": {map[string]string{
		"Phishing":  "fraud/phishing",
		"Spam":      "abusive-content/spam",
		"Forgery":   "fraud/masquerade",
		"Scam":      "fraud",
		"Extortion": "fraud",
		"Bribery":   "fraud",
	}, "information-gathering/social-engineering"},
	"misuse": {map[string]string{
		"Data mishandling":      "information-content-security/data-leak",
		"Unapproved hardware":   "fraud/unauthorised-use-of-resources",
		"Unapproved software":   "fraud/unauthorised-use-of-resources",
		"Unapproved workaround": "fraud/unauthorised-use-of-resources",
		"Net misuse":            "fraud/unauthorised-use-of-resources",
		"Email misuse":          "fraud/unauthorised-use-of-resources",
		"Illicit content":       "fraud/unauthorised-use-of-resources",
	}, "information-content-security/unauthorised-information-access"},
	"physical": {map[string]string{
		"Theft": "information-content-security/data-loss",
	}, "intrusions/burglary"},
	"error": {map[string]string{
		"Misconfiguration":  "availability/misconfiguration",
		"Capacity shortage": "availability/outage",
		"Malfunction":       "availability/outage",
		"Misdelivery":       "information-content-security/data-leak",
		"Publishing error":  "information-content-security/data-leak",
		"Disposal error":    "information-content-security/data-leak",
		"Gaffe":             "information-content-security/data-leak",
	}, "information-content-security/data-loss"},
	"environmental": {map[string]string{}, "availability/outage"},
	"unknown":       {map[string]string{}, "other/undetermined"},
}

// primaryAction picks the action category and variety the category comes
// from: the first category in actionOrder, and within it the first variety
// that has a rule of its own (else the first variety). Hacking whose
// varieties are all Unknown gives way to malware.
func primaryAction(action map[string]any) (cat, variety string) {
	if h, ok := action["hacking"].(map[string]any); ok && onlyUnknown(stringList(h["variety"])) {
		// Hacking of unknown kind with known malware: the malware says more.
		if mw, ok := action["malware"].(map[string]any); ok {
			return "malware", first(stringList(mw["variety"]))
		}
	}
	for _, c := range actionOrder {
		a, ok := action[c].(map[string]any)
		if !ok {
			continue
		}
		vs := stringList(a["variety"])
		if c == "malware" || c == "unknown" || c == "environmental" {
			return c, first(vs)
		}
		rule := categoryRules[c]
		for _, v := range vs {
			if _, ok := rule.byVariety[v]; ok && v != "Unknown" {
				return c, v
			}
		}
		return c, first(vs)
	}
	// Ransomware and friends without a known action category, or no
	// action at all.
	return "unknown", ""
}

func onlyUnknown(vs []string) bool {
	for _, v := range vs {
		if v != "Unknown" && v != "Other" {
			return false
		}
	}
	return true
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// rsitCategory is the RSIT category of a VERIS action category and variety.
func rsitCategory(cat, variety string) string {
	rule, ok := categoryRules[cat]
	if !ok {
		return "other/undetermined"
	}
	if c, ok := rule.byVariety[variety]; ok {
		return c
	}
	if variety == "" || variety == "Unknown" {
		if cat == "hacking" {
			return "intrusions"
		}
	}
	return rule.def
}

// fitCategory returns the category, or the nearest one the configured
// taxonomy has: its bare class, then other/undetermined, then other. It
// returns "" when the taxonomy has none of them.
func fitCategory(cfg *config.Config, cat string) string {
	class, _, _ := strings.Cut(cat, "/")
	for _, c := range []string{cat, class, "other/undetermined", "other"} {
		if cfg.HasCategory(c) {
			return c
		}
	}
	return ""
}

// mapCategory is the whole forward mapping: the configured category of a
// VERIS action block.
func mapCategory(cfg *config.Config, action any) (category, from string) {
	m, _ := action.(map[string]any)
	cat, variety := primaryAction(m)
	from = cat
	if variety != "" {
		from += "/" + variety
	}
	return fitCategory(cfg, rsitCategory(cat, variety)), from
}

// inverseCategory builds a VERIS action block for a casefile category, for
// records that did not come from VERIS or whose category was changed.
func inverseCategory(cat string) map[string]any {
	class, typ, _ := strings.Cut(cat, "/")
	act := func(name, variety string, extra ...string) map[string]any {
		a := map[string]any{"variety": []any{variety}, "vector": []any{"Unknown"}}
		for i := 0; i+1 < len(extra); i += 2 {
			a[extra[i]] = []any{extra[i+1]}
		}
		return map[string]any{name: a}
	}
	switch class {
	case "intrusions":
		switch typ {
		case "unprivileged-account-compromise", "privileged-account-compromise":
			return act("hacking", "Use of stolen creds")
		case "application-compromise":
			return act("hacking", "Exploit vuln")
		case "burglary":
			return act("physical", "Unknown")
		}
		return act("hacking", "Unknown")
	case "intrusion-attempts":
		switch typ {
		case "brute-force":
			return act("hacking", "Brute force")
		case "exploit":
			return act("hacking", "Exploit vuln")
		}
		return act("hacking", "Unknown")
	case "malicious-code":
		return act("malware", "Unknown")
	case "information-gathering":
		switch typ {
		case "social-engineering":
			return act("social", "Unknown", "target", "Unknown")
		case "scanner":
			return act("hacking", "Scan network")
		}
		return act("hacking", "Unknown")
	case "fraud":
		switch typ {
		case "phishing":
			return act("social", "Phishing", "target", "Unknown")
		case "masquerade":
			return act("social", "Forgery", "target", "Unknown")
		case "unauthorised-use-of-resources", "copyright":
			return act("misuse", "Unknown")
		}
		return act("social", "Unknown", "target", "Unknown")
	case "abusive-content":
		return act("social", "Spam", "target", "Unknown")
	case "availability":
		switch typ {
		case "dos", "ddos":
			return act("hacking", "DoS")
		case "misconfiguration":
			return act("error", "Misconfiguration")
		case "sabotage":
			return act("misuse", "Unknown")
		}
		return map[string]any{"environmental": map[string]any{"variety": []any{"Unknown"}}}
	case "information-content-security":
		switch typ {
		case "data-leak":
			return act("error", "Unknown")
		case "data-loss":
			return act("error", "Loss")
		}
		return act("misuse", "Unknown")
	case "vulnerable":
		return act("hacking", "Unknown")
	}
	return map[string]any{"unknown": map[string]any{}}
}

// ciaOrder is the order of cia values.
var ciaOrder = []string{"confidentiality", "integrity", "availability"}

// mapCIA lists the attributes VERIS names; when it names none, they are
// inferred from the category, since an incident assessment needs them.
func mapCIA(attribute any, category string) (cia []string, inferred bool) {
	m, _ := attribute.(map[string]any)
	for _, a := range ciaOrder {
		if _, ok := m[a].(map[string]any); ok {
			cia = append(cia, a)
		}
	}
	if len(cia) > 0 {
		return cia, false
	}
	class, typ, _ := strings.Cut(category, "/")
	switch {
	case class == "availability", typ == "data-loss":
		return []string{"availability"}, true
	case typ == "unauthorised-information-modification", class == "malicious-code", class == "intrusions" && typ != "burglary":
		return []string{"integrity"}, true
	}
	return []string{"confidentiality"}, true
}

// discoveryChannel maps discovery_method to the channel the report came
// in by.
func discoveryChannel(dm any) string {
	m, _ := dm.(map[string]any)
	if m == nil {
		return "import"
	}
	if in, ok := m["internal"].(map[string]any); ok {
		for _, v := range stringList(in["variety"]) {
			switch v {
			case "Antivirus", "Data loss prevention", "Hids", "Nids", "Infrastructure monitoring", "Log review", "Security alarm", "Fraud detection":
				return "monitoring"
			}
		}
		return "other"
	}
	if _, ok := m["external"].(map[string]any); ok {
		return "third-party"
	}
	if _, ok := m["partner"].(map[string]any); ok {
		return "third-party"
	}
	if b, _ := m["other"].(bool); b {
		return "other"
	}
	return "import"
}

// inverseChannel builds discovery_method from a report channel.
func inverseChannel(ch string) map[string]any {
	switch ch {
	case "monitoring":
		return map[string]any{"internal": map[string]any{"variety": []any{"Infrastructure monitoring"}}}
	case "email", "phone", "web-form", "chat", "in-person", "ticket":
		return map[string]any{"internal": map[string]any{"variety": []any{"Reported by employee"}}}
	case "third-party":
		return map[string]any{"external": map[string]any{"variety": []any{"Unknown"}}}
	case "other":
		return map[string]any{"other": true}
	}
	return map[string]any{"unknown": true}
}

// ratings are VERIS impact.overall_rating values, most severe first.
var ratings = []string{"Catastrophic", "Damaging", "Painful", "Distracting", "Insignificant"}

// mapSeverity maps overall_rating to a level of the configured scale by
// position (Catastrophic is the most severe level, Insignificant the
// least). An unknown rating gets the third level (SEV3 by default) for an
// incident and the least severe for an event.
func mapSeverity(cfg *config.Config, rating any, incident bool) (sev string, assumed bool) {
	ids := cfg.SeverityIDs()
	if len(ids) == 0 {
		return "", true
	}
	s, _ := rating.(string)
	for i, r := range ratings {
		if s == r {
			if r == "Insignificant" {
				return ids[len(ids)-1], false
			}
			return ids[min(i, len(ids)-1)], false
		}
	}
	if !incident {
		return ids[len(ids)-1], true
	}
	return ids[min(2, len(ids)-1)], true
}

// inverseSeverity maps a level back to overall_rating by position.
func inverseSeverity(cfg *config.Config, sev string) string {
	i := cfg.SeverityRank(sev)
	if i < 0 {
		return "Unknown"
	}
	n := len(cfg.Severity)
	if i == n-1 && n >= len(ratings) {
		return "Insignificant"
	}
	return ratings[min(i, len(ratings)-2)]
}

// securityIncident maps security_incident to the record's kind, whether
// it is an incident, and its status.
func securityIncident(v string) (kind string, isIncident bool, status string, known bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "confirmed", "suspected":
		return record.KindIncident, true, record.StatusAssessed, true
	case "near miss":
		return record.KindEvent, false, record.StatusResolved, true
	case "false positive":
		return record.KindEvent, false, record.StatusRejected, true
	}
	return record.KindIncident, true, record.StatusAssessed, false
}

// canonicalSecurityIncident spells a security_incident value as the schema
// does.
func canonicalSecurityIncident(v string) string {
	for _, s := range []string{"Confirmed", "Suspected", "Near miss", "False positive"} {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return s
		}
	}
	return ""
}

// inverseSecurityIncident is security_incident for a record; hint is the
// value the record was imported from, kept while it still agrees.
func inverseSecurityIncident(r *record.Record, hint string) string {
	hint = canonicalSecurityIncident(hint)
	switch {
	case r.Assessment == nil:
		return "Suspected"
	case r.Assessment.IsIncident:
		if hint == "Confirmed" || hint == "Suspected" {
			return hint
		}
		return "Confirmed"
	case r.Status == record.StatusRejected:
		return "False positive"
	}
	return "Near miss"
}
