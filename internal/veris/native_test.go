package veris_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/veris"
)

// TestExportNativeRecords: the records of the bundled example log, which
// never were VERIS, export as valid VERIS 1.4.1; imported back (into a log
// with the same configuration) they give lint-clean records that keep the
// decision, the category, the dates, the cost and the text.
func TestExportNativeRecords(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "examples", config.FileName))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{cfg: cfg, lint: l, opts: veris.Options{Config: cfg, Now: testNow, Importer: "importer@example.com"}}
	files, err := lint.Collect([]string{filepath.Join("..", "..", "examples", config.RecordsDir)})
	if err != nil || len(files) == 0 {
		t.Fatalf("no example records: %v", err)
	}
	exported := 0
	for _, ld := range record.LoadFiles(files) {
		if ld.Err != nil {
			t.Fatal(ld.Err)
		}
		r := ld.Record
		if r.Kind == record.KindDrill {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			x, err := veris.Export(r, ld.Doc.Data, fx.opts)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, x.Incident)
			exported++
			if want := veris.DerivedID(cfg.Organisation.Name, r.ID); x.IncidentID != want || x.FileName != want+".json" {
				t.Errorf("incident_id %s, file %s; want the derived %s", x.IncidentID, x.FileName, want)
			}
			if x.Incident["summary"] != r.Description {
				t.Errorf("summary is not the description")
			}
			data, err := json.Marshal(x.Incident)
			if err != nil {
				t.Fatal(err)
			}
			back := fx.importBytes(t, x.FileName, data)
			b := back.rec
			if r.Assessment != nil && b.Assessment.IsIncident != r.Assessment.IsIncident {
				t.Errorf("is_incident %v, want %v", b.Assessment.IsIncident, r.Assessment.IsIncident)
			}
			if r.Status == record.StatusRejected && b.Status != record.StatusRejected {
				t.Errorf("a rejected record came back %s", b.Status)
			}
			if c := r.Category(); c != "" && b.Category() != c {
				t.Errorf("category %s came back as %s", c, b.Category())
			}
			if r.OccurredAt.IsSet() && !strings.HasPrefix(r.OccurredAt.Raw, b.OccurredAt.Raw) {
				t.Errorf("occurred_at %s came back as %s", r.OccurredAt.Raw, b.OccurredAt.Raw)
			}
			if r.Cost != nil && (b.Cost == nil || b.Cost.Amount != r.Cost.Amount || b.Cost.Currency != r.Cost.Currency) {
				t.Errorf("cost %+v came back as %+v", r.Cost, b.Cost)
			}
			if b.Description != r.Description {
				t.Errorf("description changed")
			}
		})
	}
	if exported == 0 {
		t.Fatal("nothing exported")
	}
}
