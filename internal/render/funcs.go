package render

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// Missing stands for data a document needs and the record lacks. It prints
// as a visible marker, [MISSING: field], and every helper passes it through
// unchanged, so {{ need .Record.DetectedAt "detected_at" | date "…" }} shows
// the marker rather than an empty sentence.
type Missing struct {
	// Field is the dotted path of what is missing, e.g.
	// assessment.rationale or contacts.dpo.
	Field string
}

// String is the marker.
func (m Missing) String() string { return "[MISSING: " + m.Field + "]" }

// markerPattern finds the markers in rendered output.
var markerPattern = regexp.MustCompile(`\[MISSING: ([^\]\r\n]{1,200})\]`)

// Markers returns the fields of the [MISSING: …] markers in out, each once,
// in order of first appearance.
func Markers(out []byte) []string {
	var fields []string
	seen := map[string]bool{}
	for _, m := range markerPattern.FindAllSubmatch(out, -1) {
		f := string(m[1])
		if !seen[f] {
			seen[f] = true
			fields = append(fields, f)
		}
	}
	return fields
}

// funcs returns the helpers; they need the data for the zone and fields.
func funcs(d *Data) map[string]any {
	zone := time.UTC
	if d != nil && d.Zone != nil {
		zone = d.Zone
	}
	return map[string]any{
		"need":       need,
		"missing":    func(field string) Missing { return Missing{Field: field} },
		"field":      func(path string) any { return field(d, path) },
		"has":        func(path string) bool { return d != nil && d.Has(path) },
		"default":    defaultValue,
		"empty":      isEmpty,
		"date":       func(layout string, v any) any { return formatDate(layout, v, zone) },
		"duration":   duration,
		"between":    between,
		"join":       join,
		"plural":     plural,
		"number":     number,
		"money":      money,
		"contact":    contactLine,
		"upper":      func(v any) any { return mapText(v, strings.ToUpper) },
		"lower":      func(v any) any { return mapText(v, strings.ToLower) },
		"oneline":    func(v any) any { return mapText(v, oneLine) },
		"cell":       func(v any) any { return mapText(v, cell) },
		"indent":     indent,
		"lines":      lines,
		"items":      items,
		"paragraphs": paragraphs,
		"add":        func(a, b int) int { return a + b },
		"trim":       func(v any) any { return mapText(v, strings.TrimSpace) },
		"list":       func(items ...any) []any { return items },
	}
}

// need returns v, or a Missing marker for path when v is empty (see empty).
func need(v any, path string) any {
	if isEmpty(v) {
		return Missing{Field: path}
	}
	return v
}

// isEmpty reports whether v holds no data: nil, a blank string, an empty
// list or map, a zero number, an unset time or interval, a nil pointer, a
// struct with only zero fields, or a Missing marker. A false bool is data.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case Missing:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case bool:
		return false
	case record.Time:
		return !x.IsSet() && strings.TrimSpace(x.Raw) == ""
	case Span:
		return !x.Set
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return true
		}
		return isEmpty(rv.Elem().Interface())
	case reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() == 0
	case reflect.Bool:
		return false
	}
	return rv.IsZero()
}

// field reads a dotted path of the record's JSON data model, or returns the
// marker when the record lacks it.
func field(d *Data, path string) any {
	if d == nil {
		return Missing{Field: path}
	}
	v, ok := lookupPath(d.Fields, path)
	if !ok || isEmpty(v) {
		return Missing{Field: path}
	}
	return v
}

// defaultValue returns v, or def when v is empty: {{ .X | default "none" }}.
func defaultValue(def, v any) any {
	if isEmpty(v) {
		return def
	}
	return v
}

