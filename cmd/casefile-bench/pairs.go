package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The table of what is measured. A command is one program the harness times
// in a fixture (a prepared repository of a given size); a pair sets one of
// casefile's commands side by side with a peer doing the same job; a target
// is a goal the results are checked against. Adding a comparison is a
// command entry for the peer (and for casefile's side when new), a pair
// entry, and, when the job needs another kind of repository, a fixture.
//
// Planned, once the commands exist: verify vs git log --show-signature,
// new vs git commit -S, history vs git log -- path, report trends, import
// veris.

// now is the clock every lint run checks against: the generated records all
// lie before it.
const now = "2026-12-01T00:00:00Z"

// command is one timed program.
type command struct {
	ID    string // key in pairs and results
	Label string // how tables name it
	Peer  bool   // not casefile
	// Fixture names the repository kind the command runs in (see fixtures).
	Fixture string
	// Args returns the argv to run with the repository as working
	// directory.
	Args func(h *harness) []string
	// Needs returns why the command cannot run on this machine, or "".
	Needs func(h *harness) string
	// Check decides whether a run did the expected work on n records.
	Check func(n int, r *run) error
	// Runs caps the samples per size (0: the size's default).
	Runs int
	// Note documents what the command does or why it is set up so.
	Note string
}

// pair compares casefile (Ours) with a peer, or with itself at another
// size; MinRatio is the peer's median over ours that the pair must reach
// (0: reported only).
type pair struct {
	Name     string
	Ours     string
	Peer     string // "" for a baseline measured alone
	MinRatio float64
}

// fixtures prepare a repository of n records and return its path.
var fixtures = map[string]func(h *harness, n int) (string, error){
	"records": (*harness).recordsRepo,
}

var commands = []command{
	{
		ID: "lint", Label: "casefile lint", Fixture: "records",
		Args: func(h *harness) []string { return []string{h.casefile, "lint", "--now", now} },
		Check: func(n int, r *run) error {
			want := fmt.Sprintf("casefile lint: %d files checked, 0 errors, 0 warnings", n)
			if r.exit != 0 || !strings.Contains(r.stderr.String(), want) {
				return fmt.Errorf("exit %d, want 0 and %q; stderr: %s", r.exit, want, r.stderr.brief())
			}
			return nil
		},
		Note: "whole repository: casefile.yaml defaults, schema validation, every semantic rule, id-unique across all files; files in parallel (GOMAXPROCS workers)",
	},
	{
		ID: "list", Label: "casefile list", Fixture: "records",
		Args: func(h *harness) []string { return []string{h.casefile, "list"} },
		Check: func(n int, r *run) error {
			if r.exit != 0 || r.stdout.lines != n+1 {
				return fmt.Errorf("exit %d and %d lines, want 0 and %d (header + one per record)", r.exit, r.stdout.lines, n+1)
			}
			return nil
		},
		Note: "read-all baseline: loads and decodes every record (no schema, no rules), sorts and prints a table",
	},
	{
		ID: "ajv", Label: "ajv-cli (YAML core schema)", Peer: true, Fixture: "records",
		Args: func(h *harness) []string {
			return []string{h.node, h.ajvCLI, "validate", "--spec=draft2020", "-c", "ajv-formats", "-c", h.ajvShim,
				"--strict=false", "--errors=line", "-s", h.schema, "-d", "records/**/*.yaml"}
		},
		Needs: needsAjv,
		Check: func(n int, r *run) error {
			if r.exit != 0 || r.stdout.lines != n {
				return fmt.Errorf("exit %d and %d lines, want 0 and %d \"valid\" lines; stderr: %s", r.exit, r.stdout.lines, n, r.stderr.brief())
			}
			return nil
		},
		Note: "ajv-cli 5 with bench/ajv-yaml-core.js, which makes its js-yaml keep timestamps as strings (YAML 1.2 core schema, casefile's data model); otherwise ajv-cli's own glob, parser, ajv 8 (draft 2020-12) and ajv-formats",
	},
	{
		ID: "ajv-stock", Label: "ajv-cli (as shipped)", Peer: true, Fixture: "records", Runs: 2,
		Args: func(h *harness) []string {
			return []string{h.node, h.ajvCLI, "validate", "--spec=draft2020", "-c", "ajv-formats",
				"--strict=false", "--errors=line", "-s", h.schema, "-d", "records/**/*.yaml"}
		},
		Needs: needsAjv,
		Check: func(n int, r *run) error {
			// js-yaml 3's default schema turns every timestamp into a Date,
			// so every record fails `type: string`: two stderr lines each.
			if r.exit != 1 || r.stderr.lines != 2*n {
				return fmt.Errorf("exit %d and %d stderr lines, expected 1 and %d (every record rejected)", r.exit, r.stderr.lines, 2*n)
			}
			return nil
		},
		Note: "unmodified ajv-cli: rejects every record (js-yaml 3 safeLoad turns unquoted timestamps into Date objects, which fail `type: string`); timed anyway, with the error output it produces",
	},
	{
		ID: "python", Label: "python3-jsonschema", Peer: true, Fixture: "records", Runs: 3,
		Args: func(h *harness) []string { return []string{h.python, h.pyScript, h.schema, "records"} },
		Needs: func(h *harness) string {
			if err := exec.Command(h.python, "-c", "import jsonschema, yaml").Run(); err != nil {
				return h.python + " cannot import jsonschema and yaml (apt-get install python3-jsonschema python3-yaml)"
			}
			return ""
		},
		Check: func(n int, r *run) error {
			want := fmt.Sprintf("pyvalidate: %d files checked, 0 invalid", n)
			if r.exit != 0 || !strings.Contains(r.stderr.String(), want) {
				return fmt.Errorf("exit %d, want 0 and %q; stderr: %s", r.exit, want, r.stderr.brief())
			}
			return nil
		},
		Note: "bench/pyvalidate.py: PyYAML C SafeLoader without the timestamp resolver, Draft202012Validator with a format checker (date-time added: Debian lacks rfc3339-validator)",
	},
}

