package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

var (
	benchMu   sync.Mutex
	benchDirs = map[int]string{}
)

// benchRepo generates a repository of n records once per process.
func benchRepo(b *testing.B, n int) string {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchDirs[n]; ok {
		return d
	}
	d, err := os.MkdirTemp("", fmt.Sprintf("casefile-bench-report-%d-", n))
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.Generate(d, gen.Options{Records: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	benchDirs[n] = d
	return d
}

// BenchmarkTrends measures what casefile report trends does: find the
// record files, read them (the fast decoder, falling back to the full
// loader), compute the trends and render the HTML report. Sizes above
// 10,000 records run with CASEFILE_BENCH_LARGE=1 (the target: 100,000
// records in at most 5 s and 1 GiB).
func BenchmarkTrends(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("CASEFILE_BENCH_LARGE") == "1" {
		sizes = append(sizes, 100000)
	}
	cfg, err := config.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			dir := benchRepo(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			var peak uint64
			for b.Loop() {
				files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
				if err != nil {
					b.Fatal(err)
				}
				res, stats := quickload.Files(files, quickload.Options{}, nil)
				if stats.Full > 0 {
					b.Fatalf("%d generated records took the full loader", stats.Full)
				}
				recs := make([]*record.Record, 0, len(res))
				for _, r := range res {
					recs = append(recs, r.Record)
				}
				rep := Trends(recs, cfg, TrendOptions{Now: gen.DefaultNow})
				if rep.Records != n {
					b.Fatalf("%d records in the report, want %d", rep.Records, n)
				}
				if err := rep.HTML(io.Discard); err != nil {
					b.Fatal(err)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			b.ReportMetric(float64(peak)/(1<<20), "MiB-heap")
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "records/s")
		})
	}
}

// BenchmarkTrendsCompute measures the trend computation alone, on records
// already in memory.
func BenchmarkTrendsCompute(b *testing.B) {
	dir := benchRepo(b, 10000)
	cfg, _ := config.Default()
	files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		b.Fatal(err)
	}
	res, _ := quickload.Files(files, quickload.Options{}, nil)
	recs := make([]*record.Record, 0, len(res))
	for _, r := range res {
		recs = append(recs, r.Record)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Trends(recs, cfg, TrendOptions{Now: gen.DefaultNow})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
