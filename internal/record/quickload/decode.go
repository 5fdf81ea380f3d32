package quickload

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/casefile/casefile/internal/record"
)

// Decode decodes one record file's content with the fast decoder. ok is
// false when the text uses YAML outside the subset the decoder handles, or is
// not a record the full loader would accept; the caller then uses the full
// loader, which gives the authoritative result or error. When ok is true the
// record is the one record.Parse and Doc.Record would give.
func Decode(data []byte) (rec *record.Record, ok bool) {
	if !plainText(data) {
		return nil, false
	}
	d := &decoder{plan: planFor()}
	defer d.useLines()()
	return d.decode(string(data))
}

// linesPool keeps the line tables of Decode and DecodeTree between calls:
// a record's table is some KB, and a caller decoding records one by one
// (verify, for every record at HEAD) would otherwise allocate it anew for
// each.
var linesPool = sync.Pool{New: func() any { return new([]line) }}

// useLines gives d a pooled line table and returns the function that puts
// it back; lines hold offsets only, so nothing decoded refers to them.
func (d *decoder) useLines() func() {
	lp := linesPool.Get().(*[]line)
	d.lines = (*lp)[:0]
	return func() {
		*lp = d.lines[:0]
		d.lines = nil
		linesPool.Put(lp)
	}
}

// DecodeTree is Decode that also returns the file's JSON data model, the
// tree record.Parse puts in Doc.Data for schema validation: a map of
// map[string]any, []any, string, bool, nil and json.Number. When ok is true
// both are what the full loader gives.
func DecodeTree(data []byte) (rec *record.Record, tree map[string]any, ok bool) {
	if !plainText(data) {
		return nil, nil, false
	}
	d := &decoder{plan: planFor(), tree: true}
	defer d.useLines()()
	return d.decodeTree(string(data))
}

// plainText reports whether data is text the record loader accepts without
// a warning: at most record.MaxFileSize, valid UTF-8, no byte-order mark,
// no CR, and no character that the loader or YAML refuses.
func plainText(data []byte) bool {
	if len(data) > record.MaxFileSize {
		return false
	}
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	high := false
	i := 0
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		if w&hi == 0 && (w-0x2020202020202020)&hi == 0 {
			if x := w ^ 0x7f7f7f7f7f7f7f7f; (x-lo)&^x&hi == 0 {
				continue // eight printable ASCII characters
			}
		}
		if !plainBytes(data[i:i+8], &high) {
			return false
		}
	}
	if !plainBytes(data[i:], &high) {
		return false
	}
	if !high {
		return true
	}
	if !utf8.Valid(data) {
		return false
	}
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case 0xC2: // U+0080–U+009F, the C1 controls
			if i+1 < len(data) && data[i+1] <= 0x9F {
				return false
			}
		case 0xEF: // U+FEFF (a BOM) and the non-characters U+FFFE, U+FFFF
			if i+2 < len(data) && ((data[i+1] == 0xBB && data[i+2] == 0xBF) || (data[i+1] == 0xBF && data[i+2] >= 0xBE)) {
				return false
			}
		}
	}
	return true
}

func plainBytes(b []byte, high *bool) bool {
	for _, c := range b {
		switch {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return false
		case c >= 0x80:
			*high = true
		}
	}
	return true
}

// line is one line of the text.
type line struct {
	start  int // offset of the line's first byte
	cs     int // offset of the content, after the indentation
	end    int // offset of the line end, before '\n'
	indent int // columns of indentation (spaces only)
	num    int // 1-based line number
	blank  bool
	tab    bool // the indentation ends in a tab
}

