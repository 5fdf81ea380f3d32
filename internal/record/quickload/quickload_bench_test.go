package quickload

import (
	"testing"

	"github.com/casefile/casefile/internal/gen"
)

// BenchmarkDecodeTree measures the fast decoder on a generated closed
// incident of about 3 KB, building the typed record and the JSON data
// model as lint's fast path does; compare with record's BenchmarkParse.
func BenchmarkDecodeTree(b *testing.B) {
	_, data, err := gen.SampleRecord(b.TempDir(), 3<<10)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, ok := DecodeTree(data); !ok {
		b.Fatal("the sample is not taken by the fast decoder")
	}
	d := &decoder{plan: planFor(), tree: true}
	text := string(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := d.decodeTree(text); !ok {
			b.Fatal("not decoded")
		}
	}
}