// formatDate formats a record time, a time.Time or an RFC 3339 string in
// zone. A partial date (2026-03) is shown as written: it names a period,
// not an instant. An unset time is a marker.
func formatDate(layout string, v any, zone *time.Location) any {
	switch x := v.(type) {
	case Missing:
		return x
	case record.Time:
		if !x.IsSet() {
			if strings.TrimSpace(x.Raw) != "" {
				return x.Raw // not a valid time; the schema reports it
			}
			return Missing{Field: "time"}
		}
		if x.Precision != record.PrecisionFull {
			return x.Raw
		}
		return x.T.In(zone).Format(layout)
	case *record.Time:
		if x == nil {
			return Missing{Field: "time"}
		}
		return formatDate(layout, *x, zone)
	case time.Time:
		if x.IsZero() {
			return Missing{Field: "time"}
		}
		return x.In(zone).Format(layout)
	case string:
		if t, err := record.ParseTime(x); err == nil {
			return formatDate(layout, t, zone)
		}
		if strings.TrimSpace(x) == "" {
			return Missing{Field: "time"}
		}
		return x
	case nil:
		return Missing{Field: "time"}
	}
	return fmt.Sprint(v)
}

// duration shows a time.Duration or a Span, e.g. "2h 52m" or "3d 4h".
func duration(v any) any {
	switch x := v.(type) {
	case Missing:
		return x
	case Span:
		if !x.Set {
			return x.missing()
		}
		return x.String()
	case time.Duration:
		return formatDuration(x)
	case int:
		return formatDuration(time.Duration(x))
	case int64:
		return formatDuration(time.Duration(x))
	}
	return fmt.Sprint(v)
}

// between is the interval from a to b (record times or time.Time).
func between(a, b any) Span {
	toTime := func(v any) record.Time {
		switch x := v.(type) {
		case record.Time:
			return x
		case time.Time:
			if x.IsZero() {
				return record.Time{}
			}
			return record.At(x)
		case string:
			t, _ := record.ParseTime(x)
			return t
		}
		return record.Time{}
	}
	return span("from", toTime(a), "to", toTime(b))
}

func formatDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	d = d.Round(time.Minute)
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var s string
	switch {
	case days >= 7:
		s = fmt.Sprintf("%dd", days)
		if hours > 0 && days < 14 {
			s += fmt.Sprintf(" %dh", hours)
		}
	case days > 0:
		s = fmt.Sprintf("%dd %dh", days, hours)
		if hours == 0 {
			s = fmt.Sprintf("%dd", days)
		}
	case hours > 0:
		s = fmt.Sprintf("%dh %dm", hours, mins)
		if mins == 0 {
			s = fmt.Sprintf("%dh", hours)
		}
	default:
		s = fmt.Sprintf("%dm", mins)
	}
	if neg {
		return "-" + s
	}
	return s
}

// join joins the non-blank items of a list of strings (or of anything
// printable) with sep. A single string is returned as it is; an empty list
// is "".
func join(sep string, v any) any {
	switch x := v.(type) {
	case Missing:
		return x
	case nil:
		return ""
	case string:
		return x
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return fmt.Sprint(v)
	}
	var parts []string
	for i := 0; i < rv.Len(); i++ {
		item := rv.Index(i).Interface()
		if isEmpty(item) {
			if m, ok := item.(Missing); ok {
				parts = append(parts, m.String())
			}
			continue
		}
		parts = append(parts, fmt.Sprint(item))
	}
	return strings.Join(parts, sep)
}

// toFloat reads a number from the typed model or the JSON data model.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map || rv.Kind() == reflect.Array {
		return float64(rv.Len()), true
	}
	return 0, false
}

// plural is "1 record" or "58,400 records". A list counts its items.
func plural(n any, singular, pluralForm string) any {
	if m, ok := n.(Missing); ok {
		return m
	}
	f, ok := toFloat(n)
	if !ok {
		return fmt.Sprintf("%v %s", n, pluralForm)
	}
	if f == 1 {
		return "1 " + singular
	}
	return number(f).(string) + " " + pluralForm
}

