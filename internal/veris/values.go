package veris

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/record"
)

// stringList returns the strings of a JSON list, skipping other values.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// The helpers below build the YAML node tree of a record by hand, so the
// canonical writer gets exactly the scalar types casefile expects (numbers
// stay numbers, dates stay the text written).

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, strNode(key), v)
}

// strNode is a string scalar. Two kinds are double-quoted: "<<", which
// plain YAML reads as a merge key (records refuse those), and text of
// several lines that starts with white space, which yaml.v3's block
// scalars do not give back as written (a leading line feed is lost, a
// leading tab breaks the indentation).
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if s == "<<" || (strings.ContainsRune(s, '\n') && strings.ContainsRune(" \t\r\n", rune(s[0]))) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// timeNode writes a timestamp or a partial date the way the record loader
// keeps it: full dates and timestamps plain, a bare year or year-month as
// a string (plain, YAML would read 2020 as a number).
func timeNode(s string) *yaml.Node {
	if t, err := record.ParseTime(s); err == nil && t.Precision >= record.PrecisionDay {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: s}
	}
	return strNode(s)
}

func listNode(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range items {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

// numberNode writes a JSON number as a YAML int or float.
func numberNode(num json.Number) *yaml.Node {
	s := string(num)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
	}
	if b, ok := new(big.Int).SetString(s, 10); ok {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: b.String()}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return strNode(s)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(int64(f), 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}
}

// jsonNode converts the JSON model to YAML nodes, object keys sorted.
func jsonNode(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		m := mapNode()
		for _, k := range slices.Sorted(maps.Keys(t)) {
			add(m, k, jsonNode(t[k]))
		}
		return m
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, x := range t {
			n.Content = append(n.Content, jsonNode(x))
		}
		return n
	case string:
		return strNode(t)
	case json.Number:
		return numberNode(t)
	case bool:
		return boolNode(t)
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return strNode(fmt.Sprint(v))
}

// deepCopy copies a JSON model value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	}
	return v
}

// obj returns the object at key of m, or nil.
func obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// str returns the string at key of m, trimmed, or "".
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return strings.TrimSpace(s)
}

// number returns the number at key of m.
func number(m map[string]any, key string) (float64, bool) {
	n, ok := m[key].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// integer returns the integer at key of m.
func integer(m map[string]any, key string) (int, bool) {
	f, ok := number(m, key)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// deleteEmpty removes key from m when it holds an empty object.
func deleteEmpty(m map[string]any, key string) {
	if o, ok := m[key].(map[string]any); ok && len(o) == 0 {
		delete(m, key)
	}
}

// cleanText reports whether s is text a record field can hold as is: no
// control characters but tab, line feed and carriage return, no
// byte-order marks.
func cleanText(s string) bool {
	for _, r := range s {
		if isControl(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xFEFF
}

// sanitize drops what cleanText refuses.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

// oneLine collapses whitespace and cuts s to max runes at a word boundary.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(sanitize(s)), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-") + "…"
}

func jsonInt(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }
