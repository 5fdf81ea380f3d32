package veris_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/veris"
)

// testNow is the clock of every test: after every incident in the data.
var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	cfg  *config.Config
	lint *lint.Linter
	opts veris.Options
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{cfg: cfg, lint: l, opts: veris.Options{Config: cfg, Now: testNow, Importer: "importer@example.com"}}
}

// imported is a VERIS file taken through the import: decoded, mapped,
// rendered under an ID and linted.
type imported struct {
	file   *veris.File
	mapped *veris.Mapped
	doc    *record.Doc
	rec    *record.Record
	text   []byte
}

// importBytes imports one file and fails the test unless the record is
// lint-clean (no errors, no warnings).
func (fx *fixture) importBytes(t testing.TB, name string, data []byte) *imported {
	t.Helper()
	f, err := veris.Decode(name, data)
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	m, err := veris.Map(f, fx.opts)
	if err != nil {
		t.Fatalf("mapping %s: %v", name, err)
	}
	id := fmt.Sprintf("%s-%04d-0001", fx.cfg.Prefix(m.Kind), m.ReportedAt.Year())
	p := fmt.Sprintf("records/%04d/%s.yaml", m.ReportedAt.Year(), id)
	doc, text, err := m.Render(id, p)
	if err != nil {
		t.Fatalf("rendering %s: %v", name, err)
	}
	for _, fd := range fx.lint.LintDoc(doc).Findings {
		t.Errorf("%s: %s", name, fd)
	}
	rec, err := doc.Record()
	if err != nil {
		t.Fatal(err)
	}
	return &imported{file: f, mapped: m, doc: doc, rec: rec, text: text}
}

func (fx *fixture) importJSON(t testing.TB, v map[string]any) *imported {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return fx.importBytes(t, "test.json", data)
}

func (fx *fixture) export(t testing.TB, im *imported) *veris.Exported {
	t.Helper()
	x, err := veris.Export(im.rec, im.doc.Data, fx.opts)
	if err != nil {
		t.Fatalf("exporting: %v", err)
	}
	validate(t, x.Incident)
	return x
}

func testFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in testdata/%s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

func readJSON(t testing.TB, p string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := veris.Decode(p, data)
	if err != nil {
		t.Fatal(err)
	}
	return f.Data
}

// TestVCDBImportsLintClean: every real VCDB incident becomes a record that
// passes every lint rule, with the fields the mapping promises.
func TestVCDBImportsLintClean(t *testing.T) {
	fx := newFixture(t)
	for _, p := range testFiles(t, "vcdb") {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, _ := os.ReadFile(p)
			im := fx.importBytes(t, filepath.Base(p), data)
			src := im.file.Data
			if got, want := im.rec.Kind, record.KindIncident; got != want {
				t.Errorf("kind %s, want %s (VCDB incidents are Confirmed)", got, want)
			}
			if im.rec.ID[len("INC-"):len("INC-2000")] != fmt.Sprint(im.rec.Reported.At.T.Year()) {
				t.Errorf("id %s does not carry the report year %d", im.rec.ID, im.rec.Reported.At.T.Year())
			}
			if s, _ := src["summary"].(string); strings.TrimSpace(s) != "" && im.rec.Description != s {
				t.Errorf("description is not the summary")
			}
			if got := im.doc.Value("/source/veris/incident_id"); got != src["incident_id"] {
				t.Errorf("source.veris.incident_id = %v, want %v", got, src["incident_id"])
			}
			if im.rec.Assessment == nil || im.rec.Assessment.Category == "" || len(im.rec.Assessment.CIA) == 0 {
				t.Errorf("assessment incomplete: %+v", im.rec.Assessment)
			}
		})
	}
}

// TestVERISExamples imports the VERIS project's own test incidents: all
// decode and map to lint-clean records (the 1.3.4 tests carry a duplicate
// key, which is read as VERIS's Python tools read it, with a note).
func TestVERISExamples(t *testing.T) {
	fx := newFixture(t)
	for _, p := range testFiles(t, "veris-examples") {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, _ := os.ReadFile(p)
			im := fx.importBytes(t, filepath.Base(p), data)
			x := fx.export(t, im)
			checkRoundTrip(t, readJSON(t, p), x)
			if strings.Contains(p, "1_3_4-test2") {
				if !containsText(im.mapped.Notes, `duplicate key "attribute"`) {
					t.Errorf("no note of the duplicate key: %q", im.mapped.Notes)
				}
			}
		})
	}
}

func containsText(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// mappedFields are the VERIS fields the import maps to record fields;
// the round trip must give each back exactly where the original had it
// (and the 1.4.1 schema allows it).
var mappedFields = []string{
	"/incident_id", "/security_incident", "/summary", "/timeline/incident/year", "/timeline/incident/month",
	"/timeline/incident/day", "/timeline/discovery", "/timeline/compromise", "/timeline/containment",
	"/action", "/attribute", "/asset/assets", "/discovery_method",
	"/impact/overall_rating", "/impact/overall_amount", "/impact/iso_currency_code",
	"/victim/victim_id", "/reference", "/actor", "/plus/master_id",
}

// TestRoundTripVCDB: VERIS → casefile → VERIS keeps every mapped field,
// field by field, and everything else the 1.4.1 schema allows; what it
// does not allow is under plus.casefile.displaced.
func TestRoundTripVCDB(t *testing.T) {
	fx := newFixture(t)
	for _, p := range testFiles(t, "vcdb") {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, _ := os.ReadFile(p)
			im := fx.importBytes(t, filepath.Base(p), data)
			x := fx.export(t, im)
			orig := readJSON(t, p)
			checkRoundTrip(t, orig, x)
			if x.IncidentID != orig["incident_id"] {
				t.Errorf("incident_id %s, want %v", x.IncidentID, orig["incident_id"])
			}
			if x.Incident["plus"].(map[string]any)["casefile"].(map[string]any)["id"] != im.rec.ID {
				t.Errorf("plus.casefile.id is not the record ID")
			}
		})
	}
}

