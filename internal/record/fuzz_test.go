package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seedRecords adds the example records and the invalid cases to a fuzz
// corpus, so fuzzing starts from realistic input.
func seedRecords(f *testing.F) {
	for _, glob := range []string{"../../examples/records/*/*.yaml", "../../examples/invalid/*/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte("\xef\xbb\xbfa: 1\r\n"))
	f.Add([]byte("- [[[[[[]]]]]]\n"))
}

// FuzzParse: the loader never panics, returns either a document or a
// *Problem with a position, and a document's JSON model always marshals.
func FuzzParse(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("f.yaml", data)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error is not a *Problem: %v", err)
			}
			if p.Line < 1 || p.Column < 1 {
				t.Fatalf("problem without a position: %v", p)
			}
			return
		}
		if _, err := json.Marshal(d.Data); err != nil {
			t.Fatalf("JSON model does not marshal: %v", err)
		}
		_, _ = d.Record()
	})
}

// FuzzEncodeRoundTrip: whatever parses encodes, and the encoding parses to
// the same JSON model and is a fixed point of the writer.
func FuzzEncodeRoundTrip(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		before, _ := json.Marshal(d.Data)
		out, err := d.Encode()
		if err != nil {
			return // yaml.v3 refuses to emit some exotic comment placements
		}
		d2, err := Parse("f.yaml", out)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, out)
		}
		after, _ := json.Marshal(d2.Data)
		if !bytes.Equal(before, after) {
			t.Fatalf("round trip changed the data:\n%s\n%s", before, after)
		}
		out2, err := d2.Encode()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("writer is not idempotent:\n%s\n---\n%s", out, out2)
		}
	})
}

// FuzzSet: PATH=VALUE parsing and application never panic, and a
// successful Set leaves a document that still encodes and parses.
func FuzzSet(f *testing.F) {
	f.Add("assessment.severity", "SEV2")
	f.Add("actions[+].text", "x")
	f.Add("tags[0]", "[a, b]")
	f.Add("a[+][0]", "{x: 1}")
	f.Add("x", "&a b")
	f.Fuzz(func(t *testing.T, path, value string) {
		d, err := Parse("EVT-2026-0001.yaml", []byte(valid))
		if err != nil {
			t.Fatal(err)
		}
		n, err := ParseValue(value)
		if err != nil {
			return
		}
		if err := d.Set(path, n); err != nil {
			return
		}
		out, err := d.Encode()
		if err != nil {
			return
		}
		if _, err := Parse("f.yaml", out); err != nil {
			t.Fatalf("after Set(%q, %q) the record does not parse: %v\n%s", path, value, err, out)
		}
	})
}
