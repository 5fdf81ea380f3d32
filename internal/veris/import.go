package veris

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/schema"
)

// Options configure Map and Export.
type Options struct {
	// Config supplies the taxonomy, the severity scale and the
	// organisation name.
	Config *config.Config
	// Now is the time of the import or export: the report time of an
	// incident without any date, and the limit no date may pass.
	Now time.Time
	// Importer is who runs the import (git user.email): the decider of
	// closures it records.
	Importer string
	// Manager is the Incident Manager of imported incidents (default:
	// Importer).
	Manager string
	// TLP labels imported records (default amber).
	TLP string
}

// Key identifies a VERIS incident in the ID mapping.
type Key struct {
	IncidentID string
	MasterID   string
	SHA256     string
}

// Mapped is a VERIS incident mapped to a record that still needs its ID.
type Mapped struct {
	Key Key
	// File is the base name of the VERIS file.
	File string
	// Kind and Status are the record's.
	Kind   string
	Status string
	// ReportedAt is reported.at; its year is the year of the record ID.
	ReportedAt time.Time
	// Title and Category are the record's, for summaries.
	Title    string
	Category string
	// Notes are the mapping decisions worth telling the user (fallbacks,
	// values that could not be mapped).
	Notes []string

	// text is the record as the canonical writer writes it, with
	// idStandIn for its ID: a batch keeps thousands of these, and
	// encoding once keeps the work under the repository lock small.
	text []byte
}

// idStandIn stands for the ID in Mapped.text until Render.
const idStandIn = "X-0-0"

// idLine is how the canonical text starts: the schema comment, then
// schema_version and id, the first two fields in schema order.
var idLine = []byte(record.SchemaComment + "\nschema_version: 1\nid: " + idStandIn + "\n")

// Render returns the record with its ID, as it will be written to path,
// and that text parsed.
func (m *Mapped) Render(id, path string) (*record.Doc, []byte, error) {
	if !bytes.HasPrefix(m.text, idLine) {
		return nil, nil, errors.New("rendering: the record text does not start with its id")
	}
	head := record.SchemaComment + "\nschema_version: 1\nid: " + id + "\n"
	data := make([]byte, 0, len(m.text)-len(idLine)+len(head))
	data = append(append(data, head...), m.text[len(idLine):]...)
	doc, err := record.Parse(path, data)
	if err != nil {
		return nil, nil, err
	}
	if doc.Value("/id") != id {
		return nil, nil, fmt.Errorf("rendering: id %q did not survive as written", id)
	}
	return doc, data, nil
}

var (
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	urlRe      = regexp.MustCompile(`https?://[^\s;,<>"'|]+`)
)

// maxPerson is the longest person or team name a record holds.
const maxPerson = 200

// ErrNoCategory is returned when the configured taxonomy has neither the
// mapped category nor other/undetermined to fall back to.
var ErrNoCategory = errors.New("the configured taxonomy has no category to file the incident under")

