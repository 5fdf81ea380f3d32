package veris

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Displaced is a value that does not fit the VERIS schema where it was
// found (a VERIS 1.3 field 1.4 dropped, a renamed enumeration value). An
// export keeps it under plus.casefile.displaced with its JSON pointer, so
// the output validates and nothing is lost.
type Displaced struct {
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// conform brings v into the shape the schema node describes: values that do
// not fit are displaced, a scalar where a list is expected becomes a list of
// one (VERIS 1.3 wrote asset.cloud as a string), duplicates are dropped from
// unique lists, and required fields that are missing get the schema's
// default or its "Unknown" value. ok is false when v had to be dropped.
func conform(v any, n *node, path string, out *[]Displaced) (any, bool) {
	if n == nil {
		return v, true
	}
	switch n.typ() {
	case "object":
		m, isMap := v.(map[string]any)
		if !isMap {
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		res := make(map[string]any, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			child := m[k]
			p := path + "/" + escapePointer(k)
			sub, known := n.Properties[k]
			if !known {
				if n.AdditionalProperties != nil && !*n.AdditionalProperties {
					*out = append(*out, Displaced{p, child})
					continue
				}
				res[k] = child
				continue
			}
			if cv, ok := conform(child, sub, p, out); ok {
				res[k] = cv
			}
		}
		for _, k := range n.Required {
			if _, ok := res[k]; !ok {
				if dv, ok := defaultFor(n.Properties[k]); ok {
					res[k] = dv
				}
			}
		}
		if n.MinProperties != nil && len(res) < *n.MinProperties {
			if u, ok := n.Properties["unknown"]; ok {
				if dv, ok := defaultFor(u); ok {
					res["unknown"] = dv
				}
			}
		}
		return res, true
	case "array":
		list, isList := v.([]any)
		if !isList {
			// A lone value where VERIS wants a list of them.
			if n.Items != nil {
				var probe []Displaced
				if cv, ok := conform(v, n.Items, path+"/0", &probe); ok && len(probe) == 0 {
					return []any{cv}, true
				}
			}
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		res := make([]any, 0, len(list))
		seen := map[string]bool{}
		for i, item := range list {
			cv, ok := conform(item, n.Items, path+"/"+strconv.Itoa(i), out)
			if !ok {
				continue
			}
			if n.UniqueItems {
				key := canonicalKey(cv)
				if seen[key] {
					continue
				}
				seen[key] = true
			}
			res = append(res, cv)
		}
		if n.MinItems != nil && len(res) < *n.MinItems {
			if dv, ok := defaultFor(n.Items); ok && (!n.UniqueItems || !seen[canonicalKey(dv)]) {
				res = append(res, dv)
			}
		}
		if n.MinItems != nil && len(res) < *n.MinItems {
			// Too short, with nothing that could fill it (victim.region:
			// [] has no "Unknown" code): the list cannot be exported here.
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		return res, true
	case "string":
		s, isStr := v.(string)
		if !isStr || !n.inEnum(s) || !fitsString(s, n) {
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		return s, true
	case "integer", "number":
		num, isNum := v.(json.Number)
		if !isNum {
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		f, err := num.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) ||
			(n.typ() == "integer" && f != math.Trunc(f)) ||
			(n.Minimum != nil && f < *n.Minimum) || (n.Maximum != nil && f > *n.Maximum) {
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		return num, true
	case "boolean":
		if _, isBool := v.(bool); !isBool {
			*out = append(*out, Displaced{path, v})
			return nil, false
		}
		return v, true
	}
	return v, true
}

func fitsString(s string, n *node) bool {
	l := utf8.RuneCountInString(s)
	if n.MinLength != nil && l < *n.MinLength {
		return false
	}
	if n.MaxLength != nil && l > *n.MaxLength {
		return false
	}
	return n.re == nil || n.re.MatchString(s)
}

// unknownIndustry is the NAICS code VERIS uses for an unknown industry.
const unknownIndustry = "000"

// defaultFor is what a required field that is missing becomes: the
// schema's default, "Unknown" (or "NA", "Other") from its enumeration, a
// list of one such value, or an object with its own required fields.
func defaultFor(n *node) (any, bool) {
	if n == nil {
		return nil, false
	}
	if n.Default != nil && n.inEnum(n.Default) {
		if s, ok := n.Default.(string); !ok || fitsString(s, n) {
			return n.Default, true
		}
	}
	switch n.typ() {
	case "string":
		for _, s := range []string{"Unknown", "NA", "Other"} {
			if n.enumHas(s) {
				return s, true
			}
		}
		if n.Enum == nil && fitsString(unknownIndustry, n) && n.re != nil {
			return unknownIndustry, true
		}
		if n.Enum == nil && n.re == nil && (n.MinLength == nil || *n.MinLength <= 7) {
			return "Unknown", true
		}
		return nil, false
	case "array":
		if dv, ok := defaultFor(n.Items); ok {
			return []any{dv}, true
		}
		return nil, false
	case "object":
		v, _ := conform(map[string]any{}, n, "", new([]Displaced))
		return v, true
	case "boolean":
		return true, true
	}
	return nil, false
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// canonicalKey is a stable text of a JSON value, to compare list items.
func canonicalKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
