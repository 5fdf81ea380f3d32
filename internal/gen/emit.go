package gen

import (
	"strconv"
	"strings"
)

// emitter appends YAML in casefile's canonical block style (2-space
// indentation, sequences indented under their key, literal blocks for
// multi-line text) to a byte buffer. Callers write keys in schema order; the
// emitter only decides how each scalar is spelled, the way the canonical
// writer (yaml.v3) would spell it, so a generated file re-encodes to the same
// bytes.
type emitter struct {
	b []byte
	// dash is set by item: the next field opens a sequence item, so it is
	// written after the "- " instead of on a fresh indented line.
	dash bool
}

func (e *emitter) reset() { e.b, e.dash = e.b[:0], false }

func (e *emitter) indent(n int) {
	if e.dash {
		e.dash = false
		return
	}
	for i := 0; i < n; i++ {
		e.b = append(e.b, ' ')
	}
}

// item starts a sequence item at indentation n; the item's fields are then
// written at n+2.
func (e *emitter) item(n int) {
	e.indent(n)
	e.b = append(e.b, '-', ' ')
	e.dash = true
}

// open writes "key:" for a nested mapping or sequence.
func (e *emitter) open(n int, key string) {
	e.indent(n)
	e.b = append(e.b, key...)
	e.b = append(e.b, ':', '\n')
}

// raw writes a value that is already in its YAML form: a timestamp, a date,
// a number or a boolean.
func (e *emitter) raw(n int, key, v string) {
	e.indent(n)
	e.b = append(e.b, key...)
	e.b = append(e.b, ':', ' ')
	e.b = append(e.b, v...)
	e.b = append(e.b, '\n')
}

// str writes a string value, plain when YAML reads it back as the same
// string, double-quoted otherwise.
func (e *emitter) str(n int, key, v string) {
	e.indent(n)
	e.b = append(e.b, key...)
	e.b = append(e.b, ':', ' ')
	e.scalar(v)
	e.b = append(e.b, '\n')
}

func (e *emitter) int(n int, key string, v int64) { e.raw(n, key, strconv.FormatInt(v, 10)) }

func (e *emitter) bool(n int, key string, v bool) { e.raw(n, key, strconv.FormatBool(v)) }

// strs writes a sequence of strings in block style.
func (e *emitter) strs(n int, key string, vs []string) {
	if len(vs) == 0 {
		return
	}
	e.open(n, key)
	for _, v := range vs {
		e.indent(n + 2)
		e.b = append(e.b, '-', ' ')
		e.scalar(v)
		e.b = append(e.b, '\n')
	}
}

// block writes multi-line text as a literal block scalar ("|"). The text
// must end in exactly one newline and have no trailing spaces on any line.
func (e *emitter) block(n int, key, text string) {
	e.indent(n)
	e.b = append(e.b, key...)
	e.b = append(e.b, ':', ' ', '|', '\n')
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		line := text[:i]
		text = text[i+1:]
		if line != "" {
			for j := 0; j < n+2; j++ {
				e.b = append(e.b, ' ')
			}
			e.b = append(e.b, line...)
		}
		e.b = append(e.b, '\n')
	}
}

func (e *emitter) scalar(v string) {
	if plainSafe(v) {
		e.b = append(e.b, v...)
		return
	}
	e.b = append(e.b, '"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"', '\\':
			e.b = append(e.b, '\\', c)
		case '\n':
			e.b = append(e.b, '\\', 'n')
		default:
			e.b = append(e.b, c)
		}
	}
	e.b = append(e.b, '"')
}

// plainSafe reports whether v can be written as a plain scalar that reads back
// as the same string: it is conservative, so text that merely might be
// ambiguous is quoted.
func plainSafe(v string) bool {
	if v == "" || v[0] == ' ' || v[len(v)-1] == ' ' || v[len(v)-1] == ':' {
		return false
	}
	switch v[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '~', '=':
		return false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.ContainsAny(v, "\n\t\\") {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] >= 0x7f {
			return false
		}
	}
	// Single words that YAML resolves to something other than a string.
	if !strings.ContainsRune(v, ' ') {
		c := v[0]
		if c >= '0' && c <= '9' || c == '+' || c == '.' {
			return false
		}
		switch strings.ToLower(v) {
		case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
			return false
		}
	}
	return true
}

// wrap breaks text into lines of at most width bytes at spaces; each line,
// the last too, ends in a newline.
func wrap(dst []byte, text string, width int) []byte {
	col := 0
	for _, w := range strings.Fields(text) {
		switch {
		case col == 0:
		case col+1+len(w) > width:
			dst = append(dst, '\n')
			col = 0
		default:
			dst = append(dst, ' ')
			col++
		}
		dst = append(dst, w...)
		col += len(w)
	}
	return append(dst, '\n')
}
