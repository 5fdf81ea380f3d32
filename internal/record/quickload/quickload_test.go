package quickload

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/record"
)

// slow decodes data the authoritative way: record.Parse and Doc.Record, what
// record.LoadFiles does; doc.Data is the JSON data model.
func slow(data []byte) (*record.Record, *record.Doc, error) {
	doc, err := record.Parse("test.yaml", data)
	if err != nil {
		return nil, nil, err
	}
	rec, err := doc.Record()
	return rec, doc, err
}

// check holds the fast decoder to its contract: when it accepts data, the
// full loader accepts it too and yields the same record; and when
// DecodeTree accepts it, the same record and the same JSON data model.
// It reports whether Decode took the fast path.
func check(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, ok := Decode(data)
	trec, tree, tok := DecodeTree(data)
	if tok && !ok {
		t.Errorf("%s: DecodeTree accepted what Decode refuses:\n%s", name, data)
	}
	if !ok {
		return false
	}
	want, doc, err := slow(data)
	if err != nil {
		t.Errorf("%s: fast decoder accepted what the loader refuses (%v):\n%s", name, err, data)
		return true
	}
	if !reflect.DeepEqual(fast, want) {
		t.Errorf("%s: fast decoder differs from the loader:\n fast %+v\n want %+v\n%s", name, fast, want, data)
	}
	if tok {
		if !reflect.DeepEqual(trec, want) {
			t.Errorf("%s: DecodeTree's record differs from the loader:\n fast %+v\n want %+v\n%s", name, trec, want, data)
		}
		if !reflect.DeepEqual(tree, doc.Data) {
			t.Errorf("%s: DecodeTree's data model differs from the loader's:\n fast %#v\n want %#v\n%s", name, tree, doc.Data, data)
		}
	}
	return true
}

// checkTree is check for cases that must take DecodeTree's fast path too.
func checkTree(t *testing.T, name string, data []byte) bool {
	t.Helper()
	check(t, name, data)
	_, _, ok := DecodeTree(data)
	return ok
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestDecodeExamples: every record of the example log and of a generated
// log takes the fast path and matches the loader; the broken records of
// examples/invalid either match or go to the loader.
func TestDecodeExamples(t *testing.T) {
	gendir := t.TempDir()
	if err := gen.Generate(gendir, gen.Options{Records: 400, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir     string
		allFast bool
	}{
		{"../../../examples/records", true},
		{filepath.Join(gendir, "records"), true},
		{"../../../examples/invalid", false},
	} {
		files := yamlFiles(t, tc.dir)
		if len(files) == 0 {
			t.Fatalf("no records in %s", tc.dir)
		}
		fast := 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // a dangling symlink of examples/invalid
			}
			if check(t, f, data) {
				fast++
			} else if tc.allFast {
				t.Errorf("%s: canonical record not taken by the fast decoder", f)
			}
			if _, _, ok := DecodeTree(data); tc.allFast && !ok {
				t.Errorf("%s: canonical record not taken by DecodeTree", f)
			}
		}
		t.Logf("%s: %d of %d files on the fast path", tc.dir, fast, len(files))
	}
}

const skeleton = `schema_version: 1
id: EVT-2026-0001
kind: event
title: t
status: reported
reported:
  at: 2026-03-02T09:14:00Z
  by: a@example.com
`