// decoder is a recursive-descent reader of block-style YAML: block mappings
// and sequences, plain, single- and double-quoted one-line scalars, literal
// and folded block scalars, comments. Anything else (flow collections,
// anchors, tags, multi-line plain or quoted scalars, documents markers,
// tabs in indentation, duplicate keys) makes it give up.
type decoder struct {
	text  string
	lines []line
	i     int
	plan  *plan
	// clone copies every string it keeps, so the text can be reused.
	clone bool
	arena arena
	// finalBreak is false when the text does not end with a line break.
	finalBreak bool
	// tree builds the JSON data model as well.
	tree bool
	// depth is the nesting of the collection being read, held below
	// record.MaxDepth as the loader holds it.
	depth int
}

func (d *decoder) decode(text string) (*record.Record, bool) {
	r, _, ok := d.decodeTree(text)
	return r, ok
}

// decodeTree decodes text; the tree is nil unless d.tree is set.
func (d *decoder) decodeTree(text string) (*record.Record, map[string]any, bool) {
	d.text = text
	d.splitLines()
	d.i = 0
	d.depth = 0
	if !d.skipBlank() || d.i >= len(d.lines) {
		return nil, nil, false
	}
	var r record.Record
	root := d.lines[d.i].indent
	if isDash(d.content(&d.lines[d.i])) {
		return nil, nil, false
	}
	tree, ok := d.mapping(root, d.plan, reflect.ValueOf(&r).Elem())
	if !ok {
		return nil, nil, false
	}
	if !d.skipBlank() || d.i < len(d.lines) {
		return nil, nil, false
	}
	m, _ := tree.(map[string]any)
	return &r, m, true
}

// enter counts one more level of nesting; false when the loader would
// refuse it as too deep (the fast path is stricter by a level).
func (d *decoder) enter() bool {
	d.depth++
	return d.depth < record.MaxDepth
}

func (d *decoder) splitLines() {
	d.lines = d.lines[:0]
	t := d.text
	num := 0
	for start := 0; start < len(t); {
		num++
		end := strings.IndexByte(t[start:], '\n')
		next := 0
		if end < 0 {
			end = len(t)
			next = len(t)
		} else {
			end += start
			next = end + 1
		}
		l := line{start: start, end: end, num: num}
		cs := start
		for cs < end && t[cs] == ' ' {
			cs++
		}
		l.cs = cs
		l.indent = cs - start
		if cs < end && t[cs] == '\t' {
			l.tab = true
		}
		rest := t[cs:end]
		l.blank = rest == "" || rest[0] == '#'
		d.lines = append(d.lines, l)
		start = next
	}
	d.finalBreak = len(t) > 0 && t[len(t)-1] == '\n'
}

func (d *decoder) content(l *line) string { return d.text[l.cs:l.end] }

// skipBlank moves past empty and comment lines. It fails on a line whose
// indentation has a tab.
func (d *decoder) skipBlank() bool {
	for d.i < len(d.lines) {
		l := &d.lines[d.i]
		if l.tab {
			return false
		}
		if !l.blank {
			return true
		}
		d.i++
	}
	return true
}

// column returns the 1-based column of offset off on line l, counted in
// characters as yaml.v3 does.
func (d *decoder) column(l *line, off int) int {
	return utf8.RuneCountInString(d.text[l.start:off]) + 1
}

func isDash(s string) bool { return s == "-" || strings.HasPrefix(s, "- ") }