// Map maps a VERIS incident to a record (see the package documentation
// for the table). The record is complete but for its id.
func Map(f *File, opts Options) (*Mapped, error) {
	cfg := opts.Config
	if cfg == nil {
		return nil, errors.New("mapping VERIS: no configuration")
	}
	now := opts.Now.UTC()
	src := f.Data
	rest := deepCopy(src).(map[string]any)
	m := &Mapped{File: path.Base(strings.ReplaceAll(f.Name, "\\", "/"))}
	notes := append([]string(nil), f.Notes...)
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }

	// Identity.
	incidentID, isStr := src["incident_id"].(string)
	switch {
	case isStr && strings.TrimSpace(incidentID) != "":
		delete(rest, "incident_id")
	case src["incident_id"] != nil:
		incidentID = ""
		note("incident_id is not a string; kept in source")
	default:
		incidentID = ""
	}
	plus := obj(src, "plus")
	m.Key = Key{IncidentID: incidentID, MasterID: str(plus, "master_id"), SHA256: f.SHA256}
	if m.Key.IncidentID == "" && m.Key.MasterID == "" {
		note("no incident_id or plus.master_id: the file is recognised by its SHA-256 on re-import")
	}

	// Kind, decision and status.
	siRaw, _ := src["security_incident"].(string)
	kind, isIncident, status, known := securityIncident(siRaw)
	if !known {
		if siRaw == "" {
			note("security_incident missing: imported as an incident")
		} else {
			note("security_incident %q is not a VERIS value: imported as an incident", oneLine(siRaw, 40))
		}
	}
	m.Kind, m.Status = kind, status

	// Times.
	tl := obj(src, "timeline")
	inc := obj(tl, "incident")
	occurred, start, prec, used := incidentDate(inc, now)
	if occurred != "" {
		rinc := obj(obj(rest, "timeline"), "incident")
		for _, k := range used {
			delete(rinc, k)
		}
		deleteEmpty(obj(rest, "timeline"), "incident")
		deleteEmpty(rest, "timeline")
		if len(used) < len(nonNil(inc, "year", "month", "day")) {
			note("timeline.incident is not a real date; %s used, the rest kept in source", occurred)
		}
	} else if inc != nil {
		note("timeline.incident has no usable year (or lies in the future); kept in source")
	}
	created, createdOK := parseCreated(str(plus, "created"), now)

	var detectedAt, containedAt string
	var detected time.Time
	if d, ok := detectedDay(start, prec, tl); ok && !d.After(now) {
		detected, detectedAt = d, d.Format("2006-01-02")
	} else if obj(tl, "discovery") != nil && str(obj(tl, "discovery"), "unit") != "Unknown" {
		note("timeline.discovery cannot be placed on a day; kept in source")
	}
	if detectedAt != "" && isIncident && obj(tl, "containment") != nil {
		if c, ok := addDuration(detected, obj(tl, "containment")); ok && !c.After(now) {
			containedAt = c.Format(time.RFC3339)
			status = record.StatusContained
			m.Status = status
		}
	}

	var reported time.Time
	switch {
	case occurred != "":
		reported = start
		if detectedAt != "" && detected.After(start) {
			reported = detected
		}
	case createdOK:
		reported = created
	default:
		reported = now.Truncate(time.Second)
		note("no incident date and no plus.created: reported at the import time")
	}
	m.ReportedAt = reported
	assessedAt := reported
	if createdOK && !created.Before(reported) {
		assessedAt = created
	}

	// Classification.
	category, from := mapCategory(cfg, src["action"])
	if category == "" {
		return nil, fmt.Errorf("%w (wanted %s, or other/undetermined)", ErrNoCategory, rsitCategoryOf(src["action"]))
	}
	// A casefile export names its category in plus.casefile; it wins while
	// the action is still the one casefile made from it.
	if pc := str(obj(plus, "casefile"), "category"); pc != "" && pc != category && cfg.HasCategory(pc) {
		if c, _ := mapCategory(cfg, inverseCategory(pc)); c == category {
			category, from = pc, "plus.casefile.category"
		}
	}
	if want := rsitCategoryOf(src["action"]); want != category && from != "plus.casefile.category" {
		note("category %s is not in the configured taxonomy; filed under %s", want, category)
	}
	m.Category = category
	var cia []string
	ciaInferred := false
	if isIncident {
		cia, ciaInferred = mapCIA(src["attribute"], category)
		if ciaInferred {
			note("attribute names no confidentiality, integrity or availability: %s inferred from the category", strings.Join(cia, ", "))
		}
	}
	rating := obj(src, "impact")["overall_rating"]
	severity, sevAssumed := mapSeverity(cfg, rating, isIncident)
	if sevAssumed && isIncident {
		note("impact.overall_rating is %s: severity %s by the import default", ratingText(rating), severity)
	}

	// Text.
	summary, _ := src["summary"].(string)
	description := summary
	switch {
	case strings.TrimSpace(summary) != "" && cleanText(summary):
		delete(rest, "summary")
	case strings.TrimSpace(sanitize(summary)) != "":
		description = sanitize(summary)
		note("summary has control characters: the description leaves them out; the summary is kept in source")
	default:
		description = fallbackDescription(incidentID, m.Key.MasterID, m.File)
		note("no summary: the description says so")
	}
	m.Title = titleOf(description, summary, incidentID, m.File)

	// Cost.
	var cost *yaml.Node
	if imp := obj(rest, "impact"); imp != nil {
		amount, hasAmount := number(imp, "overall_amount")
		cur, _ := imp["iso_currency_code"].(string)
		switch {
		case hasAmount && amount >= 0 && currencyRe.MatchString(cur):
			cost = mapNode()
			add(cost, "amount", numberNode(imp["overall_amount"].(json.Number)))
			add(cost, "currency", strNode(cur))
			delete(imp, "overall_amount")
			delete(imp, "iso_currency_code")
			deleteEmpty(rest, "impact")
		case hasAmount:
			note("impact.overall_amount has no ISO 4217 iso_currency_code: no cost recorded; kept in source")
		}
	}

	// Affected.
	var assets []string
	seen := map[string]bool{}
	if a := obj(src, "asset"); a != nil {
		list, _ := a["assets"].([]any)
		for _, it := range list {
			v := str(asMap(it), "variety")
			if v != "" && cleanText(v) && !seen[v] {
				seen[v] = true
				assets = append(assets, v)
			}
		}
	}
	var parties []string
	if v := obj(rest, "victim"); v != nil {
		if id, ok := v["victim_id"].(string); ok && strings.TrimSpace(id) != "" && cleanText(id) {
			parties = []string{id}
			delete(v, "victim_id")
			deleteEmpty(rest, "victim")
		}
	}

	// Links.
	var related []string
	if ref, ok := src["reference"].(string); ok {
		related = referenceLinks(ref)
	}

	// Who.
	reporter := person(str(src, "source_id"), "veris")
	analyst := person(str(plus, "analyst"), reporter)
	importer := person(opts.Importer, "casefile import")
	manager := person(opts.Manager, importer)
	tlp := opts.TLP
	if tlp == "" {
		tlp = "amber"
	}

	// The record, in schema order.
	root := mapNode()
	add(root, "schema_version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
	root.Content[0].HeadComment = record.SchemaComment
	add(root, "id", strNode(idStandIn))
	add(root, "kind", strNode(kind))
	add(root, "title", strNode(m.Title))
	add(root, "status", strNode(status))
	add(root, "tlp", strNode(tlp))
	rep := mapNode()
	add(rep, "at", timeNode(reported.Format(time.RFC3339)))
	add(rep, "by", strNode(reporter))
	add(rep, "channel", strNode(discoveryChannel(src["discovery_method"])))
	add(root, "reported", rep)
	if occurred != "" {
		add(root, "occurred_at", timeNode(occurred))
	}
	if detectedAt != "" {
		add(root, "detected_at", timeNode(detectedAt))
	}
	if containedAt != "" {
		add(root, "contained_at", timeNode(containedAt))
	}
	add(root, "description", strNode(description))
	if len(assets) > 0 || len(parties) > 0 {
		aff := mapNode()
		if len(assets) > 0 {
			add(aff, "assets", listNode(assets))
		}
		if len(parties) > 0 {
			add(aff, "parties", listNode(parties))
		}
		add(root, "affected", aff)
	}
	as := mapNode()
	add(as, "at", timeNode(assessedAt.Format(time.RFC3339)))
	add(as, "by", strNode(analyst))
	add(as, "is_incident", boolNode(isIncident))
	add(as, "rationale", strNode(rationale(src, siRaw, category, from, cia, ciaInferred, severity, rating, sevAssumed)))
	if len(cia) > 0 {
		add(as, "cia", listNode(cia))
	}
	add(as, "category", strNode(category))
	if severity != "" {
		add(as, "severity", strNode(severity))
	}
	add(root, "assessment", as)
	if isIncident {
		roles := mapNode()
		add(roles, "incident_manager", strNode(manager))
		add(root, "roles", roles)
	}
	if containedAt != "" {
		act := mapNode()
		add(act, "at", timeNode(containedAt))
		add(act, "by", strNode(person(str(obj(src, "victim"), "victim_id"), "victim organisation")))
		add(act, "type", strNode(record.ActionContainment))
		add(act, "text", strNode("Contained "+durationText(obj(tl, "containment"))+" after discovery (VERIS timeline.containment)"))
		add(root, "actions", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{act}})
	}
	if cost != nil {
		add(root, "cost", cost)
	}
	if kind == record.KindEvent {
		cl := mapNode()
		add(cl, "at", timeNode(assessedAt.Format(time.RFC3339)))
		add(cl, "by", strNode(importer))
		reason := "Near miss imported from VERIS: no harm to confidentiality, integrity or availability"
		if status == record.StatusRejected {
			reason = "VERIS security_incident is False positive: not an incident"
		}
		add(cl, "reason", strNode(reason))
		add(root, "closed", cl)
	}
	if len(related) > 0 {
		add(root, "related", listNode(related))
	}
	add(root, "tags", listNode(tagsOf(src)))
	sv := mapNode()
	if incidentID != "" {
		add(sv, "incident_id", strNode(incidentID))
	}
	add(sv, "file", strNode(m.File))
	add(sv, "sha256", strNode(f.SHA256))
	if len(notes) > 0 {
		add(sv, "notes", listNode(notes))
	}
	add(sv, "record", jsonNode(rest))
	source := mapNode()
	add(source, "veris", sv)
	add(root, "source", source)
	m.Notes = notes
	text, err := record.EncodeNode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
	if err != nil {
		return nil, err
	}
	m.text = text
	return m, nil
}

