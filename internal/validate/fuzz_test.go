package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/casefile/casefile/internal/record"
)

// FuzzValidate runs the schema validator over whatever the record loader
// accepts: it must not panic, Valid must agree with Validate, and every
// problem must point into the file it names.
func FuzzValidate(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/records/*/*.yaml")
	invalid, _ := filepath.Glob("../../examples/invalid/*/*.yaml")
	for _, p := range append(seeds, invalid...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("schema_version: 1\nid: INC-2026-0001\nkind: incident\n"))
	v, err := Record()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := record.Parse("r.yaml", data)
		if err != nil {
			return
		}
		probs := v.Validate(doc)
		if v.Valid(doc) != (len(probs) == 0) {
			t.Fatalf("Valid = %v but Validate gives %d problems", v.Valid(doc), len(probs))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range probs {
			if p.File != "r.yaml" || p.Line < 1 || p.Line > lines || p.Column < 1 {
				t.Fatalf("problem outside the file (%d lines): %+v", lines, p)
			}
			if p.Msg == "" || p.Rule == "" {
				t.Fatalf("problem without message or rule: %+v", p)
			}
		}
	})
}
