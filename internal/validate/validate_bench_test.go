package validate_test

import (
	"testing"

	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/validate"
)

// BenchmarkValidate measures schema validation of one parsed, valid record
// of about 3 KB, including the mapping of errors to positions (none here).
func BenchmarkValidate(b *testing.B) {
	path, data, err := gen.SampleRecord(b.TempDir(), 3<<10)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := record.Parse(path, data)
	if err != nil {
		b.Fatal(err)
	}
	v, err := validate.Record()
	if err != nil {
		b.Fatal(err)
	}
	if probs := v.Validate(doc); len(probs) > 0 {
		b.Fatalf("sample is invalid: %v", probs[0])
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.Validate(doc)
	}
}
