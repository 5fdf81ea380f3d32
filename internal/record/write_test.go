package record

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestRoundTripExamples proves the canonical writer reproduces every bundled
// example byte for byte: a file casefile wrote loads and saves unchanged.
func TestRoundTripExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/records/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no example records found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s does not round-trip:\n%s", f, firstDiff(string(data), string(out)))
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n file: " + al[i] + "\n  out: " + bl[i]
		}
	}
	return "lengths differ"
}

func TestEncodeCanonicalOrder(t *testing.T) {
	in := `# top comment
title: Out of order
id: EVT-2026-0009
x-local: kept last
reported:
  by: bob@example.com # who
  at: 2026-03-02T09:14:00Z
schema_version: 1
actions:
    - text: did it
      type: other
      at: 2026-03-02T10:00:00Z
      by: bob@example.com
`
	d, err := Parse("f.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `# top comment
schema_version: 1
id: EVT-2026-0009
title: Out of order
reported:
  at: 2026-03-02T09:14:00Z
  by: bob@example.com # who
actions:
  - at: 2026-03-02T10:00:00Z
    by: bob@example.com
    type: other
    text: did it
x-local: kept last
`
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	again, err := Parse("f.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := again.Encode()
	if !bytes.Equal(out, out2) {
		t.Errorf("encoding is not idempotent:\n%s", out2)
	}
}

func TestEncodeNodeMultiline(t *testing.T) {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "description"},
		{Kind: yaml.ScalarNode, Value: "line one\nline two\n", Style: yaml.LiteralStyle},
	}}}}
	out, err := EncodeNode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "description: |\n  line one\n  line two\n" {
		t.Errorf("got %q", out)
	}
}