func nonNil(m map[string]any, keys ...string) []string {
	var out []string
	for _, k := range keys {
		if m[k] != nil {
			out = append(out, k)
		}
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// person makes a person or team name a record accepts, or def.
func person(s, def string) string {
	s = oneLine(s, maxPerson)
	if s == "" {
		return def
	}
	return s
}

// parseCreated reads plus.created (RFC 3339, often with milliseconds),
// truncated to the second; a time after now is not used.
func parseCreated(s string, now time.Time) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.After(now) || t.Year() < 1000 {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Second), true
}

func rsitCategoryOf(action any) string {
	m, _ := action.(map[string]any)
	return rsitCategory(primaryAction(m))
}

func ratingText(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return "missing"
}

// referenceLinks are the URLs in a VERIS reference, which often lists
// several separated by semicolons or spaces.
func referenceLinks(ref string) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range urlRe.FindAllString(ref, -1) {
		u = strings.TrimRight(u, ".,)]}")
		if len(u) > len("https://") && !seen[u] && cleanText(u) {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// titleOf makes the one-line title: the first sentence of the summary.
func titleOf(description, summary, incidentID, file string) string {
	text := summary
	if strings.TrimSpace(sanitize(text)) == "" {
		return "VERIS incident " + oneLine(firstNonEmpty(incidentID, file), 120)
	}
	text = strings.Join(strings.Fields(sanitize(text)), " ")
	r := []rune(text)
	for i := 20; i < len(r)-1 && i < 160; i++ {
		if (r[i] == '.' || r[i] == '!' || r[i] == '?') && r[i+1] == ' ' {
			text = string(r[:i])
			break
		}
	}
	return oneLine(text, 120)
}

// tagsOf tags the record veris, with the VERIS action and actor
// categories, so imported records can be found and grouped.
func tagsOf(src map[string]any) []string {
	tags := []string{"veris"}
	action := obj(src, "action")
	for _, c := range actionOrder {
		if _, ok := action[c].(map[string]any); ok {
			tags = append(tags, "action:"+c)
		}
	}
	actor := obj(src, "actor")
	for _, c := range []string{"external", "internal", "partner", "unknown"} {
		if _, ok := actor[c].(map[string]any); ok {
			tags = append(tags, "actor:"+c)
		}
	}
	return tags
}

// listText joins up to five values of a list for the rationale.
func listText(v any) string {
	items := stringList(v)
	for i := range items {
		items[i] = oneLine(items[i], 60)
	}
	if len(items) > 5 {
		items = append(items[:5], fmt.Sprintf("and %d more", len(items)-5))
	}
	return strings.Join(items, ", ")
}

// rationale explains the assessment as the import made it: where the
// decision, the category, the CIA impact and the severity came from, and
// who acted (VERIS actors are not casefile roles).
func rationale(src map[string]any, si, category, from string, cia []string, ciaInferred bool, severity string, rating any, sevAssumed bool) string {
	var b strings.Builder
	sv := oneLine(str(src, "schema_version"), 20)
	if sv == "" {
		sv = "(no schema_version)"
	}
	fmt.Fprintf(&b, "Imported from VERIS %s (security_incident: %s", sv, firstNonEmpty(oneLine(si, 40), "missing"))
	if c := str(src, "confidence"); c != "" {
		fmt.Fprintf(&b, "; confidence: %s", oneLine(c, 20))
	}
	if strings.HasPrefix(from, "plus.") {
		fmt.Fprintf(&b, "). Category %s from %s (a casefile export).", category, from)
	} else {
		fmt.Fprintf(&b, "). Category %s from action %s.", category, oneLine(from, 80))
	}
	action := obj(src, "action")
	var parts []string
	for _, c := range actionOrder {
		a, ok := action[c].(map[string]any)
		if !ok {
			continue
		}
		p := c
		if v := listText(a["variety"]); v != "" {
			p += " (" + v
			if vec := listText(a["vector"]); vec != "" {
				p += "; vector: " + vec
			}
			p += ")"
		}
		parts = append(parts, p)
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " Actions: %s.", strings.Join(parts, "; "))
	}
	actor := obj(src, "actor")
	parts = parts[:0]
	for _, c := range []string{"external", "internal", "partner", "unknown"} {
		a, ok := actor[c].(map[string]any)
		if !ok {
			continue
		}
		p := c
		var details []string
		if v := listText(a["variety"]); v != "" {
			details = append(details, v)
		}
		if v := listText(a["motive"]); v != "" {
			details = append(details, "motive: "+v)
		}
		if len(details) > 0 {
			p += " (" + strings.Join(details, "; ") + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " Actors: %s.", strings.Join(parts, "; "))
	}
	if len(cia) > 0 {
		how := "from attribute"
		if ciaInferred {
			how = "inferred from the category"
		}
		fmt.Fprintf(&b, " CIA %s: %s.", how, strings.Join(cia, ", "))
	}
	if severity != "" {
		if sevAssumed {
			fmt.Fprintf(&b, " Severity %s by the import default (overall_rating %s).", severity, ratingText(rating))
		} else {
			fmt.Fprintf(&b, " Severity %s from overall_rating %s.", severity, ratingText(rating))
		}
	}
	return b.String()
}

// durationText says a VERIS duration in words: "2 Weeks".
func durationText(d map[string]any) string {
	unit := str(d, "unit")
	if v, ok := d["value"].(json.Number); ok {
		return fmt.Sprintf("%v %s", v, strings.ToLower(unit))
	}
	return "within " + strings.ToLower(unit)
}

// SchemaVersion is the VERIS version exports declare when the record does
// not carry one from its source.
const SchemaVersion = schema.VERISVersion

// fallbackDescription is the description of an incident whose VERIS file
// has no summary.
func fallbackDescription(incidentID, masterID, file string) string {
	return "VERIS incident " + oneLine(firstNonEmpty(incidentID, masterID, file), 100) + " (the VERIS file has no summary)."
}