// splitKey splits "key: rest" or "key:" into the key and the offset just
// after the colon. Only plain keys of letters, digits, '_' and '-' are
// recognised.
func splitKey(s string) (key string, after int, ok bool) {
	for i := 0; i < len(s) && i < 128; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '-' && i > 0:
		case c == ':' && i > 0:
			if i+1 == len(s) || s[i+1] == ' ' {
				return s[:i], i + 1, true
			}
			return "", 0, false
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// mapping reads a block mapping whose keys are at indent. With d.tree it
// returns the mapping as a map[string]any.
func (d *decoder) mapping(indent int, p *plan, v reflect.Value) (any, bool) {
	if p != nil {
		switch p.kind {
		case planStruct:
		case planPtr:
			if p.elem.kind != planStruct {
				return nil, false
			}
			nv := reflect.New(p.elem.typ)
			v.Set(nv)
			p, v = p.elem, nv.Elem()
		default:
			return nil, false
		}
	}
	var m map[string]any
	if !d.enter() {
		return nil, false
	}
	defer func() { d.depth-- }()
	if d.tree {
		m = make(map[string]any, 8)
	}
	var keys [32]string
	seen := keys[:0]
	for {
		if !d.skipBlank() {
			return nil, false
		}
		if d.i >= len(d.lines) {
			return m, true
		}
		l := &d.lines[d.i]
		if l.indent < indent {
			return m, true
		}
		if l.indent > indent {
			return nil, false
		}
		content := d.content(l)
		key, after, ok := splitKey(content)
		if !ok || key == "null" || key == "Null" || key == "NULL" {
			// A null key is refused by the loader.
			return nil, false
		}
		for _, k := range seen {
			if k == key {
				return nil, false
			}
		}
		seen = append(seen, key)
		var fp *plan
		var fv reflect.Value
		if p != nil {
			if f, ok := p.fields[key]; ok && !f.omit {
				fp, fv = f.plan, v.Field(f.index)
				if fp.kind == planUnsupported {
					return nil, false
				}
			}
		}
		d.i++
		tv, ok := d.value(l, l.cs+after, indent, fp, fv)
		if !ok {
			return nil, false
		}
		if d.tree {
			m[key] = tv
		}
		if !d.skipBlank() {
			return nil, false
		}
		if d.i < len(d.lines) && d.lines[d.i].indent > indent {
			return nil, false
		}
	}
}

// value reads what follows "key:" at offset off of line l: a scalar on the
// same line or a block on the lines below.
func (d *decoder) value(l *line, off, indent int, p *plan, v reflect.Value) (any, bool) {
	rest := d.text[off:l.end]
	s := strings.TrimLeft(rest, " ")
	if s == "" || s[0] == '#' {
		tv, ok, _ := d.block(indent, true, p, v)
		return tv, ok
	}
	tv, ok, _ := d.scalar(l, off+len(rest)-len(s), indent, p, v)
	return tv, ok
}

// block reads the node on the lines below a key or a dash at parent
// indent: a mapping or a sequence indented deeper, a sequence at the same
// indent when allowed, or nothing (null).
func (d *decoder) block(parent int, indentless bool, p *plan, v reflect.Value) (tree any, ok, null bool) {
	if !d.skipBlank() {
		return nil, false, false
	}
	if d.i >= len(d.lines) {
		return nil, true, true
	}
	l := &d.lines[d.i]
	dash := isDash(d.content(l))
	switch {
	case l.indent > parent && dash, l.indent == parent && dash && indentless:
		tree, ok = d.sequence(l.indent, p, v)
		return tree, ok, false
	case l.indent > parent:
		tree, ok = d.mapping(l.indent, p, v)
		return tree, ok, false
	}
	return nil, true, true
}

// sequence reads a block sequence whose dashes are at indent. With d.tree
// it returns the sequence as a []any.
func (d *decoder) sequence(indent int, p *plan, v reflect.Value) (any, bool) {
	var ep *plan
	var s reflect.Value
	if p != nil {
		if p.kind != planSlice || p.elem.kind == planUnsupported {
			return nil, false
		}
		ep = p.elem
		s = reflect.MakeSlice(p.typ, 0, 2)
	}
	var items []any
	if !d.enter() {
		return nil, false
	}
	defer func() { d.depth-- }()
	if d.tree {
		items = make([]any, 0, 4)
	}
	for {
		if !d.skipBlank() {
			return nil, false
		}
		if d.i >= len(d.lines) {
			break
		}
		l := &d.lines[d.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, false
		}
		content := d.content(l)
		if !isDash(content) {
			break
		}
		var ev reflect.Value
		if ep != nil {
			// Decode straight into the new element.
			s = reflect.Append(s, reflect.Zero(ep.typ))
			ev = s.Index(s.Len() - 1)
		}
		j := 1
		for j < len(content) && content[j] == ' ' {
			j++
		}
		payload := content[j:]
		var item any
		switch {
		case payload == "" || payload[0] == '#':
			d.i++
			tv, ok, null := d.block(indent, false, ep, ev)
			if !ok || null {
				return nil, false
			}
			item = tv
		case isDash(payload):
			return nil, false
		default:
			off := l.cs + j
			if _, _, isKey := splitKey(payload); isKey {
				// The item is a mapping whose first key is on the dash's
				// line: read that line as if it were indented to the key.
				l.indent = off - l.start
				l.cs = off
				tv, ok := d.mapping(l.indent, ep, ev)
				if !ok {
					return nil, false
				}
				item = tv
				break
			}
			d.i++
			tv, ok, null := d.scalar(l, off, indent, ep, ev)
			if !ok || null {
				return nil, false
			}
			item = tv
		}
		if d.tree {
			items = append(items, item)
		}
		if !d.skipBlank() {
			return nil, false
		}
		if d.i < len(d.lines) && d.lines[d.i].indent > indent {
			return nil, false
		}
	}
	if p != nil {
		v.Set(s)
	}
	return items, true
}

// scalar reads the scalar that starts at offset off of line l (already
// consumed; a block scalar reads the lines that follow). parent is the
// indentation of the node that holds it.
func (d *decoder) scalar(l *line, off, parent int, p *plan, v reflect.Value) (tree any, ok, null bool) {
	s := d.text[off:l.end]
	pos := pos{l, off}
	switch s[0] {
	case '|', '>':
		val, ok := d.blockScalar(s, parent)
		if !ok {
			return nil, false, false
		}
		return val, d.set(p, v, val, false, pos), false
	case '\'':
		val, rest, ok := singleQuoted(s)
		if !ok || !trailing(rest) {
			return nil, false, false
		}
		return val, d.set(p, v, val, false, pos), false
	case '"':
		val, rest, ok := doubleQuoted(s)
		if !ok || !trailing(rest) {
			return nil, false, false
		}
		return val, d.set(p, v, val, false, pos), false
	case '[', ']', '{', '}', '&', '*', '!', '%', '@', '`', ',', '#', ':':
		return nil, false, false
	case '-', '?':
		if len(s) == 1 || s[1] == ' ' {
			return nil, false, false
		}
	}
	// One pass: a comment ends the scalar; ": " before it, a colon at its
	// end, or a tab are YAML this decoder leaves to the loader.
	end := len(s)
scan:
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '#':
			if s[i-1] == ' ' {
				end = i
				break scan
			}
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return nil, false, false
			}
		case '\t':
			return nil, false, false
		}
	}
	s = strings.TrimRight(s[:end], " ")
	if strings.HasSuffix(s, ":") {
		return nil, false, false
	}
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil, true, true
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<":
		return nil, false, false
	}
	if oddInt(s) {
		return nil, false, false
	}
	if d.tree {
		if tree, ok = plainJSON(s); !ok {
			return nil, false, false
		}
	}
	return tree, d.set(p, v, s, true, pos), false
}

