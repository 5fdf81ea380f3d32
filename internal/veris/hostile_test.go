package veris_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/veris"
)

// baseIncident is a small, valid VERIS 1.4.1 incident the cases below
// bend.
func baseIncident() map[string]any {
	return decodeJSON(`{
  "incident_id": "11111111-2222-4333-8444-555555555555",
  "schema_version": "1.4.1",
  "security_incident": "Confirmed",
  "summary": "Credentials phished from the finance team were used on the mail server. Rules forwarded invoices.",
  "timeline": {"incident": {"year": 2020, "month": 3, "day": 15}},
  "action": {"hacking": {"variety": ["Use of stolen creds"], "vector": ["Web application"]},
             "social": {"variety": ["Phishing"], "vector": ["Email"], "target": ["Finance"]}},
  "actor": {"external": {"variety": ["Organized crime"], "motive": ["Financial"], "country": ["Unknown"], "region": ["000000"]}},
  "asset": {"assets": [{"variety": "S - Mail"}, {"variety": "P - Finance", "amount": 3}], "cloud": ["External Cloud Asset(s)"]},
  "attribute": {"confidentiality": {"data_disclosure": "Yes", "data": [{"variety": "Internal"}]}},
  "discovery_method": {"external": {"variety": ["Customer"]}},
  "victim": {"victim_id": "Example Ltd", "country": ["GB"], "employee_count": "101 to 1000", "industry": "541512", "government": ["NA"]},
  "reference": "https://example.com/a ; https://example.com/b.",
  "plus": {"master_id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "created": "2020-04-01T10:00:00.123Z", "analyst": "tester"}
}`)
}

func decodeJSON(s string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	return m
}

func set(m map[string]any, pointer string, v any) {
	toks := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for _, t := range toks[:len(toks)-1] {
		next, ok := m[t].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[t] = next
		}
		m = next
	}
	if v == nil {
		delete(m, toks[len(toks)-1])
		return
	}
	m[toks[len(toks)-1]] = v
}

