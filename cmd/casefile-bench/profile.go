package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// microPattern selects the Go micro-benchmarks (benchstat-friendly names).
const microPattern = `^Benchmark(Parse|DecodeTree|Encode|Validate|LintDoc|LintRun1000)$`

var microPackages = []string{"./internal/record", "./internal/record/quickload", "./internal/validate", "./internal/lint"}

// microBenchmarks runs go test -bench over the loader, the validator and the
// linter and keeps the output for the report.
func (h *harness) microBenchmarks() error {
	benchtime := "1s"
	if h.opts.quick {
		benchtime = "300ms"
	}
	args := append([]string{"test", "-run", "^$", "-bench", microPattern, "-benchmem", "-benchtime", benchtime, "-count", "1"}, microPackages...)
	out, err := h.goTool(args)
	if err != nil {
		return fmt.Errorf("micro-benchmarks: %w", err)
	}
	var keep []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg:") || strings.HasPrefix(line, "cpu:") {
			keep = append(keep, line)
		}
	}
	h.micro = "go " + strings.Join(args, " ") + "\n\n" + strings.Join(keep, "\n")
	return nil
}

// profileResult is the CPU profile of lint.(*Linter).Run, broken down.
type profileResult struct {
	command string
	bench   string  // the benchmark line
	runCum  float64 // seconds in Linter.Run
	total   float64 // seconds sampled in the whole test binary
	parts   []profilePart
	top     string // pprof -top -cum, focused on Run
}

type profilePart struct {
	what string
	secs float64
}

// hotSpots are the parts of a lint run the report breaks the profile into:
// a pprof node (cumulative time) with what it stands for.
var hotSpots = []struct {
	node, what string
}{
	{"github.com/casefile/casefile/internal/record/quickload.(*Reader).ReadTree", "fast path: reading a file and decoding it into the typed record and the JSON data model (quickload.Reader.ReadTree)"},
	{"github.com/casefile/casefile/internal/record/quickload.readFile", "reading files (open, fstat, read, close; inside ReadTree)"},
	{"github.com/casefile/casefile/internal/validate.(*Validator).Valid", "JSON Schema validation on the fast path (santhosh-tekuri/jsonschema v5, validate.Valid)"},
	{"github.com/casefile/casefile/internal/lint.(*checker).run", "semantic rules (lint.checker.run, both paths)"},
	{"github.com/casefile/casefile/internal/lint.(*Linter).LintFile", "full path, for files with findings or that the fast decoder leaves (lint.LintFile: record.Load, yaml.v3, positions)"},
	{"gopkg.in/yaml%2ev3.(*Decoder).Decode", "YAML parsing into a yaml.Node tree (yaml.v3, full path only)"},
	{"runtime.gcBgMarkWorker", "garbage collector background marking (outside Run, whole process)"},
}

// profileLint CPU-profiles BenchmarkLintRun10000 (quick: 1000) and breaks
// the time in lint.(*Linter).Run down by hot spot.
func (h *harness) profileLint() error {
	bench, times := "BenchmarkLintRun10000", "3x"
	if h.opts.quick {
		bench, times = "BenchmarkLintRun1000", "10x"
	}
	prof := filepath.Join(h.work, "lint.cpu.prof")
	bin := filepath.Join(h.work, "lint.test")
	args := []string{"test", "-run", "^$", "-bench", "^" + bench + "$", "-benchtime", times, "-benchmem", "-cpuprofile", prof, "-o", bin, "./internal/lint"}
	out, err := h.goTool(args)
	if err != nil {
		return fmt.Errorf("profiling: %w", err)
	}
	p := &profileResult{command: "go " + strings.Join(args, " ")}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, bench) {
			p.bench = strings.Join(strings.Fields(line), " ")
		}
	}
	all, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=100000", bin, prof).Output()
	if err != nil {
		return fmt.Errorf("go tool pprof: %w", err)
	}
	cum := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(all)))
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "Total samples =") {
			if i := strings.Index(line, "Total samples = "); i >= 0 {
				p.total = parseSecs(strings.Fields(line[i+len("Total samples = "):])[0])
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		name := strings.Join(f[5:], " ")
		name = strings.TrimSuffix(name, " (inline)")
		if _, seen := cum[name]; !seen {
			cum[name] = parseSecs(f[3])
		}
	}
	// The workers' goroutines start at run.func1, outside Run's own stack.
	p.runCum = cum["github.com/casefile/casefile/internal/lint.(*Linter).run.func1"] + cum["github.com/casefile/casefile/internal/lint.(*Linter).Run"]
	for _, hs := range hotSpots {
		p.parts = append(p.parts, profilePart{what: hs.what, secs: cum[hs.node]})
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-focus", `lint\.\(\*Linter\)\.[Rr]un`, "-nodecount=30", bin, prof).Output()
	if err != nil {
		return fmt.Errorf("go tool pprof: %w", err)
	}
	p.top = strings.TrimSpace(string(top))
	h.profile = p
	return nil
}

// parseSecs reads pprof's durations: 1.25s, 340ms, 0.
func parseSecs(s string) float64 {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "ms"):
		mult, s = 1e-3, strings.TrimSuffix(s, "ms")
	case strings.HasSuffix(s, "us"), strings.HasSuffix(s, "µs"):
		mult, s = 1e-6, strings.TrimSuffix(strings.TrimSuffix(s, "us"), "µs")
	case strings.HasSuffix(s, "s"):
		s = strings.TrimSuffix(s, "s")
	case strings.HasSuffix(s, "min"):
		mult, s = 60, strings.TrimSuffix(s, "min")
	}
	v, _ := strconv.ParseFloat(s, 64)
	return v * mult
}

// goTool runs the go command in the repository once the machine is quiet,
// logging it; the error carries the command's output.
func (h *harness) goTool(args []string) ([]byte, error) {
	h.waitQuiet()
	h.log("go %s", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Dir = h.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%w\n%s", err, out)
	}
	return out, nil
}
