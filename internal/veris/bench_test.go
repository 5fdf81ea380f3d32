package veris_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/casefile/casefile/internal/veris"
)

// BenchmarkMap measures the per-incident work of an import without the
// repository: decode, map, render the record and lint it (one op is one
// VCDB file; the sample's 38 files in turn).
func BenchmarkMap(b *testing.B) {
	fx := newFixture(b)
	var data [][]byte
	for _, p := range testFiles(b, "vcdb") {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := data[i%len(data)]
		i++
		f, err := veris.Decode("f.json", d)
		if err != nil {
			b.Fatal(err)
		}
		m, err := veris.Map(f, fx.opts)
		if err != nil {
			b.Fatal(err)
		}
		id := fmt.Sprintf("%s-%04d-0001", fx.cfg.Prefix(m.Kind), m.ReportedAt.Year())
		doc, _, err := m.Render(id, filepath.Join("records", id[4:8], id+".yaml"))
		if err != nil {
			b.Fatal(err)
		}
		if len(fx.lint.LintDoc(doc).Findings) != 0 {
			b.Fatal("findings")
		}
	}
}

// BenchmarkExport measures exporting an imported VCDB record.
func BenchmarkExport(b *testing.B) {
	fx := newFixture(b)
	var ims []*imported
	for _, p := range testFiles(b, "vcdb") {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		ims = append(ims, fx.importBytes(b, filepath.Base(p), d))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		im := ims[i%len(ims)]
		i++
		if _, err := veris.Export(im.rec, im.doc.Data, fx.opts); err != nil {
			b.Fatal(err)
		}
	}
}