var pairs = []pair{
	{Name: "lint vs ajv-cli (same data model)", Ours: "lint", Peer: "ajv", MinRatio: 2},
	{Name: "lint vs python3-jsonschema", Ours: "lint", Peer: "python"},
	{Name: "lint vs ajv-cli as shipped (rejects every record)", Ours: "lint", Peer: "ajv-stock"},
	{Name: "list (read-all baseline) vs lint", Ours: "list", Peer: "lint"},
}

// target is a goal checked against the medians.
type target struct {
	Desc string
	// Eval returns whether the target is met, the figure it was judged on,
	// and false when the run has no data for it.
	Eval func(h *harness) (met bool, figure string, ok bool)
	// Uses lists the command IDs and sizes whose timings the target
	// depends on (nil sizes: all), so a disturbed run makes it
	// inconclusive.
	Uses  []string
	Sizes func(h *harness) []int
}

var targets = []target{
	{
		Desc: "casefile lint of 10,000 records ≤ 1 s (2 cores)", Uses: []string{"lint"},
		Sizes: func(*harness) []int { return []int{10000} },
		Eval: func(h *harness) (bool, string, bool) {
			c := h.cell("lint", 10000)
			if c == nil || len(c.samples) == 0 {
				return false, "", false
			}
			m := c.median()
			return m.Seconds() <= 1, fmtDur(m), true
		},
	},
	{
		Desc: "casefile lint scales linearly: 10× the records ≤ 10× the time", Uses: []string{"lint"},
		Eval: func(h *harness) (bool, string, bool) {
			small, large := h.cell("lint", h.sizes[0]), h.cell("lint", h.sizes[len(h.sizes)-1])
			if small == nil || large == nil || len(small.samples) == 0 || len(large.samples) == 0 {
				return false, "", false
			}
			records := float64(h.sizes[len(h.sizes)-1]) / float64(h.sizes[0])
			r := large.median().Seconds() / small.median().Seconds()
			fr := large.fastest().Seconds() / small.fastest().Seconds()
			return r <= records, fmt.Sprintf("%.1f× for %.0f× the records (%s → %s); fastest runs %.1f×", r, records, fmtCount(h.sizes[0]), fmtCount(h.sizes[len(h.sizes)-1]), fr), true
		},
	},
	{
		Desc: "casefile lint ≥ 2× faster than ajv-cli (same data model), at every size", Uses: []string{"lint", "ajv"},
		Eval: func(h *harness) (bool, string, bool) {
			var parts []string
			met, any := true, false
			for _, n := range h.sizes {
				r, ok := h.ratio("lint", "ajv", n)
				if !ok {
					continue
				}
				fr, _ := h.fastestRatio("lint", "ajv", n)
				any = true
				met = met && r >= 2
				parts = append(parts, fmt.Sprintf("%.2f× at %s (fastest runs %.2f×)", r, fmtCount(n), fr))
			}
			return met, strings.Join(parts, ", "), any
		},
	},
}

func needsAjv(h *harness) string {
	if h.node == "" {
		return "node is not installed"
	}
	if _, err := os.Stat(h.ajvCLI); err != nil {
		return "ajv-cli is not installed (cd bench && npm ci)"
	}
	if _, err := os.Stat(filepath.Join(h.benchDir, "node_modules", "ajv-formats")); err != nil {
		return "ajv-formats is not installed (cd bench && npm ci)"
	}
	return ""
}

func commandByID(id string) *command {
	for i := range commands {
		if commands[i].ID == id {
			return &commands[i]
		}
	}
	return nil
}
