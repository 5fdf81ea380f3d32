package lint

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

// sameFindings runs the fast path and the full loader alone over files and
// fails on any difference in the results.
func sameFindings(t *testing.T, name string, cfg *config.Config, now time.Time, files []string) *Result {
	t.Helper()
	l, err := New(Options{Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	fast, full := l.run(files, true), l.run(files, false)
	// LintData (verify's per-record check of git blobs) gives, file by
	// file, the findings LintFile gives.
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := l.LintFile(f)
		got, rec := l.LintData(f, data)
		if fi, err := os.Lstat(f); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			continue // LintFile refuses a symbolic link before reading it
		}
		if !reflect.DeepEqual(got.Findings, want.Findings) || got.ID != want.ID {
			t.Errorf("%s: LintData gives %v (id %q), LintFile %v (id %q)", f, got.Findings, got.ID, want.Findings, want.ID)
		}
		// The record it returns is the one the full loader reads.
		var wantRec *record.Record
		if d, err := record.Parse(f, data); err == nil {
			wantRec, _ = d.Record()
		}
		if !reflect.DeepEqual(rec, wantRec) {
			t.Errorf("%s: LintData returns record %+v, the full loader %+v", f, rec, wantRec)
		}
	}
	if !reflect.DeepEqual(fast, full) {
		t.Errorf("%s: the fast path and the full loader disagree", name)
		for i := 0; i < max(len(fast.Findings), len(full.Findings)); i++ {
			var a, b Finding
			if i < len(fast.Findings) {
				a = fast.Findings[i]
			}
			if i < len(full.Findings) {
				b = full.Findings[i]
			}
			if a != b {
				t.Errorf("finding %d:\n fast %v\n full %v", i, a, b)
				break
			}
		}
	}
	return full
}

// exampleLog is examples/ (the example log and every broken record of
// examples/invalid): its configuration and record files.
func exampleLog(t *testing.T) (*config.Config, []string) {
	t.Helper()
	root, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ForRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Collect([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, files
}

// TestFastPathExamples: on the example log and every broken record of
// examples/invalid, lint gives what the full loader alone gives.
func TestFastPathExamples(t *testing.T) {
	cfg, files := exampleLog(t)
	res := sameFindings(t, "examples", cfg, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), files)
	if len(res.Findings) == 0 {
		t.Fatal("examples/invalid gave no findings")
	}
}

// TestFastPathMutations generates a log, breaks copies of its records at
// random (lines dropped, duplicated, swapped, values changed, IDs reused)
// and holds the fast path to the full loader on all of them: the same
// findings at the same positions, the cross-record rules included.
func TestFastPathMutations(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Generate(dir, gen.Options{Records: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ForRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		t.Fatal(err)
	}
	clean := sameFindings(t, "generated", cfg, gen.DefaultNow, files)
	if len(clean.Findings) > 0 {
		t.Fatalf("generated log has findings: %v", clean.Findings[0])
	}

	r := rand.New(rand.NewPCG(3, 4))
	values := []string{
		"2030-01-01T00:00:00Z", "2019-01-01T00:00:00Z", "closed", "open", "reported", "contained",
		"SEV1", "SEV9", "incident", "event", "true", "false", "", "x", "2026-13-01", "EVT-2020-0001", "-1", "3.5",
	}
	n := 600
	if testing.Short() {
		n = 150
	}
	mutated := make([]string, 0, n)
	mdir := filepath.Join(dir, config.RecordsDir, "mutated")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		src := files[r.IntN(len(files))]
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		for range 1 + r.IntN(2) {
			k := r.IntN(len(lines))
			switch r.IntN(4) {
			case 0: // drop a line
				lines = append(lines[:k], lines[k+1:]...)
			case 1: // duplicate a line
				lines = append(lines[:k+1], lines[k:]...)
			case 2: // swap two lines
				j := r.IntN(len(lines))
				lines[k], lines[j] = lines[j], lines[k]
			case 3: // change a value
				if c := bytes.Index(lines[k], []byte(": ")); c > 0 {
					v := values[r.IntN(len(values))]
					lines[k] = []byte(fmt.Sprintf("%s: %s\n", lines[k][:c], v))
				}
			}
		}
		// Most keep the source's file name, so the ID rules see them
		// (file name, uniqueness); some get a name of their own.
		name := filepath.Base(src)
		if i%5 == 0 {
			name = fmt.Sprintf("M-%04d.yaml", i)
		}
		sub := filepath.Join(mdir, fmt.Sprint(i))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(sub, name)
		if err := os.WriteFile(p, bytes.Join(lines, nil), 0o644); err != nil {
			t.Fatal(err)
		}
		mutated = append(mutated, p)
	}
	all := append(append([]string(nil), files...), mutated...)
	res := sameFindings(t, "mutated", cfg, gen.DefaultNow, all)

	// The test is only worth something when the fast decoder reads many
	// of the broken files and the schema or the rules then find the
	// problems.
	withFindings := map[string]bool{}
	for _, f := range res.Findings {
		withFindings[f.File] = true
	}
	decoded := 0
	qr := quickload.NewReader()
	for _, p := range mutated {
		if _, _, ok := qr.ReadTree(p); ok && withFindings[p] {
			decoded++
		}
	}
	t.Logf("%d mutated files, %d findings; %d files read by the fast decoder and then found at fault", len(mutated), len(res.Findings), decoded)
	if decoded < n/4 {
		t.Errorf("only %d of %d mutated files were read by the fast decoder and had findings", decoded, n)
	}
}
