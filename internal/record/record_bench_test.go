package record_test

import (
	"testing"

	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/record"
)

// sample is a generated closed incident of about 3 KB: assessment, roles,
// actions, evidence, corrective actions, root cause and lessons.
func sample(b *testing.B) (string, []byte) {
	b.Helper()
	path, data, err := gen.SampleRecord(b.TempDir(), 3<<10)
	if err != nil {
		b.Fatal(err)
	}
	return path, data
}

// BenchmarkParse measures the record loader: UTF-8 and control-character
// checks, YAML parsing and the conversion to the JSON data model.
func BenchmarkParse(b *testing.B) {
	path, data := sample(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := record.Parse(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode measures the canonical writer on a parsed record.
func BenchmarkEncode(b *testing.B) {
	path, data := sample(b)
	doc, err := record.Parse(path, data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := doc.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
