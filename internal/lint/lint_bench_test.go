package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

func benchLinter(b *testing.B) *lint.Linter {
	b.Helper()
	cfg, err := config.Default()
	if err != nil {
		b.Fatal(err)
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: gen.DefaultNow})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkLintDoc measures the checks of one parsed record of about 3 KB:
// schema validation plus every semantic rule.
func BenchmarkLintDoc(b *testing.B) {
	path, data, err := gen.SampleRecord(b.TempDir(), 3<<10)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := record.Parse(path, data)
	if err != nil {
		b.Fatal(err)
	}
	l := benchLinter(b)
	if res := l.LintDoc(doc); len(res.Findings) > 0 {
		b.Fatalf("sample has findings: %v", res.Findings[0])
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.LintDoc(doc)
	}
}

// benchRun measures lint.Run over a generated log of n records: reading,
// parsing, validating and checking every file in parallel, then the
// cross-record rules, as `casefile lint` does.
func benchRun(b *testing.B, n int) {
	dir := b.TempDir()
	if err := gen.Generate(dir, gen.Options{Records: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		b.Fatal(err)
	}
	l := benchLinter(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := l.Run(files)
		if len(res.Findings) > 0 {
			b.Fatalf("generated log has findings: %v", res.Findings[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/record")
}

// BenchmarkLintRun1000 lints 1,000 generated record files.
func BenchmarkLintRun1000(b *testing.B) { benchRun(b, 1000) }

// BenchmarkLintRun10000 lints 10,000 generated record files; the harness
// profiles it (go test -bench 'LintRun10000$' -cpuprofile).
func BenchmarkLintRun10000(b *testing.B) { benchRun(b, 10000) }

// BenchmarkLintRunRepo lints the records of an existing repository, named by
// CASEFILE_BENCH_REPO (skipped when unset), e.g. one cmd/casefile-bench
// generated under its -work folder: profile a size no other benchmark has.
func BenchmarkLintRunRepo(b *testing.B) {
	dir := os.Getenv("CASEFILE_BENCH_REPO")
	if dir == "" {
		b.Skip("CASEFILE_BENCH_REPO is not set")
	}
	files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		b.Fatal(err)
	}
	l := benchLinter(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.Run(files)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(files)), "µs/record")
}
