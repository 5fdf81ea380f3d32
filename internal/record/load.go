package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize caps a record file. A record with ten thousand actions fits
// easily; anything larger is a mistake or an attack and is refused before it
// is read.
const MaxFileSize = 8 << 20

// MaxDepth caps nesting. The schema needs five levels; the cap stops hostile
// input from exhausting the stack further down the pipeline.
const MaxDepth = 64

// Rule IDs of problems the loader reports. They are part of the lint rule set.
const (
	RuleSyntax    = "yaml-syntax"
	RuleAlias     = "yaml-alias"
	RuleDuplicate = "yaml-duplicate-key"
	RuleMultiDoc  = "yaml-multi-doc"
	RuleDepth     = "yaml-depth"
	RuleTag       = "yaml-tag"
	RuleEncoding  = "file-encoding"
	RuleTooLarge  = "file-too-large"
	RuleBOM       = "file-bom"
	RuleCRLF      = "file-crlf"
	RuleNotMap    = "yaml-not-mapping"
)

// Problem is something wrong with a file, at a position. Fatal problems stop
// loading; the others (a BOM, CRLF line ends) are reported as warnings.
type Problem struct {
	File   string
	Line   int
	Column int
	Rule   string
	Msg    string
	Fatal  bool
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
}

// Doc is a parsed record file: the YAML node tree (positions and comments),
// the JSON data model for schema validation, and any non-fatal problems.
type Doc struct {
	Path     string
	node     *yaml.Node // document node
	Data     map[string]any
	Warnings []*Problem
}

// Load reads and parses the record file at path. It refuses files over
// MaxFileSize without reading them.
func Load(path string) (*Doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &Problem{File: path, Line: 1, Column: 1, Rule: RuleEncoding, Msg: "not a regular file", Fatal: true}
	}
	if st.Size() > MaxFileSize {
		return nil, tooLarge(path, st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

func tooLarge(path string, size int64) *Problem {
	return &Problem{
		File: path, Line: 1, Column: 1, Rule: RuleTooLarge, Fatal: true,
		Msg: fmt.Sprintf("file is %d bytes; a record may be at most %d bytes", size, MaxFileSize),
	}
}

var bom = []byte("\xEF\xBB\xBF")

// Parse parses record data read from path (used in messages only).
func Parse(path string, data []byte) (*Doc, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(path, int64(len(data)))
	}
	d := &Doc{Path: path}
	if bytes.HasPrefix(data, bom) {
		d.Warnings = append(d.Warnings, &Problem{
			File: path, Line: 1, Column: 1, Rule: RuleBOM,
			Msg: "file starts with a UTF-8 byte-order mark; save it without one",
		})
		data = data[len(bom):]
	}
	if p := checkText(path, data); p != nil {
		return nil, p
	}
	if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
		d.Warnings = append(d.Warnings, &Problem{
			File: path, Line: bytes.Count(data[:i], []byte("\n")) + 1,
			Column: i - bytes.LastIndexByte(data[:i], '\n'), Rule: RuleCRLF,
			Msg: "file uses CRLF line ends; casefile writes LF",
		})
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{File: path, Line: 1, Column: 1, Rule: RuleNotMap, Msg: "file is empty", Fatal: true}
		}
		return nil, syntaxProblem(path, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxProblem(path, err)
	default:
		line := next.Line
		if len(next.Content) > 0 {
			// The second document starts at its --- marker, the line above
			// its first node.
			line = next.Content[0].Line - 1
		}
		return nil, &Problem{
			File: path, Line: max(line, 1), Column: 1, Rule: RuleMultiDoc, Fatal: true,
			Msg: "file holds more than one YAML document; a record is one document",
		}
	}
	d.node = &doc
	root := d.Root()
	if root == nil || root.Kind != yaml.MappingNode {
		line, col := 1, 1
		if root != nil {
			line, col = root.Line, root.Column
		}
		return nil, &Problem{
			File: path, Line: line, Column: col, Rule: RuleNotMap, Fatal: true,
			Msg: "a record must be a YAML mapping of field names to values",
		}
	}
	v, err := toJSON(path, root, 0)
	if err != nil {
		return nil, err
	}
	d.Data = v.(map[string]any)
	return d, nil
}

