// Command casefile-bench is casefile's benchmark harness (`make bench`, via
// bench/run.sh). It builds casefile, generates records repositories of two
// sizes, times casefile's commands side by side with peer tools doing the
// same job (runs alternating, medians, ratios, peak RSS), runs the Go
// micro-benchmarks, profiles lint, and writes BENCHMARKS.md.
//
// Usage:
//
//	go run ./cmd/casefile-bench [-quick] [-out BENCHMARKS.md] [-work DIR]
//
// -quick (or BENCH_QUICK=1) uses 1,000 and 10,000 records instead of 10,000
// and 100,000. Peers are found in bench/ (npm ci there installs ajv-cli) and
// at /usr/bin/python3 (python3-jsonschema, python3-yaml); a missing peer is
// skipped and the report says so.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	quick     bool
	out       string
	work      string
	runs      int
	runsLarge int
	budget    time.Duration
	micro     bool
	profile   bool
	casefile  string
	quietWait time.Duration
}

func main() {
	if err := run1(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "casefile-bench:", err)
		os.Exit(1)
	}
}

func run1(args []string) error {
	var o options
	fs := flag.NewFlagSet("casefile-bench", flag.ContinueOnError)
	fs.BoolVar(&o.quick, "quick", os.Getenv("BENCH_QUICK") == "1", "small sizes (1,000 and 10,000 records); also BENCH_QUICK=1")
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	fs.StringVar(&o.work, "work", filepath.Join(os.TempDir(), "casefile-bench"), "folder for the build, the generated repositories and profiles")
	fs.IntVar(&o.runs, "runs", 0, "timed runs per command at the smaller size (default 5, quick 3)")
	fs.IntVar(&o.runsLarge, "runs-large", 0, "timed runs per command at the larger size (default 3)")
	fs.DurationVar(&o.budget, "budget", 0, "time one run of a peer may take at one size before the peer gets fewer runs (default 150s, quick 25s)")
	fs.StringVar(&o.casefile, "casefile", "", "use this casefile binary instead of building ./cmd/casefile")
	fs.DurationVar(&o.quietWait, "quiet-wait", 0, "before each run, wait up to this long for other processes to leave the CPUs idle (default 30s, quick 5s; at most 8× that in all)")
	fs.BoolVar(&o.micro, "micro", true, "run the Go micro-benchmarks (go test -bench)")
	fs.BoolVar(&o.profile, "profile", true, "CPU-profile lint.Run and report the hot spots")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	sizes := []int{10000, 100000}
	if o.quick {
		sizes = []int{1000, 10000}
	}
	if o.runs == 0 {
		o.runs = 5
		if o.quick {
			o.runs = 3
		}
	}
	if o.runsLarge == 0 {
		o.runsLarge = 3
	}
	if o.budget == 0 {
		o.budget = 150 * time.Second
		if o.quick {
			o.budget = 25 * time.Second
		}
	}
	if o.quietWait == 0 {
		o.quietWait = 30 * time.Second
		if o.quick {
			o.quietWait = 5 * time.Second
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return fmt.Errorf("creating work folder: %w", err)
	}
	work, err := filepath.Abs(o.work)
	if err != nil {
		return err
	}
	h := &harness{
		opts: o, root: root, benchDir: filepath.Join(root, "bench"), work: work, started: time.Now(), sizes: sizes,
		repos: map[int]string{}, genTime: map[int]time.Duration{}, repoMB: map[int]float64{},
		skipped: map[string]string{}, cells: map[cellKey]*cell{},
		facts: map[string]string{}, fixtureTime: map[string]time.Duration{},
	}
	h.cpu0 = readCPU()
	h.waitLeft = 8 * o.quietWait
	start := h.started
	h.log = func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	if err := h.setup(); err != nil {
		return err
	}
	if err := h.measure(); err != nil {
		return err
	}
	// The Go benchmarks compile the working tree, which other work may
	// have broken for a moment: report that instead of losing the timings.
	if o.micro {
		if err := h.microBenchmarks(); err != nil {
			h.problems = append(h.problems, err.Error())
			h.log("%v", err)
		}
	}
	if o.profile {
		if err := h.profileLint(); err != nil {
			h.problems = append(h.problems, err.Error())
			h.log("%v", err)
		}
	}
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.WriteFile(out, []byte(h.report()), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	h.log("wrote %s", out)
	return nil
}

// moduleRoot finds the casefile module above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module github.com/casefile/casefile\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run casefile-bench inside the casefile module")
		}
		dir = parent
	}
}

// setup builds casefile, writes the schema the peers validate against and
// finds the peers.
func (h *harness) setup() error {
	if h.opts.casefile != "" {
		p, err := filepath.Abs(h.opts.casefile)
		if err != nil {
			return err
		}
		h.casefile = p
	} else {
		h.casefile = filepath.Join(h.work, "casefile")
		h.log("building %s", h.casefile)
		build := exec.Command("go", "build", "-o", h.casefile, "./cmd/casefile")
		build.Dir = h.root
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building casefile: %w\n%s", err, out)
		}
	}
	schema, err := exec.Command(h.casefile, "schema", "record").Output()
	if err != nil {
		return fmt.Errorf("casefile schema record: %w", err)
	}
	h.schema = filepath.Join(h.work, "record.schema.json")
	if err := os.WriteFile(h.schema, schema, 0o644); err != nil {
		return fmt.Errorf("writing schema: %w", err)
	}
	if p, err := exec.LookPath("node"); err == nil {
		h.node = p
	}
	h.ajvCLI = filepath.Join(h.benchDir, "node_modules", "ajv-cli", "dist", "index.js")
	h.ajvShim = filepath.Join(h.benchDir, "ajv-yaml-core.js")
	h.python = "/usr/bin/python3"
	h.pyScript = filepath.Join(h.benchDir, "pyvalidate.py")
	if fi, err := os.Stat("/usr/bin/time"); err == nil && !fi.IsDir() {
		h.timeBin = "/usr/bin/time"
	}
	return nil
}