// checkRoundTrip compares the original with the export: every mapped
// field equal (unless displaced), every other original value present
// (unless displaced), and nothing added but schema fills and plus.casefile.
func checkRoundTrip(t *testing.T, orig map[string]any, x *veris.Exported) {
	t.Helper()
	displaced := map[string]bool{}
	for _, d := range x.Displaced {
		displaced[d.Path] = true
	}
	for _, p := range mappedFields {
		ov, ok := lookup(orig, p)
		if !ok || underDisplaced(p, displaced) || hasDisplacedBelow(p, displaced) {
			continue
		}
		ev, _ := lookup(x.Incident, p)
		if !jsonEqual(ov, ev) && !equalModuloFills(ov, ev) {
			t.Errorf("mapped field %s: got %s, want %s", p, js(ev), js(ov))
		}
	}
	compareKept(t, "", orig, x.Incident, displaced)
	compareAdded(t, "", orig, x.Incident)
}

func underDisplaced(p string, displaced map[string]bool) bool {
	for d := range displaced {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

func hasDisplacedBelow(p string, displaced map[string]bool) bool {
	for d := range displaced {
		if strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return false
}

// compareKept walks the original: each value is in the export, or was
// displaced, or (a lone value where 1.4.1 wants a list) became a list.
func compareKept(t *testing.T, p string, o, e any, displaced map[string]bool) {
	t.Helper()
	if displaced[p] {
		return
	}
	switch ov := o.(type) {
	case map[string]any:
		em, ok := e.(map[string]any)
		if !ok {
			t.Errorf("%s: export has %s, want an object", p, js(e))
			return
		}
		for k, v := range ov {
			compareKept(t, p+"/"+k, v, em[k], displaced)
		}
	case []any:
		el, ok := e.([]any)
		if !ok {
			t.Errorf("%s: export has %s, want a list", p, js(e))
			return
		}
		var kept []any
		for i, v := range ov {
			if !displaced[fmt.Sprintf("%s/%d", p, i)] {
				kept = append(kept, v)
			}
		}
		if len(kept) == 0 {
			return
		}
		if len(el) < len(kept) {
			t.Errorf("%s: export has %d items, want %d", p, len(el), len(kept))
			return
		}
		for i, v := range kept {
			compareKept(t, fmt.Sprintf("%s/%d", p, i), v, el[i], displaced)
		}
	default:
		if l, ok := e.([]any); ok && len(l) == 1 && jsonEqual(o, l[0]) {
			return
		}
		if !jsonEqual(o, e) {
			t.Errorf("%s: export has %s, want %s", p, js(e), js(o))
		}
	}
}

// compareAdded walks the export: what the original lacks must be a schema
// fill (Unknown, NA, 000, unknown: true) or casefile's plus.casefile.
func compareAdded(t *testing.T, p string, o, e any) {
	t.Helper()
	if p == "/plus/casefile" {
		return
	}
	switch ev := e.(type) {
	case map[string]any:
		om, _ := o.(map[string]any)
		for k, v := range ev {
			if p+"/"+k == "/plus/casefile" {
				continue
			}
			if ov, ok := om[k]; ok {
				compareAdded(t, p+"/"+k, ov, v)
			} else if !isFill(v) {
				t.Errorf("%s/%s: export added %s", p, k, js(v))
			}
		}
	case []any:
		ol, _ := o.([]any)
		if len(ol) == 0 && len(ev) == 1 && isFill(ev[0]) {
			return
		}
		for i, v := range ev {
			if i < len(ol) {
				compareAdded(t, fmt.Sprintf("%s/%d", p, i), ol[i], v)
			}
		}
	}
}

// equalModuloFills reports whether e is o with only schema fills added
// (a required field the original lacked) or a lone value made a list.
func equalModuloFills(o, e any) bool {
	switch ov := o.(type) {
	case map[string]any:
		em, ok := e.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range ov {
			if !equalModuloFills(v, em[k]) {
				return false
			}
		}
		for k, v := range em {
			if _, ok := ov[k]; !ok && !isFill(v) {
				return false
			}
		}
		return true
	case []any:
		el, ok := e.([]any)
		if !ok || len(el) != len(ov) {
			return ok && len(ov) == 0 && isFill(el)
		}
		for i := range ov {
			if !equalModuloFills(ov[i], el[i]) {
				return false
			}
		}
		return true
	}
	if l, ok := e.([]any); ok && len(l) == 1 {
		return jsonEqual(o, l[0])
	}
	return jsonEqual(o, e)
}

func isFill(v any) bool {
	switch t := v.(type) {
	case string:
		return t == "Unknown" || t == "NA" || t == "000"
	case bool:
		return t
	case []any:
		for _, x := range t {
			if !isFill(x) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, x := range t {
			if !isFill(x) {
				return false
			}
		}
		return true
	}
	return false
}

func lookup(v any, pointer string) (any, bool) {
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func jsonEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		af, _ := an.Float64()
		bf, _ := bn.Float64()
		return af == bf || math.Abs(af-bf) < 1e-9*math.Max(1, math.Abs(af))
	}
	if aok || bok {
		return false
	}
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap || bIsMap {
		if !aIsMap || !bIsMap || len(am) != len(bm) {
			return false
		}
		for k, v := range am {
			if !jsonEqual(v, bm[k]) {
				return false
			}
		}
		return true
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList || bIsList {
		if !aIsList || !bIsList || len(al) != len(bl) {
			return false
		}
		for i := range al {
			if !jsonEqual(al[i], bl[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