// TestMapBase pins the mapping of one complete incident, field by field.
func TestMapBase(t *testing.T) {
	fx := newFixture(t)
	im := fx.importJSON(t, baseIncident())
	r := im.rec
	want := map[string]string{
		"id":          "INC-2020-0001",
		"kind":        "incident",
		"status":      "assessed",
		"title":       "Credentials phished from the finance team were used on the mail server",
		"reported.at": "2020-03-15T00:00:00Z", "reported.by": "veris", "channel": "third-party",
		"occurred_at": "2020-03-15",
		"assessed.at": "2020-04-01T10:00:00Z", "assessed.by": "tester",
		"category": "intrusions/unprivileged-account-compromise", "severity": "SEV3",
		"cia": "confidentiality", "manager": "importer@example.com",
		"assets": "S - Mail,P - Finance", "parties": "Example Ltd",
		"related": "https://example.com/a,https://example.com/b",
		"tags":    "veris,action:hacking,action:social,actor:external",
	}
	got := map[string]string{
		"id": r.ID, "kind": r.Kind, "status": r.Status, "title": r.Title,
		"reported.at": r.Reported.At.Raw, "reported.by": r.Reported.By, "channel": r.Reported.Channel,
		"occurred_at": r.OccurredAt.Raw,
		"assessed.at": r.Assessment.At.Raw, "assessed.by": r.Assessment.By,
		"category": r.Assessment.Category, "severity": r.Assessment.Severity,
		"cia": strings.Join(r.Assessment.CIA, ","), "manager": r.Roles.IncidentManager,
		"assets": strings.Join(r.Affected.Assets, ","), "parties": strings.Join(r.Affected.Parties, ","),
		"related": strings.Join(r.Related, ","), "tags": strings.Join(r.Tags, ","),
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if !r.Assessment.IsIncident {
		t.Error("not assessed as an incident")
	}
	if im.doc.Value("/source/veris/record/summary") != nil || im.doc.Value("/source/veris/record/incident_id") != nil {
		t.Error("mapped fields are duplicated in source")
	}
	if im.doc.Value("/source/veris/record/actor/external/motive/0") != "Financial" {
		t.Error("actor not kept in source")
	}
	if !strings.Contains(r.Assessment.Rationale, "Actors: external (Organized crime; motive: Financial)") {
		t.Errorf("rationale does not name the actor: %s", r.Assessment.Rationale)
	}
	x := fx.export(t, im)
	checkRoundTrip(t, baseIncident(), x)
	if len(x.Displaced) != 0 {
		t.Errorf("a valid 1.4.1 incident displaced %v", x.Displaced)
	}
	if x.FileName != "11111111-2222-4333-8444-555555555555.json" {
		t.Errorf("file name %s", x.FileName)
	}
}

// TestRoundTripEdited: what is changed in casefile is what is exported.
func TestRoundTripEdited(t *testing.T) {
	fx := newFixture(t)
	im := fx.importJSON(t, baseIncident())
	edit := func(path, yamlValue string) {
		n, err := record.ParseValue(yamlValue)
		if err != nil {
			t.Fatal(err)
		}
		if err := im.doc.Set(path, n); err != nil {
			t.Fatal(err)
		}
	}
	edit("assessment.category", "availability/dos")
	edit("assessment.severity", "SEV1")
	edit("assessment.cia", "[availability, confidentiality]")
	edit("description", "Rewritten after the investigation.")
	edit("cost", "{amount: 18500, currency: EUR}")
	edit("occurred_at", "2020-03")
	edit("affected.assets", "[S - Web application, payroll-db]")
	edit("affected.parties", "[Example Ltd, Partner plc]")
	edit("reported.channel", "monitoring")
	edit("related", "[https://example.com/report]")
	rec, err := im.doc.Record()
	if err != nil {
		t.Fatal(err)
	}
	im.rec = rec
	x := fx.export(t, im)
	checks := map[string]any{
		"/action/hacking/variety/0":                  "DoS",
		"/impact/overall_rating":                     "Catastrophic",
		"/impact/iso_currency_code":                  "EUR",
		"/summary":                                   "Rewritten after the investigation.",
		"/timeline/incident/month":                   json.Number("3"),
		"/asset/assets/0/variety":                    "S - Web application",
		"/victim/victim_id":                          "Example Ltd",
		"/victim/secondary/victim_id/0":              "Partner plc",
		"/discovery_method/internal/variety/0":       "Infrastructure monitoring",
		"/reference":                                 "https://example.com/report",
		"/attribute/confidentiality/data_disclosure": "Yes",
		"/attribute/availability/variety/0":          "Unknown",
	}
	for p, want := range checks {
		if got, _ := lookup(x.Incident, p); !jsonEqual(got, want) {
			t.Errorf("%s = %s, want %s", p, js(got), js(want))
		}
	}
	if _, ok := lookup(x.Incident, "/timeline/incident/day"); ok {
		t.Error("day exported after occurred_at became a month")
	}
	if _, ok := lookup(x.Incident, "/action/social"); ok {
		t.Error("the old action is exported after the category changed")
	}
	if n, _ := lookup(x.Incident, "/asset/notes"); !strings.Contains(n.(string), "payroll-db") {
		t.Errorf("asset.notes %v does not keep the non-VERIS asset", n)
	}
}

// TestHostile: what real and hostile data holds imports, or is refused
// with the reason; no case panics, and every imported record lints clean
// and exports as valid VERIS without losing what it was given.
func TestHostile(t *testing.T) {
	fx := newFixture(t)
	long := strings.Repeat("A very long summary sentence with ünïcødé, 東京 and 🚨. ", 40000) // ~2.4 MB
	cases := []struct {
		name   string
		mutate func(m map[string]any) map[string]any
		check  func(t *testing.T, im *imported)
	}{
		{"empty object", func(map[string]any) map[string]any { return map[string]any{} }, func(t *testing.T, im *imported) {
			if im.rec.Assessment.Category != "other/undetermined" || im.rec.Reported.At.Raw != "2026-12-01T00:00:00Z" {
				t.Errorf("category %s, reported %s", im.rec.Assessment.Category, im.rec.Reported.At.Raw)
			}
			if im.mapped.Key.SHA256 == "" || !containsText(im.mapped.Notes, "SHA-256") {
				t.Errorf("no content key: %q", im.mapped.Notes)
			}
		}},
		{"only an incident_id", func(map[string]any) map[string]any { return map[string]any{"incident_id": "only-id"} }, func(t *testing.T, im *imported) {
			if im.rec.Title != "VERIS incident only-id" || !containsText(im.mapped.Notes, "security_incident missing") {
				t.Errorf("title %q, notes %q", im.rec.Title, im.mapped.Notes)
			}
		}},
		{"Unknown and NA everywhere", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": "Unknown"})
			set(m, "/timeline/discovery", map[string]any{"unit": "NA"})
			set(m, "/attribute", map[string]any{"unknown": map[string]any{"notes": "?"}})
			set(m, "/impact", map[string]any{"overall_rating": "Unknown"})
			set(m, "/action", map[string]any{"unknown": map[string]any{}})
			set(m, "/discovery_method", map[string]any{"unknown": true})
			return m
		}, func(t *testing.T, im *imported) {
			a := im.rec.Assessment
			if a.Category != "other/undetermined" || a.Severity != "SEV3" || len(a.CIA) != 1 || im.rec.OccurredAt.IsSet() {
				t.Errorf("assessment %+v, occurred %q", a, im.rec.OccurredAt.Raw)
			}
			if im.rec.Reported.At.Raw != "2020-04-01T10:00:00Z" || im.rec.Reported.Channel != "import" {
				t.Errorf("reported %+v (want plus.created)", im.rec.Reported)
			}
		}},
		{"year only", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": json.Number("2019")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.OccurredAt.Raw != "2019" || im.rec.ID != "INC-2019-0001" || im.rec.Reported.At.Raw != "2019-01-01T00:00:00Z" {
				t.Errorf("occurred %s id %s reported %s", im.rec.OccurredAt.Raw, im.rec.ID, im.rec.Reported.At.Raw)
			}
		}},
		{"year and month", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": json.Number("2019"), "month": json.Number("11")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.OccurredAt.Raw != "2019-11" {
				t.Errorf("occurred %s", im.rec.OccurredAt.Raw)
			}
		}},
		{"30 February", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": json.Number("2021"), "month": json.Number("2"), "day": json.Number("30")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.OccurredAt.Raw != "2021-02" || im.doc.Value("/source/veris/record/timeline/incident/day") == nil {
				t.Errorf("occurred %s; the day must stay in source", im.rec.OccurredAt.Raw)
			}
		}},
		{"month 13", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": json.Number("2021"), "month": json.Number("13")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.OccurredAt.Raw != "2021" {
				t.Errorf("occurred %s", im.rec.OccurredAt.Raw)
			}
		}},
		{"a year in the future", func(m map[string]any) map[string]any {
			set(m, "/timeline/incident", map[string]any{"year": json.Number("2049")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.OccurredAt.IsSet() || im.rec.ID != "INC-2020-0001" {
				t.Errorf("occurred %s id %s", im.rec.OccurredAt.Raw, im.rec.ID)
			}
		}},
		{"discovery and containment to the day", func(m map[string]any) map[string]any {
			set(m, "/timeline/compromise", map[string]any{"unit": "Minutes"})
			set(m, "/timeline/discovery", map[string]any{"unit": "Days", "value": json.Number("3")})
			set(m, "/timeline/containment", map[string]any{"unit": "Weeks", "value": json.Number("1")})
			return m
		}, func(t *testing.T, im *imported) {
			r := im.rec
			if r.DetectedAt.Raw != "2020-03-18" || r.ContainedAt.Raw != "2020-03-25T00:00:00Z" || r.Status != "contained" ||
				r.Reported.At.Raw != "2020-03-18T00:00:00Z" || len(r.Actions) != 1 || r.Actions[0].Type != "containment" {
				t.Errorf("detected %s contained %s status %s reported %s actions %+v", r.DetectedAt.Raw, r.ContainedAt.Raw, r.Status, r.Reported.At.Raw, r.Actions)
			}
		}},
		{"discovery in months", func(m map[string]any) map[string]any {
			set(m, "/timeline/discovery", map[string]any{"unit": "Months", "value": json.Number("10")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.DetectedAt.Raw != "2021-01-15" || im.rec.ID != "INC-2021-0001" {
				t.Errorf("detected %s id %s", im.rec.DetectedAt.Raw, im.rec.ID)
			}
		}},
		{"discovery without a value", func(m map[string]any) map[string]any {
			set(m, "/timeline/discovery", map[string]any{"unit": "Days"})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.DetectedAt.IsSet() || !containsText(im.mapped.Notes, "timeline.discovery") {
				t.Errorf("detected %s, notes %q", im.rec.DetectedAt.Raw, im.mapped.Notes)
			}
		}},
		{"near miss", func(m map[string]any) map[string]any {
			m["security_incident"] = "Near miss"
			return m
		}, func(t *testing.T, im *imported) {
			r := im.rec
			if r.Kind != "event" || r.Status != "resolved" || r.Assessment.IsIncident || r.Closed == nil || r.ID != "EVT-2020-0001" {
				t.Errorf("kind %s status %s closed %+v id %s", r.Kind, r.Status, r.Closed, r.ID)
			}
		}},
		{"false positive", func(m map[string]any) map[string]any {
			m["security_incident"] = "False positive"
			return m
		}, func(t *testing.T, im *imported) {
			r := im.rec
			if r.Kind != "event" || r.Status != "rejected" || r.Assessment.IsIncident || r.Closed == nil || r.Closed.Reason == "" {
				t.Errorf("kind %s status %s closed %+v", r.Kind, r.Status, r.Closed)
			}
		}},
		{"suspected, in lower case", func(m map[string]any) map[string]any {
			m["security_incident"] = "suspected"
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Kind != "incident" || !im.rec.Assessment.IsIncident {
				t.Errorf("kind %s", im.rec.Kind)
			}
		}},
		{"security_incident not a VERIS value", func(m map[string]any) map[string]any {
			m["security_incident"] = "Maybe"
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Kind != "incident" || !containsText(im.mapped.Notes, `"Maybe"`) {
				t.Errorf("kind %s notes %q", im.rec.Kind, im.mapped.Notes)
			}
		}},
		{"very long summary", func(m map[string]any) map[string]any {
			m["summary"] = long
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Description != long || utf8.RuneCountInString(im.rec.Title) > 120 {
				t.Errorf("description changed or title too long (%d runes)", utf8.RuneCountInString(im.rec.Title))
			}
		}},
		{"non-ASCII text", func(m map[string]any) map[string]any {
			m["summary"] = "Datenschutzverletzung bei der Müller GmbH — 東京の顧客データ 🚨 مرحبا\nZweite Zeile."
			set(m, "/victim/victim_id", "Müller GmbH & Co. KG")
			return m
		}, func(t *testing.T, im *imported) {
			if !strings.HasPrefix(im.rec.Title, "Datenschutzverletzung bei der Müller GmbH — 東京の顧客データ 🚨") || im.rec.Affected.Parties[0] != "Müller GmbH & Co. KG" {
				t.Errorf("title %q parties %q", im.rec.Title, im.rec.Affected.Parties)
			}
		}},
		{"control characters and odd white space", func(m map[string]any) map[string]any {
			m["summary"] = "\nbell\u0007 nul\u0000 nel\u0085 bom\ufeff end"
			set(m, "/plus/notes", "\n\tleading tab and line feed")
			set(m, "/plus/<<", "merge key look-alike")
			return m
		}, func(t *testing.T, im *imported) {
			if strings.ContainsAny(im.rec.Description, "\u0007\u0000\u0085\ufeff") {
				t.Errorf("description keeps control characters: %q", im.rec.Description)
			}
			if im.doc.Value("/source/veris/record/summary") == nil {
				t.Error("the summary is not kept in source")
			}
		}},
		{"cost", func(m map[string]any) map[string]any {
			set(m, "/impact", map[string]any{"overall_rating": "Damaging", "overall_amount": json.Number("12000.5"), "iso_currency_code": "EUR"})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Cost == nil || im.rec.Cost.Amount != 12000.5 || im.rec.Cost.Currency != "EUR" || im.rec.Assessment.Severity != "SEV2" {
				t.Errorf("cost %+v severity %s", im.rec.Cost, im.rec.Assessment.Severity)
			}
		}},
		{"amount without a currency", func(m map[string]any) map[string]any {
			set(m, "/impact", map[string]any{"overall_rating": "Painful", "overall_amount": json.Number("5")})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Cost != nil || im.doc.Value("/source/veris/record/impact/overall_amount") == nil {
				t.Errorf("cost %+v", im.rec.Cost)
			}
		}},
		{"a crypto currency", func(m map[string]any) map[string]any {
			set(m, "/impact", map[string]any{"overall_rating": "Painful", "overall_amount": json.Number("5"), "iso_currency_code": "Ether"})
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Cost != nil {
				t.Errorf("cost %+v", im.rec.Cost)
			}
		}},
		{"huge numbers", func(m map[string]any) map[string]any {
			set(m, "/attribute/confidentiality/data_total", json.Number("123456789012345678"))
			set(m, "/plus/big", json.Number("123456789012345678901234567890"))
			set(m, "/plus/float", json.Number("1.5e300"))
			return m
		}, func(t *testing.T, im *imported) {
			if v := im.doc.Value("/source/veris/record/attribute/confidentiality/data_total"); v != json.Number("123456789012345678") {
				t.Errorf("data_total %v", v)
			}
		}},
		{"incident_id not a string", func(m map[string]any) map[string]any {
			m["incident_id"] = json.Number("42")
			return m
		}, func(t *testing.T, im *imported) {
			if im.mapped.Key.IncidentID != "" || im.mapped.Key.MasterID == "" {
				t.Errorf("key %+v", im.mapped.Key)
			}
		}},
		{"environmental", func(m map[string]any) map[string]any {
			m["action"] = map[string]any{"environmental": map[string]any{"variety": []any{"Flood"}}}
			m["attribute"] = map[string]any{"availability": map[string]any{"variety": []any{"Interruption"}}}
			return m
		}, func(t *testing.T, im *imported) {
			if im.rec.Assessment.Category != "availability/outage" || im.rec.Assessment.CIA[0] != "availability" {
				t.Errorf("assessment %+v", im.rec.Assessment)
			}
		}},
		{"wrong types", func(m map[string]any) map[string]any {
			m["summary"] = json.Number("7")
			m["action"] = "hacking"
			m["timeline"] = []any{"2020"}
			m["asset"] = map[string]any{"assets": "S - Mail"}
			m["victim"] = "Example"
			m["plus"] = map[string]any{"created": "yesterday", "master_id": json.Number("1")}
			return m
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.mutate(baseIncident())
			im := fx.importJSON(t, in)
			if t.Failed() {
				return
			}
			if c.check != nil {
				c.check(t, im)
			}
			x := fx.export(t, im)
			displaced := map[string]bool{}
			for _, d := range x.Displaced {
				displaced[d.Path] = true
			}
			compareKept(t, "", in, x.Incident, displaced)
		})
	}
}

// TestDecodeRefuses: files that are not one UTF-8 JSON object are refused
// with the line and column of the problem.
func TestDecodeRefuses(t *testing.T) {
	cases := []struct {
		name, data string
		line, col  int
		msg        string
	}{
		{"syntax", "{\n  \"a\": 1,\n  \"b\": ]\n}", 3, 8, "invalid JSON"},
		{"truncated", "{\"a\": [1, 2", 1, 12, "unexpected end"},
		{"not UTF-8", "{\n \"summary\": \"caf\xe9\"\n}", 2, 17, "invalid UTF-8 byte 0xe9"},
		{"array", "[{}]", 1, 1, "one JSON object"},
		{"scalar", "\"x\"", 1, 1, "one JSON object"},
		{"trailing data", "{} {}", 1, 4, "data after the incident"},
		{"empty", "  \n", 1, 1, "empty"},
		{"deep", strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), 1, 241, "nesting deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := veris.Decode("f.json", []byte(c.data))
			var ve *veris.Error
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *veris.Error", err)
			}
			if ve.Line != c.line || ve.Column != c.col || !strings.Contains(ve.Msg, c.msg) {
				t.Errorf("got %v, want f.json:%d:%d: …%s…", err, c.line, c.col, c.msg)
			}
		})
	}
}