// plainJSON is the JSON value of a plain scalar (not null, not .inf or
// .nan), as the loader makes it from yaml.v3's resolution: true and false
// are booleans; decimal integers and decimals are numbers, in the text the
// loader gives them; timestamps and everything else stay the text. Any
// other number (hex, octal, exponents, a sign or underscores) is left to
// the loader.
func plainJSON(s string) (any, bool) {
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '-', c == '+':
		if isInt(s) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, false
			}
			return json.Number(strconv.FormatInt(n, 10)), true // "-0" is 0
		}
		if isDecimal(s) {
			return json.Number(s), true
		}
		if numberLike(s) {
			return nil, false
		}
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return nil, false
		}
	case c == 't' || c == 'T' || c == 'f' || c == 'F':
		switch s {
		case "true", "True", "TRUE":
			return true, true
		case "false", "False", "FALSE":
			return false, true
		}
	}
	return s, true
}

// numberLike reports whether yaml.v3 might resolve s as an integer or a
// float: a superset of its checks, since a false positive only sends the
// file to the loader.
func numberLike(s string) bool {
	for i := 0; i < len(s); i++ {
		// Every form strconv and yaml.v3 read as a number is made of
		// these; a timestamp's ':' or a space rules it out cheaply.
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '+', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	t := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(t, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(t, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return true
	}
	for _, prefix := range []string{"0b", "-0b", "0o", "-0o", "+0b", "+0o"} {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// oddInt reports whether yaml.v3 reads s as a 0b or 0o integer by its own
// rules, which accept forms (a sign after the prefix) that the loader's
// number check refuses.
func oddInt(s string) bool {
	if s[0] != '0' && s[0] != '-' && s[0] != '_' {
		return false
	}
	t := strings.ReplaceAll(s, "_", "")
	for _, p := range []struct {
		prefix string
		base   int
	}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
		if rest, ok := strings.CutPrefix(t, p.prefix); ok {
			if p.prefix[0] == '-' {
				rest = "-" + rest
			}
			_, err1 := strconv.ParseInt(rest, p.base, 64)
			_, err2 := strconv.ParseUint(rest, p.base, 64)
			return err1 == nil || err2 == nil
		}
	}
	return false
}

// pos is where a scalar starts, for the position a record.Time keeps.
type pos struct {
	l   *line
	off int
}

// arena hands out copies of strings from shared blocks, so keeping a
// record's strings costs one allocation per block rather than one per
// string. Bytes handed out are never written again.
type arena struct {
	buf []byte
}

func (a *arena) clone(s string) string {
	switch {
	case s == "":
		return ""
	case len(s) > 1024:
		return strings.Clone(s)
	case cap(a.buf)-len(a.buf) < len(s):
		a.buf = make([]byte, 0, 32<<10)
	}
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[start], len(s)) //nolint:gosec // G103: the arena's bytes are never written again once handed out
}

// trailing reports whether what follows a quoted scalar on its line is
// nothing or a comment.
func trailing(rest string) bool {
	t := strings.TrimLeft(rest, " ")
	return t == "" || (t[0] == '#' && len(t) < len(rest))
}

// set stores a scalar in v following yaml.v3's rules for the types the
// model uses; plain scalars are the ones YAML resolves by their text.
func (d *decoder) set(p *plan, v reflect.Value, val string, plain bool, at pos) bool {
	if p == nil {
		return true
	}
	if d.clone && (p.kind == planString || p.kind == planUnmarshaler) {
		val = d.arena.clone(val)
	}
	switch p.kind {
	case planString:
		v.SetString(val)
		return true
	case planInt:
		if !plain || !isInt(val) {
			return false
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case planFloat:
		if !plain || !isDecimal(val) {
			return false
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return false
		}
		v.SetFloat(f)
		return true
	case planBool:
		if !plain {
			return false
		}
		switch val {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			return false
		}
		return true
	case planUnmarshaler:
		// What record.Time.UnmarshalYAML does with a scalar node, without
		// building one (the differential tests hold the two together).
		t, _ := record.ParseTime(strings.TrimSpace(val))
		t.Raw = val
		t.Line, t.Column = at.l.num, d.column(at.l, at.off)
		*v.Addr().Interface().(*record.Time) = t
		return true
	}
	return false
}

// isInt reports whether s is a decimal integer without a leading zero.
func isInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimal reports whether s is an integer or digits.digits.
func isDecimal(s string) bool {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !isInt(whole) {
		return false
	}
	if !hasFrac {
		return true
	}
	if frac == "" {
		return false
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return false
		}
	}
	return true
}

// blockScalar reads a literal (|, |-) or folded (>, >-) block scalar whose
// header is h, from the lines after the current one.
func (d *decoder) blockScalar(h string, parent int) (string, bool) {
	folded := h[0] == '>'
	h = h[1:]
	strip := false
	if h != "" && h[0] == '-' {
		strip = true
		h = h[1:]
	}
	if !trailing(h) {
		return "", false // keep (+) chomping, an indentation indicator, or junk
	}
	// The content indentation is that of the first line with text.
	indent := -1
	for k := d.i; k < len(d.lines); k++ {
		l := &d.lines[k]
		if l.cs == l.end {
			continue
		}
		if l.tab {
			return "", false
		}
		indent = l.indent
		break
	}
	if indent <= parent {
		// No content: the scalar is empty, and the lines below belong to
		// the parent.
		for k := d.i; k < len(d.lines) && d.lines[k].cs == d.lines[k].end; k++ {
			if d.lines[k].indent > parent {
				return "", false
			}
		}
		return "", true
	}
	var parts []string
	last := -1 // index in parts of the last line with text
	lastLine := -1
	k := d.i
	for ; k < len(d.lines); k++ {
		l := &d.lines[k]
		if l.cs == l.end { // only spaces
			if l.indent > indent {
				return "", false
			}
			parts = append(parts, "")
			continue
		}
		if l.indent < indent {
			break
		}
		text := d.text[l.start+indent : l.end]
		if folded && (text[0] == ' ' || text[0] == '\t') {
			return "", false // more-indented lines keep their breaks
		}
		if l.indent == indent && l.tab {
			return "", false
		}
		parts = append(parts, text)
		last, lastLine = len(parts)-1, k
	}
	d.i = k
	if last < 0 {
		return "", true
	}
	parts = parts[:last+1]
	var b strings.Builder
	if folded {
		empties := 0
		prev := false
		for _, p := range parts {
			if p == "" {
				empties++
				continue
			}
			switch {
			case prev && empties == 0:
				b.WriteByte(' ')
			default:
				for range empties {
					b.WriteByte('\n')
				}
			}
			b.WriteString(p)
			prev, empties = true, 0
		}
	} else {
		for i, p := range parts {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(p)
		}
	}
	if !strip && (lastLine < len(d.lines)-1 || d.finalBreak) {
		b.WriteByte('\n')
	}
	return b.String(), true
}

// singleQuoted reads a one-line single-quoted scalar at the start of s.
func singleQuoted(s string) (val, rest string, ok bool) {
	var b strings.Builder
	escaped := false
	start := 1
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteString(s[start : i+1])
			escaped = true
			i++
			start = i + 1
			continue
		}
		if !escaped {
			return s[1:i], s[i+1:], true
		}
		b.WriteString(s[start:i])
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

// doubleQuoted reads a one-line double-quoted scalar at the start of s,
// with YAML's escapes.
func doubleQuoted(s string) (val, rest string, ok bool) {
	i := 1
	for i < len(s) && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i < len(s) && s[i] == '"' {
		return s[1:i], s[i+1:], true
	}
	var b strings.Builder
	b.WriteString(s[1:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return b.String(), s[i+1:], true
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			e := s[i]
			n := 0
			switch e {
			case '0':
				b.WriteByte(0)
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 't', '\t':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'v':
				b.WriteByte('\v')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case 'e':
				b.WriteByte(0x1b)
			case ' ', '"', '\'', '\\':
				b.WriteByte(e)
			case 'N':
				b.WriteRune('\u0085')
			case '_':
				b.WriteRune('\u00a0')
			case 'L':
				b.WriteRune('\u2028')
			case 'P':
				b.WriteRune('\u2029')
			case 'x':
				n = 2
			case 'u':
				n = 4
			case 'U':
				n = 8
			default:
				return "", "", false
			}
			if n > 0 {
				if i+n >= len(s) {
					return "", "", false
				}
				r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", "", false
				}
				b.WriteRune(rune(r))
				i += n
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
