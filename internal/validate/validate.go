// Package validate checks loaded YAML documents against casefile's embedded
// JSON Schemas and turns schema errors into problems with file positions.
package validate

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/schema"
)

// RuleSchema is the rule ID of schema violations.
const RuleSchema = "schema"

// Validator validates documents against one compiled schema. It is safe for
// concurrent use.
type Validator struct {
	s *jsonschema.Schema
}

var (
	compileOnce sync.Once
	recordV     *Validator
	configV     *Validator
	compileErr  error
)

func compile() {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	for url, src := range map[string][]byte{schema.RecordURL: schema.Record, schema.ConfigURL: schema.Config} {
		if err := c.AddResource(url, bytes.NewReader(src)); err != nil {
			compileErr = fmt.Errorf("loading schema %s: %w", url, err)
			return
		}
	}
	rs, err := c.Compile(schema.RecordURL)
	if err != nil {
		compileErr = fmt.Errorf("compiling record schema: %w", err)
		return
	}
	cs, err := c.Compile(schema.ConfigURL)
	if err != nil {
		compileErr = fmt.Errorf("compiling config schema: %w", err)
		return
	}
	recordV, configV = &Validator{rs}, &Validator{cs}
}

// Record returns the validator of record files.
func Record() (*Validator, error) {
	compileOnce.Do(compile)
	return recordV, compileErr
}

// Config returns the validator of casefile.yaml.
func Config() (*Validator, error) {
	compileOnce.Do(compile)
	return configV, compileErr
}

// Valid reports whether doc's data conforms to the schema, without working
// out positions and messages.
func (v *Validator) Valid(doc *record.Doc) bool {
	return v.s.Validate(doc.Data) == nil
}

// Validate returns one problem per schema violation in doc, sorted by
// position. A nil slice means the document is valid.
func (v *Validator) Validate(doc *record.Doc) []*record.Problem {
	err := v.s.Validate(doc.Data)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []*record.Problem{{File: doc.Path, Line: 1, Column: 1, Rule: RuleSchema, Msg: err.Error(), Fatal: true}}
	}
	var out []*record.Problem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		p := toProblem(doc, leaf)
		key := fmt.Sprintf("%d:%d:%s", p.Line, p.Column, p.Msg)
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// leaves flattens the error tree to the errors a person can act on. An anyOf
// or oneOf failure is one error, not one per alternative.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 || strings.HasSuffix(ve.KeywordLocation, "/anyOf") || strings.HasSuffix(ve.KeywordLocation, "/oneOf") {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

var (
	additionalRe = regexp.MustCompile(`^additionalProperties (.+) not allowed$`)
	missingRe    = regexp.MustCompile(`^missing properties: (.+)$`)
	quotedRe     = regexp.MustCompile(`'([^']*)'`)
	constRe      = regexp.MustCompile(`^must be "([0-9]+)"$`)
)

// friendly replaces the validator's message for keywords whose generic text
// (a regular expression) would not help the person fixing the file.
var friendly = map[string]string{
	"/properties/id/pattern":                                            "must be an ID like INC-2026-0007: capital letters and digits in hyphen-separated parts",
	"/properties/evidence/items/properties/id/pattern":                  "must be an evidence ID like EV-1",
	"/properties/evidence/items/properties/sha256/pattern":              "must be a SHA-256 digest: 64 lowercase hex digits",
	"/properties/corrective_actions/items/properties/id/pattern":        "must be a corrective action ID like CA-1",
	"/properties/drill/properties/findings/items/properties/id/pattern": "must be a finding ID like F-1",
	"/properties/assessment/properties/category/pattern":                "must be <class>/<type> from the taxonomy, e.g. intrusions/system-compromise",
	"/properties/cost/properties/currency/pattern":                      "must be an ISO 4217 currency code like EUR",
}

func toProblem(doc *record.Doc, ve *jsonschema.ValidationError) *record.Problem {
	loc := ve.InstanceLocation
	p := &record.Problem{File: doc.Path, Rule: RuleSchema, Fatal: true}
	field := FieldPath(loc)
	msg := ve.Message
	switch {
	case additionalRe.MatchString(msg):
		names := quotedRe.FindAllStringSubmatch(additionalRe.FindStringSubmatch(msg)[1], -1)
		// Name the unknown keys in file order and point at the first.
		type key struct {
			name      string
			line, col int
		}
		keys := make([]key, 0, len(names))
		for _, n := range names {
			l, c := doc.KeyPos(loc + "/" + escape(n[1]))
			keys = append(keys, key{n[1], l, c})
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].line != keys[j].line {
				return keys[i].line < keys[j].line
			}
			return keys[i].col < keys[j].col
		})
		list := make([]string, len(keys))
		for i, k := range keys {
			list[i] = strconv.Quote(k.name)
		}
		p.Line, p.Column = keys[0].line, keys[0].col
		p.Msg = "unknown field " + strings.Join(list, ", ")
		if field != "" {
			p.Msg += " in " + field
		}
		return p
	case missingRe.MatchString(msg):
		p.Line, p.Column = doc.KeyPos(loc)
		names := quotedRe.FindAllStringSubmatch(missingRe.FindStringSubmatch(msg)[1], -1)
		var list []string
		for _, n := range names {
			list = append(list, join(field, n[1]))
		}
		noun := "field"
		if len(list) > 1 {
			noun = "fields"
		}
		p.Msg = fmt.Sprintf("missing required %s %s", noun, strings.Join(list, ", "))
		return p
	case strings.HasSuffix(ve.KeywordLocation, "/anyOf") && strings.Contains(ve.AbsoluteKeywordLocation, "fuzzyTime"):
		msg = fmt.Sprintf("%s is not an RFC 3339 date-time or a date (YYYY, YYYY-MM, YYYY-MM-DD)", valueText(doc, loc))
	case friendly[ve.KeywordLocation] != "":
		msg = friendly[ve.KeywordLocation]
	case strings.HasSuffix(ve.KeywordLocation, "/const") || strings.HasSuffix(ve.KeywordLocation, "/enum"):
		msg = strings.TrimPrefix(msg, "value ")
		if m := constRe.FindStringSubmatch(msg); m != nil {
			msg = "must be " + m[1]
		}
	case strings.HasSuffix(ve.KeywordLocation, "/format") && strings.Contains(msg, "'date-time'"):
		msg = fmt.Sprintf("%s is not an RFC 3339 date-time with a time zone (e.g. 2026-03-02T09:14:00Z)", valueText(doc, loc))
	}
	p.Line, p.Column = doc.Pos(loc)
	if field == "" {
		p.Msg = msg
	} else {
		p.Msg = field + ": " + msg
	}
	return p
}

func valueText(doc *record.Doc, pointer string) string {
	v := doc.Value(pointer)
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// FieldPath turns a JSON pointer into the dotted form people read:
// /actions/0/at becomes actions[0].at.
func FieldPath(pointer string) string {
	if pointer == "" {
		return ""
	}
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = unescape(tok)
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}