// TestDecodeHuge: a 20 MB file is refused before it is parsed.
func TestDecodeHuge(t *testing.T) {
	data := bytes.Repeat([]byte(" "), 20<<20)
	data[0] = '{'
	data[len(data)-1] = '}'
	_, err := veris.Decode("huge.json", data)
	if err == nil || !strings.Contains(err.Error(), "at most 8388608 bytes") {
		t.Fatalf("got %v", err)
	}
}

// TestDecodeOddities: a byte-order mark and duplicate keys are read (as
// VERIS's own tools read them) with notes.
func TestDecodeOddities(t *testing.T) {
	f, err := veris.Decode("f.json", []byte("\xEF\xBB\xBF{\"a\": 1,\n \"a\": 2}"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Data["a"] != json.Number("2") || len(f.Notes) != 2 || !strings.Contains(f.Notes[1], `line 2:2: duplicate key "a"`) {
		t.Errorf("data %v notes %q", f.Data, f.Notes)
	}
}

// TestIndex: the mapping file round-trips, and finds incidents whatever
// the case of their UUIDs.
func TestIndex(t *testing.T) {
	ix := veris.NewIndex()
	ix.Add(veris.IndexEntry{IncidentID: "0001AA7F-C601", MasterID: "M-1", SHA256: "abc", Record: "INC-2010-0002"})
	ix.Add(veris.IndexEntry{IncidentID: "odd: id, with {flow} chars", Record: "INC-2010-0001"})
	data, err := ix.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := veris.ParseIndex(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if back.Len() != 2 {
		t.Fatalf("%d entries", back.Len())
	}
	for _, c := range []struct {
		key   veris.Key
		rec   string
		field string
	}{
		{veris.Key{IncidentID: " 0001aa7f-c601 "}, "INC-2010-0002", "incident_id"},
		{veris.Key{IncidentID: "other", MasterID: "m-1"}, "INC-2010-0002", "plus.master_id"},
		{veris.Key{SHA256: "ABC"}, "INC-2010-0002", "sha256"},
		{veris.Key{IncidentID: "odd: id, with {flow} chars"}, "INC-2010-0001", "incident_id"},
	} {
		e, field, ok := back.Lookup(c.key)
		if !ok || e.Record != c.rec || field != c.field {
			t.Errorf("Lookup(%+v) = %v %s %v", c.key, e, field, ok)
		}
	}
	if _, _, ok := back.Lookup(veris.Key{IncidentID: "nope"}); ok {
		t.Error("found an incident never imported")
	}
	if _, err := veris.ParseIndex([]byte("version: 2\nincidents: []\n")); err == nil {
		t.Error("version 2 accepted")
	}
}