// number shows a number with thousands separators: 58,400; 1,250.5.
func number(v any) any {
	if m, ok := v.(Missing); ok {
		return m
	}
	f, ok := toFloat(v)
	if !ok {
		return fmt.Sprint(v)
	}
	neg := f < 0
	f = math.Abs(f)
	whole := math.Floor(f)
	frac := f - whole
	digits := strconv.FormatFloat(whole, 'f', 0, 64)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := b.String()
	if frac > 0.000001 {
		s += strings.TrimPrefix(strconv.FormatFloat(frac, 'f', 2, 64), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// money shows a cost as "EUR 38,600".
func money(v any) any {
	switch x := v.(type) {
	case Missing:
		return x
	case *record.Cost:
		if x == nil || x.Currency == "" {
			return Missing{Field: "cost"}
		}
		return x.Currency + " " + number(x.Amount).(string)
	case record.Cost:
		return money(&x)
	}
	return fmt.Sprint(v)
}

// contactLine shows a contact on one line: name, organisation, role,
// address, e-mail, phone, URL or portal, policy number.
func contactLine(v any) any {
	var c config.Contact
	var extra []string
	switch x := v.(type) {
	case Missing:
		return x
	case *config.Contact:
		if x == nil {
			return Missing{Field: "contact"}
		}
		c = *x
	case config.Contact:
		c = x
	case *config.Authority:
		if x == nil {
			return Missing{Field: "contact"}
		}
		c = x.Contact
		if x.Portal != "" {
			extra = append(extra, "portal "+x.Portal)
		}
	case config.Authority:
		return contactLine(&x)
	case *config.Insurer:
		if x == nil {
			return Missing{Field: "contact"}
		}
		c = x.Contact
		if x.PolicyNumber != "" {
			extra = append(extra, "policy "+x.PolicyNumber)
		}
		if x.Hotline != "" {
			extra = append(extra, "hotline "+x.Hotline)
		}
	case config.Insurer:
		return contactLine(&x)
	case string:
		if strings.TrimSpace(x) == "" {
			return Missing{Field: "contact"}
		}
		return x
	default:
		return fmt.Sprint(v)
	}
	var parts []string
	for _, p := range []string{c.Name, c.Role, c.Organisation, c.Address, c.Email, c.Phone, c.URL} {
		if p = oneLine(p); p != "" {
			parts = append(parts, p)
		}
	}
	parts = append(parts, extra...)
	if len(parts) == 0 {
		return Missing{Field: "contact"}
	}
	return strings.Join(parts, ", ")
}

// mapText applies f to text, passing markers through.
func mapText(v any, f func(string) string) any {
	switch x := v.(type) {
	case Missing:
		return x
	case string:
		return f(x)
	case nil:
		return ""
	}
	return f(fmt.Sprint(v))
}

// cell makes text safe for one cell of a Markdown table: one line, pipes
// escaped.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

// indent indents every line but the first by n spaces, for multi-line text
// inside a Markdown list item.
func indent(n int, v any) any {
	if m, ok := v.(Missing); ok {
		return m
	}
	s := strings.TrimRight(fmt.Sprint(v), "\n")
	if v == nil {
		s = ""
	}
	pad := strings.Repeat(" ", n)
	ls := strings.Split(s, "\n")
	for i := 1; i < len(ls); i++ {
		if strings.TrimSpace(ls[i]) != "" {
			ls[i] = pad + ls[i]
		} else {
			ls[i] = ""
		}
	}
	return strings.Join(ls, "\n")
}

// items turns a value into a list to range over: a list as it is (its
// items printed), a string or a marker as a list of one, nothing as none.
func items(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case Missing:
		return []any{x}
	case string:
		if strings.TrimSpace(x) == "" {
			return nil
		}
		return []any{x}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return []any{v}
	}
	var out []any
	for i := 0; i < rv.Len(); i++ {
		if it := rv.Index(i).Interface(); !isEmpty(it) {
			out = append(out, it)
		}
	}
	return out
}

// lines splits text into its non-blank lines, trimmed.
func lines(v any) []string {
	var out []string
	for _, l := range strings.Split(textOf(v), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// paragraphs splits text at blank lines, each paragraph joined to one line.
func paragraphs(v any) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, l := range strings.Split(textOf(v), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			flush()
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}