// TestDecodeVariants covers YAML forms hand-written records use; each must
// either match the loader or be left to it.
func TestDecodeVariants(t *testing.T) {
	cases := []struct {
		name     string
		yaml     string
		wantFast bool
	}{
		{"plain", "description: plain text, with commas [and] {braces}\n", true},
		{"comment after value", "description: text # a comment\n", true},
		{"hash inside", "description: issue#12\n", true},
		{"single quoted", "description: 'it''s: quoted # not a comment'\n", true},
		{"double quoted", `description: "tab\there \"q\" \u00e9 \x41 \U0001F600"` + "\n", true},
		{"double quoted plain", `description: "simple"` + "\n", true},
		{"literal", "description: |\n  line one\n\n  line three\n    indented\n", true},
		{"literal strip", "description: |-\n  a\n  b\n\n", true},
		{"literal comment header", "description: | # note\n  a\n", true},
		{"literal with hash lines", "description: |\n  # not a comment\n  b\n# a comment\nlessons: x\n", true},
		{"literal leading blank", "description: |\n\n  a\n", true},
		{"folded", "description: >\n  a\n  b\n\n  c\n\n\n  d\n", true},
		{"folded strip", "description: >-\n  a\n  b\n", true},
		{"folded leading blank", "description: >\n\n  a\n  b\n", true},
		{"folded more indented", "description: >\n  a\n    b\n  c\n", false},
		{"keep chomping", "description: |+\n  a\n\n", false},
		{"indent indicator", "description: |2\n   a\n", false},
		{"empty literal", "description: |\nlessons: x\n", true},
		{"no final newline", "description: |\n  a", true},
		{"no final newline plain", "description: a", true},
		{"null value", "description:\nlessons: ~\n", true},
		{"null tilde", "lessons: ~\n", true},
		{"indentless sequence", "tags:\n- a\n- b\n", true},
		{"indented sequence", "tags:\n  - a\n  -   b\n", true},
		{"sequence of mappings", "corrective_actions:\n  - id: CA-1\n    text: x\n    owner: o\n    status: open\n    due: 2026-04-01\n  -\n    id: CA-2\n    text: y\n    owner: o\n    status: done\n", true},
		{"indentless nested", "corrective_actions:\n- id: CA-1\n  text: x\n  owner: o\n  status: open\n", true},
		{"nested sequence in item", "evidence:\n  - id: EV-1\n    description: d\n    custody:\n    - at: 2026-03-03T09:00:00Z\n      from: a\n      to: b\n", true},
		{"numbers", "cost:\n  amount: 12000.50\n  currency: EUR\naffected:\n  personal_data:\n    involved: true\n    subjects_approx: 40\n", true},
		{"number into string", "lessons: 2026\n", true},
		{"bool into string", "lessons: true\n", true},
		{"timestamp quoted", "occurred_at: '2026-03-01'\n", true},
		{"partial date", "occurred_at: 2026-03\ndetected_at: 2026\n", true},
		{"timestamp with offset", "occurred_at: 2026-03-01T22:10:00+02:00\n", true},
		{"bad timestamp", "occurred_at: yesterday\n", true},
		{"unicode", "lessons: Kröger Agrarhandel — ärger 🚚\n", true},
		{"unknown key", "extra:\n  anything:\n    - goes: here\n      and: [flow]\n", false},
		{"unknown key block", "extra:\n  anything:\n    - goes: here\n", true},
		{"flow mapping", "affected: {systems: [mail]}\n", false},
		{"flow sequence", "tags: [a, b]\n", false},
		{"anchor", "lessons: &a x\n", false},
		{"alias", "lessons: *a\n", false},
		{"tag", "lessons: !!str x\n", false},
		{"duplicate key", "lessons: a\nlessons: b\n", false},
		{"multi-line plain", "description: a\n  b\n", false},
		{"multi-line quoted", "description: 'a\n  b'\n", false},
		{"colon space in plain", "description: a: b\n", false},
		{"trailing colon", "description: note:\n", false},
		{"inf", "cost:\n  amount: .inf\n  currency: EUR\n", false},
		{"inf in string", "lessons: .inf\n", false},
		{"exponent amount", "cost:\n  amount: 1e3\n  currency: EUR\n", false},
		{"yes bool", "assessment:\n  at: 2026-03-02T10:00:00Z\n  by: x\n  is_incident: yes\n", false},
		{"int to float", "cost:\n  amount: 7\n  currency: EUR\n", true},
		{"leading zero int", "affected:\n  personal_data:\n    involved: true\n    subjects_approx: 012\n", false},
		{"quoted into int", "schema_version: '1'\n", false},
		{"tab indentation", "affected:\n\tsystems: [a]\n", false},
		{"document marker", "---\nlessons: x\n", false},
		{"null key", "null: x\n", false},
		{"mapping into string", "lessons:\n  a: b\n", false},
		{"sequence into string", "lessons:\n  - a\n", false},
		{"scalar into struct", "assessment: x\n", false},
		{"null sequence item", "tags:\n  -\n  - b\n", false},
		{"mapping item in string list", "tags:\n  - a: b\n", false},
		{"value on next line", "lessons:\n  text on the next line\n", false},
		{"crlf", "lessons: x\r\n", false},
		{"comment lines", "# c\n  # indented comment\nlessons: x # y\n", true},
		{"control character", "lessons: a\x01b\n", false},
		{"nel", "lessons: a\u0085b\n", false},
		{"0b digest", "lessons: 0b58e8cbe40efbdb18\n", true},
		{"0b int with sign", "lessons: 0b+0\n", false},
		{"0o int", "lessons: 0o17\n", false},
	}
	for _, tc := range cases {
		data := []byte(skeleton + tc.yaml)
		if got := check(t, tc.name, data); got != tc.wantFast {
			t.Errorf("%s: fast path %v, want %v", tc.name, got, tc.wantFast)
		}
	}
}

