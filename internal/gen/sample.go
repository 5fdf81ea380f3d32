package gen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/casefile/casefile/internal/config"
)

// SampleRecord generates a small log (200 records, seed 1) into dir and
// returns the incident record whose file size is closest to size bytes: a
// realistic single record for micro-benchmarks of the loader, the validator
// and the linter.
func SampleRecord(dir string, size int) (path string, data []byte, err error) {
	if err := Generate(dir, Options{Records: 200, Seed: 1}); err != nil {
		return "", nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, config.RecordsDir, "*", prefixes["incident"]+"-*.yaml"))
	if err != nil {
		return "", nil, fmt.Errorf("gen: listing samples: %w", err)
	}
	best := -1
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", nil, fmt.Errorf("gen: reading sample: %w", err)
		}
		if !strings.Contains(string(b), "\nstatus: closed\n") {
			continue
		}
		if d := abs(len(b) - size); best < 0 || d < best {
			best, path, data = d, f, b
		}
	}
	if path == "" {
		return "", nil, fmt.Errorf("gen: no closed incident among %d samples", len(files))
	}
	return path, data, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
