package record

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/schema"
)

// SchemaComment is the first line of every record casefile writes, so that
// editors with the YAML language server validate while the user types.
const SchemaComment = "# yaml-language-server: $schema=" + schema.RecordURL

// Encode returns the canonical text of the document: 2-space indentation,
// keys in schema order (unknown keys after the known ones, in their original
// order), comments kept, LF line ends. A file casefile wrote encodes to the
// same bytes it was loaded from.
func (d *Doc) Encode() ([]byte, error) {
	return EncodeNode(d.node)
}

// EncodeNode writes a YAML document node in canonical form.
func EncodeNode(doc *yaml.Node) ([]byte, error) {
	out, err := encodeOnce(doc)
	// yaml.v3 hangs a comment that follows a block scalar on the key as a
	// foot comment, and reads it back from the output as a comment of the
	// enclosing node, which it then writes after a blank line: encode again
	// from the output until it is stable, so the writer is a fixed point
	// (found by FuzzEncodeRoundTrip). Only such rare files pay for it.
	for i := 0; err == nil && i < 3 && hasKeyFootComment(doc); i++ {
		var again yaml.Node
		if yaml.Unmarshal(out, &again) != nil || len(again.Content) == 0 {
			break
		}
		next, nerr := encodeOnce(&again)
		if nerr != nil || bytes.Equal(next, out) {
			break
		}
		doc, out = &again, next
	}
	return out, err
}

// hasKeyFootComment reports whether a mapping key in n carries a foot
// comment.
func hasKeyFootComment(n *yaml.Node) bool {
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && c.FootComment != "" {
			return true
		}
		if hasKeyFootComment(c) {
			return true
		}
	}
	return false
}

func encodeOnce(doc *yaml.Node) ([]byte, error) {
	root := doc.Content[0]
	// A comment above the first key belongs to the file (the schema line),
	// not to whichever key sorts first.
	var top string
	if root.Kind == yaml.MappingNode && len(root.Content) > 0 {
		top, root.Content[0].HeadComment = root.Content[0].HeadComment, ""
	}
	canonicalize(root, recordOrder())
	safeScalarStyles(root)
	if top != "" {
		first := root.Content[0]
		first.HeadComment = joinComments(top, first.HeadComment)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding record: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding record: %w", err)
	}
	return buf.Bytes(), nil
}

// order is the key order of one object in the schema, with the orders of
// its members and array items.
type order struct {
	index    map[string]int
	children map[string]*order
	items    *order
}

var (
	recordOrderOnce sync.Once
	recordOrderTree *order
)

// recordOrder derives the canonical key order from the property order of the
// embedded record schema, so field order is defined in one place.
func recordOrder() *order {
	recordOrderOnce.Do(func() {
		var n yaml.Node
		if err := yaml.Unmarshal(schema.Record, &n); err != nil {
			panic("record schema is not valid YAML/JSON: " + err.Error())
		}
		root := n.Content[0]
		defs := member(root, "$defs")
		recordOrderTree = buildOrder(root, defs, 0)
	})
	return recordOrderTree
}

func member(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	if k := findKey(m, key); k != nil {
		return mappingValue(m, k)
	}
	return nil
}

func buildOrder(s, defs *yaml.Node, depth int) *order {
	if s == nil || depth > 16 {
		return nil
	}
	if ref := member(s, "$ref"); ref != nil {
		const prefix = "#/$defs/"
		if len(ref.Value) > len(prefix) {
			s = member(defs, ref.Value[len(prefix):])
		}
	}
	o := &order{index: map[string]int{}, children: map[string]*order{}}
	if props := member(s, "properties"); props != nil {
		for i := 0; i+1 < len(props.Content); i += 2 {
			name := props.Content[i].Value
			o.index[name] = i / 2
			o.children[name] = buildOrder(props.Content[i+1], defs, depth+1)
		}
	}
	o.items = buildOrder(member(s, "items"), defs, depth+1)
	return o
}

func canonicalize(n *yaml.Node, o *order) {
	if o == nil || n == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		pairs := make([][2]*yaml.Node, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
		}
		rank := func(k string) int {
			if i, ok := o.index[k]; ok {
				return i
			}
			return len(o.index)
		}
		sort.SliceStable(pairs, func(i, j int) bool { return rank(pairs[i][0].Value) < rank(pairs[j][0].Value) })
		for i, p := range pairs {
			n.Content[2*i], n.Content[2*i+1] = p[0], p[1]
			canonicalize(p[1], o.children[p[0].Value])
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			canonicalize(c, o.items)
		}
	}
}

// safeScalarStyles writes double-quoted the strings yaml.v3 would emit in
// a form that does not read back as the same string (found by fuzzing):
// multi-line text that yaml.v3 writes as a block scalar although it starts
// with a line break or a blank (emitted with an indentation indicator that
// loses the blank line) or holds a tab (a tab cannot indent a block), and
// the plain string "<<", which reads back as a merge key.
func safeScalarStyles(n *yaml.Node) {
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	if n.Kind == yaml.ScalarNode && !quoted && (n.Tag == "" || n.Tag == "!!str") {
		v := n.Value
		multiLine := strings.Contains(v, "\n")
		switch {
		case multiLine && (strings.HasPrefix(v, "\n") || strings.HasPrefix(v, " ") || strings.Contains(v, "\t")):
			n.Style = yaml.DoubleQuotedStyle
		case v == "<<":
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	for _, c := range n.Content {
		safeScalarStyles(c)
	}
}

func joinComments(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
