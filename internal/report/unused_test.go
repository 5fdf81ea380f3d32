package report

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

// TestUnusedFields: each report comes out byte for byte the same from
// records loaded without the fields it declares unused (and with the
// loader's buffer reused, so a string kept by mistake would show).
func TestUnusedFields(t *testing.T) {
	genDir := t.TempDir()
	if err := gen.Generate(genDir, gen.Options{Records: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	randDir := t.TempDir()
	writeRandomLog(t, randDir, 300, 3)
	for _, dir := range []string{examplesDir, genDir, randDir} {
		full, cfg := loadDir(t, dir)
		files, err := lint.Collect([]string{filepath.Join(dir, "records")})
		if err != nil {
			t.Fatal(err)
		}
		load := func(omit []string) []*record.Record {
			res, _ := quickload.Files(files, quickload.Options{Omit: omit}, nil)
			var out []*record.Record
			for _, r := range res {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				out = append(out, r.Record)
			}
			return out
		}
		render := func(recs []*record.Record, which string) []byte {
			var b bytes.Buffer
			var ws []func(io.Writer) error
			switch which {
			case "log":
				r := Log(recs, cfg, LogOptions{Now: goldenNow, Stamp: goldenStamp})
				ws = []func(io.Writer) error{r.Markdown, r.JSON, r.HTML, func(w io.Writer) error { return r.CSV(w, CSVOptions{}) }}
			case "trends":
				r := Trends(recs, cfg, TrendOptions{Now: goldenNow, Stamp: goldenStamp, Range: Range{From: day(2025, 1, 1)}})
				ws = []func(io.Writer) error{r.Markdown, r.JSON, r.HTML}
			case "review":
				r, err := Review(recs, cfg, ReviewOptions{Period: "2025", Now: goldenNow, Stamp: goldenStamp, CostThreshold: 1000})
				if err != nil {
					t.Fatal(err)
				}
				ws = []func(io.Writer) error{r.Markdown, r.JSON, r.HTML}
			}
			for _, w := range ws {
				if err := w(&b); err != nil {
					t.Fatal(err)
				}
			}
			return b.Bytes()
		}
		for which, unused := range map[string][]string{"log": LogUnused, "trends": TrendsUnused, "review": ReviewUnused} {
			slim := load(unused)
			if !bytes.Equal(render(full, which), render(slim, which)) {
				t.Errorf("%s: the %s report differs without its unused fields", dir, which)
			}
			if which == "trends" {
				for _, r := range slim {
					if r.Description != "" || r.Actions != nil || r.Evidence != nil {
						t.Fatalf("%s: %s kept an omitted field", dir, r.ID)
					}
				}
			}
		}
	}
}
