package veris_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/veris"
)

// FuzzImport: whatever bytes a VERIS file holds, the importer never
// panics; it refuses the file with a *veris.Error naming it, or maps it to
// a record that renders, loads, passes lint without an error finding and
// exports as VERIS that validates against the vendored schema. The seed
// corpus is the real VCDB incidents and the VERIS project's examples in
// testdata (CC BY-SA 4.0, see ATTRIBUTION.md), plus the shapes hostile
// files take; crashers land in testdata/fuzz/FuzzImport and run with
// every go test.
func FuzzImport(f *testing.F) {
	for _, dir := range []string{"vcdb", "veris-examples"} {
		for _, p := range testFiles(f, dir) {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{
		`{}`,
		`[]`,
		"\xef\xbb\xbf{\"incident_id\": \"bom\"}",
		`{"incident_id": "a", "incident_id": "b"}`,
		`{"timeline": {"incident": {"year": 99999, "month": 13, "day": 32}}}`,
		`{"timeline": {"incident": {"year": "2019"}, "discovery": {"unit": "Days", "value": -1e308}}}`,
		`{"impact": {"overall_amount": 1e400, "iso_currency_code": "EUR"}}`,
		`{"summary": "\u202etxt.exe\u0000\r\n", "victim": {"victim_id": "\u200b"}}`,
		`{"action": {"hacking": {"variety": ["Unknown"]}, "malware": {"variety": [1, null, {}]}}}`,
		`{"security_incident": "False positive", "plus": {"created": "9999-12-31T23:59:59Z", "master_id": ""}}`,
		`{"reference": "https://a.example/x;http://b.example/(y)"}`,
	} {
		f.Add([]byte(s))
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := veris.Decode("f.json", data)
		if err != nil {
			var ve *veris.Error
			if !errors.As(err, &ve) || ve.File != "f.json" || ve.Msg == "" {
				t.Fatalf("decode error %T does not name the file: %v", err, err)
			}
			return
		}
		m, err := veris.Map(file, fx.opts)
		if err != nil {
			t.Fatalf("the default taxonomy always has a category, yet: %v", err)
		}
		id := fmt.Sprintf("%s-%04d-0001", fx.cfg.Prefix(m.Kind), m.ReportedAt.Year())
		doc, _, err := m.Render(id, "records/"+id[4:8]+"/"+id+".yaml")
		if err != nil {
			t.Fatalf("rendering: %v", err)
		}
		for _, fd := range fx.lint.LintDoc(doc).Findings {
			if fd.Severity == lint.Error {
				t.Fatalf("the import made a record lint refuses: %s", fd)
			}
		}
		rec, err := doc.Record()
		if err != nil {
			t.Fatalf("the record does not load: %v", err)
		}
		if _, err := veris.Export(rec, doc.Data, fx.opts); err != nil {
			t.Fatalf("exporting the imported record: %v", err)
		}
	})
}
