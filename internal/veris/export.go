package veris

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/record"
)

// Exported is a record as a VERIS incident.
type Exported struct {
	// Incident is the VERIS JSON object; it validates against the
	// vendored schema.
	Incident map[string]any
	// IncidentID is its incident_id: the one the record was imported
	// with, or a UUID derived from the organisation and the record ID.
	IncidentID string
	// FileName is where --out writes it: <incident_id>.json when that is
	// a safe file name, else <derived UUID>.json.
	FileName string
	// Displaced are the values that do not fit VERIS 1.4.1, kept under
	// plus.casefile.displaced.
	Displaced []Displaced
}

// fileSafe is what an incident_id must look like to name a file.
var fileSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// uuidNamespace is the UUID (version 5, URL namespace, of
// "https://casefile.dev/veris") that derived incident IDs live in.
var uuidNamespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "https://casefile.dev/veris")

// DerivedID is the incident_id of a record that has none from VERIS: a
// version-5 UUID of the organisation name and the record ID, so the same
// record always exports under the same ID and two organisations' INC-2026-0001
// do not collide at an ISAC.
func DerivedID(organisation, id string) string {
	u := uuid5(uuidNamespace, organisation+"\x00"+id)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

// Export maps a record to a VERIS incident. rec is the typed record and
// data its JSON model (doc.Data), which holds source.veris when the record
// was imported. A field the record maps comes from the record, so edits
// made in casefile are exported; where the mapping loses detail (action
// varieties behind a category) the VERIS value kept in source is used
// while it still maps to what the record says. The rest of the source is
// exported as it came. The result is conformed to and validated against
// the vendored VERIS schema.
func Export(rec *record.Record, data map[string]any, opts Options) (*Exported, error) {
	cfg := opts.Config
	if cfg == nil {
		return nil, fmt.Errorf("exporting %s: no configuration", rec.ID)
	}
	sv := obj(obj(data, "source"), "veris")
	base, _ := deepCopy(obj(sv, "record")).(map[string]any)
	if base == nil {
		base = map[string]any{}
	}
	out := base
	isIncident := rec.Assessment != nil && rec.Assessment.IsIncident
	// A value the import could not map (a wrong type, a date that is no
	// date) stays in source; where the export must write that field it
	// moves under plus.casefile.displaced instead of vanishing.
	var displaced []Displaced
	replace := func(m map[string]any, path, key string, v any) {
		if old, ok := m[key]; ok && canonicalKey(old) != canonicalKey(v) {
			displaced = append(displaced, Displaced{path, old})
		}
		m[key] = v
	}
	object := func(m map[string]any, path, key string) map[string]any {
		if o := obj(m, key); o != nil {
			return o
		}
		o := map[string]any{}
		replace(m, path, key, o)
		return o
	}

	// Identity.
	svID, _ := sv["incident_id"].(string)
	incidentID := svID
	derived := DerivedID(cfg.Organisation.Name, rec.ID)
	if strings.TrimSpace(incidentID) == "" {
		incidentID = derived
	}
	replace(out, "/incident_id", "incident_id", incidentID)
	plus := object(out, "/plus", "plus")
	origMaster := str(plus, "master_id")
	if origMaster == "" {
		replace(plus, "/plus/master_id", "master_id", derived)
	}
	cf := map[string]any{"id": rec.ID, "status": rec.Status, "title": rec.Title}
	if c := rec.Category(); c != "" {
		cf["category"] = c
	}
	plus["casefile"] = cf
	if str(out, "schema_version") == "" {
		out["schema_version"] = SchemaVersion
	}

	// Decision.
	hint, _ := base["security_incident"].(string)
	si := inverseSecurityIncident(rec, hint)
	if hint != "" && canonicalSecurityIncident(hint) != hint {
		replace(out, "/security_incident", "security_incident", si)
	} else {
		out["security_incident"] = si
	}

	// Text.
	// A summary kept in source (it had control characters, or was blank)
	// stands while the description is what the import made of it.
	s, kept := base["summary"].(string)
	generated := fallbackDescription(svID, origMaster, str(sv, "file"))
	if !kept || (sanitize(s) != rec.Description && !(strings.TrimSpace(sanitize(s)) == "" && rec.Description == generated)) {
		replace(out, "/summary", "summary", firstNonEmpty(rec.Description, rec.Title))
	}

	// Timeline.
	exportTimeline(rec, object(out, "/timeline", "timeline"), replace)

	// Action and category: the source's action while it gives the
	// record's category; one made from the category once that changed.
	if a := obj(base, "action"); a == nil || mapCategoryOnly(opts, a) != rec.Category() || rec.Category() == "" {
		if a == nil {
			replace(out, "/action", "action", inverseCategory(rec.Category()))
		} else if rec.Category() != "" {
			out["action"] = inverseCategory(rec.Category())
		}
	}

	// Attributes and CIA.
	if isIncident {
		attr := obj(base, "attribute")
		if got, _ := mapCIA(attr, rec.Category()); !slices.Equal(got, rec.Assessment.CIA) {
			na := map[string]any{}
			for k, v := range attr {
				if !slices.Contains(ciaOrder, k) {
					na[k] = v
				}
			}
			for _, c := range rec.Assessment.CIA {
				switch {
				case attr[c] != nil:
					na[c] = attr[c]
				case c == "confidentiality":
					na[c] = map[string]any{"data_disclosure": "Unknown"}
				default:
					na[c] = map[string]any{"variety": []any{"Unknown"}}
				}
			}
			if base["attribute"] != nil && attr == nil {
				replace(out, "/attribute", "attribute", na)
			}
			out["attribute"] = na
		}
	}

	// Assets.
	asset := object(out, "/asset", "asset")
	if !slices.Equal(assetVarieties(asset), rec.Affected.Assets) {
		if _, isList := asset["assets"].([]any); isList {
			asset["assets"] = inverseAssets(rec.Affected.Assets)
		} else {
			replace(asset, "/asset/assets", "assets", inverseAssets(rec.Affected.Assets))
		}
	}
	if other := affectedText(rec); other != "" {
		notes := str(asset, "notes")
		if !strings.Contains(notes, other) {
			asset["notes"] = strings.TrimSpace(notes + "\n" + other)
		}
	}

	// Discovery.
	if dm := obj(base, "discovery_method"); dm == nil || discoveryChannel(dm) != rec.Reported.Channel {
		if dm == nil {
			replace(out, "/discovery_method", "discovery_method", inverseChannel(rec.Reported.Channel))
		} else if rec.Reported.Channel != "" {
			out["discovery_method"] = inverseChannel(rec.Reported.Channel)
		}
	}

	// Impact: cost and severity.
	imp := obj(out, "impact")
	if out["impact"] != nil && imp == nil && (rec.Cost != nil || rec.Severity() != "") {
		imp = object(out, "/impact", "impact")
	}
	if rec.Cost != nil {
		if imp == nil {
			imp = map[string]any{}
		}
		amount, ok := obj(data, "cost")["amount"].(json.Number)
		if !ok {
			amount = floatNumber(rec.Cost.Amount)
		}
		replace(imp, "/impact/overall_amount", "overall_amount", amount)
		replace(imp, "/impact/iso_currency_code", "iso_currency_code", rec.Cost.Currency)
	}
	if sev := rec.Severity(); sev != "" {
		// The rating kept in source stands while it gives the record's
		// severity (the import's default for a missing rating included).
		rating := obj(base, "impact")["overall_rating"]
		if s, _ := mapSeverity(cfg, rating, isIncident); sv == nil || s != sev {
			if imp == nil {
				imp = map[string]any{}
			}
			imp["overall_rating"] = inverseSeverity(cfg, sev)
		}
	}
	if imp != nil {
		out["impact"] = imp
	}

	// Victim.
	if v := obj(out, "victim"); v != nil {
		if len(rec.Affected.Parties) > 0 {
			v["victim_id"] = rec.Affected.Parties[0]
		} else {
			delete(v, "victim_id")
		}
		if len(rec.Affected.Parties) > 1 {
			sec := obj(v, "secondary")
			if sec == nil {
				sec = map[string]any{}
				v["secondary"] = sec
			}
			sec["victim_id"] = toAny(rec.Affected.Parties[1:])
		}
	}

	// Reference.
	if ref, ok := base["reference"].(string); !ok || !slices.Equal(referenceLinks(ref), rec.Related) {
		if len(rec.Related) > 0 {
			replace(out, "/reference", "reference", strings.Join(rec.Related, " ; "))
		} else if !ok {
			delete(out, "reference")
		}
	}

	// Actor: VERIS requires one; casefile does not record it.
	if obj(out, "actor") == nil {
		out["actor"] = map[string]any{"unknown": map[string]any{"notes": "The actor is not recorded in casefile."}}
	}

	// Corrective actions, as VERIS's one free-text field.
	if _, ok := out["corrective_action"]; !ok && len(rec.CorrectiveActions) > 0 {
		var texts []string
		for _, ca := range rec.CorrectiveActions {
			texts = append(texts, ca.Text)
		}
		out["corrective_action"] = strings.Join(texts, "; ")
	}

	// Fit the schema, keeping what does not fit.
	root, err := verisSchema()
	if err != nil {
		return nil, err
	}
	conformed, _ := conform(out, root, "", &displaced)
	res := conformed.(map[string]any)
	if len(displaced) > 0 {
		list := make([]any, len(displaced))
		for i, d := range displaced {
			list[i] = map[string]any{"path": d.Path, "value": d.Value}
		}
		p := obj(res, "plus")
		pc := obj(p, "casefile")
		pc["displaced"] = list
	}
	if err := Validate(res); err != nil {
		return nil, fmt.Errorf("exporting %s: %w", rec.ID, err)
	}
	name := incidentID
	if !fileSafe.MatchString(name) {
		name = derived
	}
	return &Exported{Incident: res, IncidentID: incidentID, FileName: name + ".json", Displaced: displaced}, nil
}

func mapCategoryOnly(opts Options, action map[string]any) string {
	c, _ := mapCategory(opts.Config, action)
	return c
}

// exportTimeline writes timeline.incident from occurred_at (or, without
// it, the detection or report date), and the discovery and containment
// durations from detected_at and contained_at where the record's times
// differ from what the durations kept in source give.
func exportTimeline(rec *record.Record, tl map[string]any, replace func(m map[string]any, path, key string, v any)) {
	inc := obj(tl, "incident")
	if inc == nil {
		inc = map[string]any{}
		replace(tl, "/timeline/incident", "incident", inc)
	}
	when := rec.OccurredAt
	if !when.IsSet() {
		when = rec.DetectedAt
	}
	if !when.IsSet() {
		when = rec.Reported.At
	}
	if when.IsSet() {
		t := when.T
		if when.Precision == record.PrecisionFull {
			t = t.UTC()
		}
		replace(inc, "/timeline/incident/year", "year", jsonInt(int64(t.Year())))
		if when.Precision >= record.PrecisionMonth {
			replace(inc, "/timeline/incident/month", "month", jsonInt(int64(t.Month())))
		}
		if when.Precision >= record.PrecisionDay {
			replace(inc, "/timeline/incident/day", "day", jsonInt(int64(t.Day())))
		}
		if when.Precision == record.PrecisionFull && rec.OccurredAt.IsSet() {
			inc["time"] = t.Format("03:04:05 PM")
		}
	}
	occ := rec.OccurredAt
	if rec.DetectedAt.IsSet() {
		det, ok := detectedDay(occ.T, occ.Precision, tl)
		if !ok || det.Format("2006-01-02") != rec.DetectedAt.Raw {
			from := occ.T
			if c := obj(tl, "compromise"); c != nil && occ.Precision == record.PrecisionDay {
				if t, ok := addDuration(occ.T, c); ok {
					from = t
				}
			}
			if occ.IsSet() && !rec.DetectedAt.Start().Before(from) {
				tl["discovery"] = durationBetween(from, rec.DetectedAt.Start())
			} else {
				tl["discovery"] = map[string]any{"unit": "Unknown"}
			}
		}
	}
	if rec.ContainedAt.IsSet() {
		ok := false
		if det, dok := detectedDay(occ.T, occ.Precision, tl); dok {
			c, cok := addDuration(det, obj(tl, "containment"))
			ok = cok && obj(tl, "containment") != nil && c.Format(time.RFC3339) == rec.ContainedAt.Raw
		}
		if !ok {
			if rec.DetectedAt.IsSet() && !rec.ContainedAt.Start().Before(rec.DetectedAt.Start()) {
				tl["containment"] = durationBetween(rec.DetectedAt.Start(), rec.ContainedAt.Start())
			} else {
				tl["containment"] = map[string]any{"unit": "Unknown"}
			}
		}
	}
}

// assetVarieties is the forward mapping of asset.assets.
func assetVarieties(asset map[string]any) []string {
	var out []string
	seen := map[string]bool{}
	list, _ := asset["assets"].([]any)
	for _, it := range list {
		v := str(asMap(it), "variety")
		if v != "" && cleanText(v) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// inverseAssets makes asset.assets from affected.assets: the values that
// are VERIS asset varieties, or Unknown.
func inverseAssets(assets []string) []any {
	enum := enumValues("asset", "assets", "variety")
	var out []any
	for _, a := range assets {
		if inEnumList(enum, a) {
			out = append(out, map[string]any{"variety": a})
		}
	}
	if len(out) == 0 {
		out = []any{map[string]any{"variety": "Unknown"}}
	}
	return out
}

// affectedText names what the record lists as affected that VERIS has no
// variety for, for asset.notes.
func affectedText(rec *record.Record) string {
	enum := enumValues("asset", "assets", "variety")
	var parts []string
	var assets []string
	for _, a := range rec.Affected.Assets {
		if !inEnumList(enum, a) {
			assets = append(assets, a)
		}
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"systems", rec.Affected.Systems}, {"processes", rec.Affected.Processes}, {"facilities", rec.Affected.Facilities}, {"assets", assets}} {
		if len(l.items) > 0 {
			parts = append(parts, l.name+": "+strings.Join(l.items, ", "))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "casefile affected " + strings.Join(parts, "; ")
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func floatNumber(f float64) json.Number {
	n, _ := json.Marshal(f)
	return json.Number(n)
}