// checkText rejects what is not UTF-8 text: invalid sequences, NUL bytes
// (binary files) and control characters YAML forbids, naming the first one.
func checkText(path string, data []byte) *Problem {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		var msg string
		switch {
		case r == utf8.RuneError && size == 1:
			msg = fmt.Sprintf("invalid UTF-8 byte 0x%02x", data[i])
		case r == 0:
			msg = "NUL byte: this looks like a binary file, not a YAML record"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r <= 0x9f:
			msg = fmt.Sprintf("control character U+%04X is not allowed in YAML", r)
		case r == 0xFEFF:
			msg = "byte-order mark (U+FEFF) inside the file"
		}
		if msg != "" {
			return &Problem{File: path, Line: line, Column: col, Rule: RuleEncoding, Msg: msg, Fatal: true}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(path string, err error) *Problem {
	p := &Problem{File: path, Line: 1, Column: 1, Rule: RuleSyntax, Fatal: true}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.Msg = "YAML syntax: " + msg
	return p
}

// Root returns the top-level mapping node.
func (d *Doc) Root() *yaml.Node {
	if d.node == nil || len(d.node.Content) == 0 {
		return nil
	}
	return d.node.Content[0]
}

// Record decodes the typed model. It fails where the data does not have the
// types the schema requires; callers validate against the schema first and
// report those errors instead.
func (d *Doc) Record() (*Record, error) {
	var r Record
	if err := d.Root().Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", d.Path, err)
	}
	return &r, nil
}

// toJSON converts a YAML node to the JSON data model: map[string]any,
// []any, string, bool, nil and json.Number. Timestamps and dates stay the
// text the user wrote. Anchors, aliases, merge keys, duplicate keys, custom
// tags and non-finite numbers are refused.
func toJSON(path string, n *yaml.Node, depth int) (any, error) {
	fail := func(n *yaml.Node, rule, format string, args ...any) error {
		return &Problem{File: path, Line: n.Line, Column: n.Column, Rule: rule, Msg: fmt.Sprintf(format, args...), Fatal: true}
	}
	if depth > MaxDepth {
		return nil, fail(n, RuleDepth, "nesting deeper than %d levels", MaxDepth)
	}
	if n.Anchor != "" {
		return nil, fail(n, RuleAlias, "anchor &%s: records may not use YAML anchors or aliases", n.Anchor)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, fail(n, RuleAlias, "alias *%s: records may not use YAML anchors or aliases", n.Value)
	case yaml.MappingNode:
		if n.Tag != "" && n.ShortTag() != "!!map" {
			return nil, fail(n, RuleTag, "unsupported tag %s", n.Tag)
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode || k.Anchor != "" {
				return nil, fail(k, RuleAlias, "records may not use YAML anchors or aliases")
			}
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
				return nil, fail(k, RuleSyntax, "mapping keys must be plain strings")
			}
			if k.ShortTag() == "!!merge" {
				return nil, fail(k, RuleAlias, "merge key <<: records may not use YAML anchors or aliases")
			}
			if _, dup := m[k.Value]; dup {
				first := findKey(n, k.Value)
				return nil, fail(k, RuleDuplicate, "duplicate key %q (first at line %d)", k.Value, first.Line)
			}
			jv, err := toJSON(path, v, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = jv
		}
		return m, nil
	case yaml.SequenceNode:
		if n.Tag != "" && n.ShortTag() != "!!seq" {
			return nil, fail(n, RuleTag, "unsupported tag %s", n.Tag)
		}
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			jv, err := toJSON(path, c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, jv)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalarJSON(n, fail)
	}
	return nil, fail(n, RuleSyntax, "unexpected YAML node")
}

func scalarJSON(n *yaml.Node, fail func(*yaml.Node, string, string, ...any) error) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fail(n, RuleSyntax, "invalid boolean %q", n.Value)
		}
		return b, nil
	case "!!int":
		text := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(text, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		if b, ok := new(big.Int).SetString(text, 0); ok {
			return json.Number(b.String()), nil
		}
		return nil, fail(n, RuleSyntax, "invalid integer %q", n.Value)
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			var yf float64
			if n.Decode(&yf) != nil {
				return nil, fail(n, RuleSyntax, "invalid number %q", n.Value)
			}
			f = yf
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fail(n, RuleSyntax, "%s is not a number JSON can hold", n.Value)
		}
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value), nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, fail(n, RuleTag, "unsupported tag %s", n.Tag)
}

func findKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// Pos returns the line and column of the value at a JSON pointer (RFC 6901),
// or of the deepest existing ancestor when the pointer names something absent.
func (d *Doc) Pos(pointer string) (line, col int) {
	n := d.lookup(pointer, false)
	if n == nil {
		return 1, 1
	}
	return n.Line, n.Column
}

// KeyPos returns the position of the key of the member at pointer, falling
// back to the value's position for sequence items and the root.
func (d *Doc) KeyPos(pointer string) (line, col int) {
	n := d.lookup(pointer, true)
	if n == nil {
		return 1, 1
	}
	return n.Line, n.Column
}

func (d *Doc) lookup(pointer string, wantKey bool) *yaml.Node {
	n := d.Root()
	if n == nil {
		return nil
	}
	if pointer == "" || pointer == "/" {
		return n
	}
	tokens := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, tok := range tokens {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		last := i == len(tokens)-1
		switch n.Kind {
		case yaml.MappingNode:
			k := findKey(n, tok)
			if k == nil {
				return n
			}
			if last && wantKey {
				return k
			}
			n = mappingValue(n, k)
		case yaml.SequenceNode:
			idx, err := strconv.Atoi(tok)
			if err != nil || idx < 0 || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		default:
			return n
		}
	}
	return n
}

func mappingValue(m, key *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Has reports whether the document has a value at the JSON pointer.
func (d *Doc) Has(pointer string) bool {
	return lookupData(d.Data, pointer) != nil || d.lookupExact(pointer)
}

func (d *Doc) lookupExact(pointer string) bool {
	n := d.lookup(pointer, false)
	if n == nil {
		return false
	}
	if pointer == "" {
		return true
	}
	parent := pointer[:strings.LastIndexByte(pointer, '/')]
	return n != d.lookup(parent, false)
}

func lookupData(v any, pointer string) any {
	if pointer == "" {
		return v
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := v.(type) {
		case map[string]any:
			v = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// Value returns the JSON-model value at the pointer, or nil.
func (d *Doc) Value(pointer string) any { return lookupData(d.Data, pointer) }
