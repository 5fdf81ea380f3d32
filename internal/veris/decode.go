package veris

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxFileSize caps a VERIS file. Real incidents are a few kilobytes; the
// cap is the record size limit, since one file becomes one record.
const MaxFileSize = 8 << 20

// maxDepth caps JSON nesting. VERIS needs five levels; the record keeps
// the file under source.veris.record, and records may nest 64 levels.
const maxDepth = 48

// File is one decoded VERIS incident file.
type File struct {
	// Name is the file as given, for messages.
	Name string
	// SHA256 is the hex digest of the file's bytes.
	SHA256 string
	// Data is the JSON object: map[string]any, []any, string, bool, nil
	// and json.Number.
	Data map[string]any
	// Notes are harmless oddities of the file (a byte-order mark).
	Notes []string
}

// Error is a file that cannot be imported, with the position of the
// problem when there is one.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var bom = []byte("\xEF\xBB\xBF")

// Decode parses the bytes of a VERIS file. It refuses, with the line and
// column of the first problem, what is not one JSON object of UTF-8 text:
// syntax errors, invalid UTF-8, nesting deeper than any incident needs,
// trailing data. A key given twice in one object takes its last value, as
// the VERIS project's own (Python) tools read it, with a note.
func Decode(name string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is %d bytes; a VERIS file may be at most %d bytes", len(data), MaxFileSize)}
	}
	sum := sha256.Sum256(data)
	f := &File{Name: name, SHA256: hex.EncodeToString(sum[:])}
	skip := 0
	if bytes.HasPrefix(data, bom) {
		f.Notes = append(f.Notes, "file starts with a UTF-8 byte-order mark (ignored)")
		skip = len(bom)
	}
	text := data[skip:]
	if !utf8.Valid(text) {
		off := 0
		for off < len(text) {
			r, size := utf8.DecodeRune(text[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		line, col := position(data, skip+off)
		return nil, &Error{File: name, Line: line, Column: col, Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x: a VERIS file is UTF-8 JSON", text[off])}
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, &Error{File: name, Line: 1, Column: 1, Msg: "file is empty"}
	}
	if m, ok := decodeFast(text); ok {
		f.Data = m
		return f, nil
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(text)), data: data, skip: skip, name: name}
	d.dec.UseNumber()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &Error{File: name, Line: 1, Column: 1, Msg: "a VERIS file holds one JSON object (an incident)"}
	}
	if end := d.dec.InputOffset(); d.dec.More() || !atEOF(d.dec) {
		line, col := position(data, d.tokenStart(end))
		return nil, &Error{File: name, Line: line, Column: col, Msg: "data after the incident object: a VERIS file holds one incident"}
	}
	f.Data = m
	f.Notes = append(f.Notes, d.notes...)
	return f, nil
}

func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

// decodeFast decodes a well-formed file with encoding/json, which is
// several times faster than walking tokens. It declines (and the token
// walk then names the problem) when a scan of the text finds nesting
// deeper than maxDepth or more object keys than the decoded objects hold,
// which means a key was given twice, or when the text is not one object.
func decodeFast(text []byte) (map[string]any, bool) {
	keys, ok := scanKeys(text)
	if !ok {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return m, countKeys(m) == keys
}

// scanKeys counts the object keys of JSON text (strings followed by a
// colon) and checks the nesting depth, without decoding.
func scanKeys(text []byte) (keys int, ok bool) {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '{', '[':
			depth++
			if depth > maxDepth {
				return 0, false
			}
		case '}', ']':
			depth--
		case '"':
			j := i + 1
			for j < len(text) && text[j] != '"' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			i = j
			k := j + 1
			for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r') {
				k++
			}
			if k < len(text) && text[k] == ':' {
				keys++
			}
		}
	}
	return keys, true
}

func countKeys(v any) int {
	switch t := v.(type) {
	case map[string]any:
		n := len(t)
		for _, x := range t {
			n += countKeys(x)
		}
		return n
	case []any:
		n := 0
		for _, x := range t {
			n += countKeys(x)
		}
		return n
	}
	return 0
}

// decoder builds the JSON model from tokens, so it can see duplicate keys
// and limit depth, which encoding/json's Unmarshal does not.
type decoder struct {
	dec   *json.Decoder
	data  []byte
	notes []string
	skip  int
	name  string
}

// tokenStart moves an offset of the decoder (just after the previous
// token) to where the next token starts.
func (d *decoder) tokenStart(off int64) int {
	i := d.skip + int(off)
	for i < len(d.data) && strings.IndexByte(" \t\r\n,:", d.data[i]) >= 0 {
		i++
	}
	return i
}

func (d *decoder) fail(off int64, format string, args ...any) error {
	line, col := position(d.data, d.tokenStart(off))
	return &Error{File: d.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return d.fail(se.Offset, "invalid JSON: %v", se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return d.fail(int64(len(d.data)-d.skip), "invalid JSON: unexpected end of file")
	}
	return d.fail(d.dec.InputOffset(), "invalid JSON: %v", err)
}

func (d *decoder) value(depth int) (any, error) {
	start := d.dec.InputOffset()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxDepth {
		return nil, d.fail(start, "nesting deeper than %d levels", maxDepth)
	}
	switch delim {
	case '{':
		m := map[string]any{}
		for d.dec.More() {
			keyAt := d.dec.InputOffset()
			kt, err := d.dec.Token()
			if err != nil {
				return nil, d.syntax(err)
			}
			k, ok := kt.(string)
			if !ok {
				return nil, d.fail(d.dec.InputOffset(), "invalid JSON: object key is not a string")
			}
			if _, dup := m[k]; dup {
				line, col := position(d.data, d.tokenStart(keyAt))
				d.notes = append(d.notes, fmt.Sprintf("line %d:%d: duplicate key %q: the last value is used, as VERIS's own tools (Python's json) read it", line, col, k))
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.syntax(err)
		}
		return m, nil
	case '[':
		s := []any{}
		for d.dec.More() {
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.syntax(err)
		}
		return s, nil
	}
	return nil, d.fail(start, "invalid JSON: unexpected %v", delim)
}

// position turns a byte offset into a 1-based line and column (in runes).
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}