// TestDecodeTreeScalars: plain scalars become the JSON values the loader
// makes of them, or go to the loader where the YAML number forms are
// involved.
func TestDecodeTreeScalars(t *testing.T) {
	deep := "extra:\n"
	for i := 1; i <= 70; i++ {
		deep += strings.Repeat("  ", i) + "x:\n"
	}
	deep += strings.Repeat("  ", 71) + "y: deep\n"
	cases := []struct {
		yaml     string
		wantTree bool
	}{
		{"lessons: 2026\n", true},
		{"lessons: -17\n", true},
		{"lessons: -0\n", true},
		{"lessons: 1.50\n", true},
		{"lessons: -0.25\n", true},
		{"lessons: true\n", true},
		{"lessons: FALSE\n", true},
		{"lessons: yes\n", true},
		{"lessons: no\n", true},
		{"lessons: 2026-03\n", true},
		{"lessons: 2026-03-02\n", true},
		{"lessons: 2026-03-02 10:00:00\n", true},
		{"lessons: 12 monkeys\n", true},
		{"lessons: .x\n", true},
		{"lessons: -x\n", true},
		{"lessons: 1e3\n", false},
		{"lessons: 0x1F\n", false},
		{"lessons: +1\n", false},
		{"lessons: 1_000\n", false},
		{"lessons: .5\n", false},
		{"lessons: 012\n", false},
		{"lessons: 99999999999999999999\n", false},
		{"lessons: 0b58e8cbe40efbdb18\n", false},
		{"cost:\n  amount: 12000.50\n  currency: EUR\n", true},
		{"extra:\n  a: 1\n  b:\n  - x\n  - 2.5\n", true},
		{deep, false},
	}
	for _, tc := range cases {
		data := []byte(skeleton + tc.yaml)
		if got := checkTree(t, tc.yaml, data); got != tc.wantTree {
			t.Errorf("%q: DecodeTree fast path %v, want %v", tc.yaml, got, tc.wantTree)
		}
	}
}

// TestDecodeMutations mutates canonical records at random (seeded) and
// holds the fast decoder to the loader on every result: what it accepts it
// must read exactly as yaml.v3 does.
func TestDecodeMutations(t *testing.T) {
	files := yamlFiles(t, "../../../examples/records")
	var seeds [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	pieces := []string{" ", "  ", "\n", "#", " #", ":", ": ", "'", "\"", "-", "- ", "|", ">", "|-", ">-", "\\", "x", "~", "null", "\n  ", "\n    ", "\n- ", "\t", "0", "1.5", "true", "é", "[", "{", "&a", "*a", "!", "%", "@", ",", "?"}
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	accepted := 0
	for i := 0; i < n; i++ {
		data := append([]byte(nil), seeds[r.IntN(len(seeds))]...)
		for m := 0; m < 1+r.IntN(3); m++ {
			pos := r.IntN(len(data) + 1)
			switch r.IntN(3) {
			case 0: // insert
				p := pieces[r.IntN(len(pieces))]
				data = append(data[:pos], append([]byte(p), data[pos:]...)...)
			case 1: // delete a few bytes
				end := min(len(data), pos+1+r.IntN(4))
				data = append(data[:pos], data[end:]...)
			case 2: // replace one byte
				if pos < len(data) {
					p := pieces[r.IntN(len(pieces))]
					data[pos] = p[0]
				}
			}
		}
		if check(t, fmt.Sprintf("mutation %d", i), data) {
			accepted++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d of %d mutations taken by the fast decoder", accepted, n)
}

// FuzzDecode: go test ./internal/record/quickload -fuzz FuzzDecode
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"../../../examples/records/2026/INC-2026-0001.yaml", "../../../examples/records/2025/DRL-2025-0001.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(skeleton + "description: |\n  a\n\n  b\ntags:\n- x\n"))
	f.Add([]byte(skeleton + "description: >-\n  a\n  b\n\n  c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "fuzz", data)
	})
}

// TestFilesFallback: files the fast decoder leaves go to the full loader,
// with its errors; order is kept.
func TestFilesFallback(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{
		write("a.yaml", skeleton),
		write("b.yaml", skeleton+"affected: {systems: [mail]}\n"),
		write("c.yaml", skeleton+"lessons: a\nlessons: b\n"),
		write("d.yaml", ""),
		write("e.yaml", strings.Replace(skeleton, "id: EVT-2026-0001\n", "", 1)),
		filepath.Join(dir, "missing.yaml"),
	}
	res, stats := Files(files, Options{}, nil)
	if stats.Fast != 1 || stats.Full != 5 {
		t.Errorf("stats %+v, want 1 fast and 5 full", stats)
	}
	if res[0].Err != nil || res[0].Record.ID != "EVT-2026-0001" {
		t.Errorf("a.yaml: %+v", res[0])
	}
	if res[1].Err != nil || len(res[1].Record.Affected.Systems) != 1 {
		t.Errorf("b.yaml (flow style, full loader): %+v", res[1])
	}
	for i, want := range []string{"duplicate key", "empty", "no id", "no such file"} {
		r := res[i+2]
		if r.Err == nil || !strings.Contains(r.Err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", r.Path, r.Err, want)
		}
		if r.Path != files[i+2] {
			t.Errorf("result %d is %s, want %s", i+2, r.Path, files[i+2])
		}
	}
}

// TestEach: every file is handed over once, under its index, fast or from
// the full loader with its error; the fast records match Files'.
func TestEach(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Generate(dir, gen.Options{Records: 60, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	files := yamlFiles(t, filepath.Join(dir, "records"))
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(skeleton+"lessons: a\nlessons: b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, bad, filepath.Join(dir, "missing.yaml"))
	want, _ := Files(files, Options{}, nil)
	got := make([]Result, len(files))
	var calls atomic.Int64
	Each(files, func(i int, r Result) {
		calls.Add(1)
		// The record shares the reader's buffer: compare it now, keep
		// only whether there was one.
		if r.Record != nil && !reflect.DeepEqual(r.Record, want[i].Record) {
			t.Errorf("%s: Each's record differs from Files'", r.Path)
		}
		got[i] = r
	})
	if int(calls.Load()) != len(files) {
		t.Fatalf("fn called %d times for %d files", calls.Load(), len(files))
	}
	for i := range files {
		if got[i].Path != files[i] || (got[i].Err == nil) != (want[i].Err == nil) || (got[i].Record == nil) != (want[i].Record == nil) {
			t.Errorf("file %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[len(files)-2].Err == nil || !strings.Contains(got[len(files)-2].Err.Error(), "duplicate key") {
		t.Errorf("bad.yaml: %v", got[len(files)-2].Err)
	}
}
