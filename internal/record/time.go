package record

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Precision says how much of a Time is known.
type Precision int

// Precisions of a Time, from none to a full timestamp.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
	PrecisionFull
)

// Time is a point in time as written in a record: the text the user wrote, and
// the instant it denotes. Partial dates (2026, 2026-03, 2026-03-02) are kept
// with their precision, so ordering checks can treat them as the interval they
// name rather than as midnight UTC.
type Time struct {
	Raw       string
	T         time.Time
	Precision Precision
	Line      int
	Column    int
}

// ParseTime parses an RFC 3339 timestamp or a partial date.
func ParseTime(s string) (Time, error) {
	t := Time{Raw: s}
	layouts := []struct {
		layout string
		prec   Precision
	}{
		{time.RFC3339Nano, PrecisionFull},
		{"2006-01-02", PrecisionDay},
		{"2006-01", PrecisionMonth},
		{"2006", PrecisionYear},
	}
	for _, l := range layouts {
		if v, err := time.Parse(l.layout, s); err == nil {
			// time.Parse accepts lowercase "t"/"z" and other leniencies only in
			// RFC 3339 mode; dates must be exactly the layout's length.
			if l.prec != PrecisionFull && len(s) != len(l.layout) {
				continue
			}
			t.T, t.Precision = v, l.prec
			return t, nil
		}
	}
	return t, fmt.Errorf("%q is not an RFC 3339 timestamp or a date", s)
}

// UnmarshalYAML keeps the scalar text and its position; text that does not
// parse leaves the Time invalid (the schema reports it).
func (t *Time) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a timestamp", n.Line)
	}
	parsed, _ := ParseTime(strings.TrimSpace(n.Value))
	parsed.Raw = n.Value
	parsed.Line, parsed.Column = n.Line, n.Column
	*t = parsed
	return nil
}

// MarshalYAML writes the text as the user wrote it, unquoted like a YAML
// timestamp (a plain string would be quoted because it looks like one).
func (t Time) MarshalYAML() (any, error) {
	if _, err := ParseTime(t.Raw); err != nil {
		return t.Raw, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: t.Raw}, nil
}

// IsZero reports whether the Time is absent, so omitempty leaves it out.
func (t Time) IsZero() bool { return t.Raw == "" }

// At returns the Time of an instant, written as RFC 3339 in UTC.
func At(ts time.Time) Time {
	s := ts.UTC().Format(time.RFC3339)
	t, _ := ParseTime(s)
	return t
}

// IsSet reports whether the field was present with a valid value.
func (t Time) IsSet() bool { return t.Precision != PrecisionNone }

// Start is the earliest instant the Time can denote.
func (t Time) Start() time.Time { return t.T }

// End is the latest instant the Time can denote: the end of its year, month or
// day for a partial date, the instant itself for a full timestamp.
func (t Time) End() time.Time {
	switch t.Precision {
	case PrecisionYear:
		return t.T.AddDate(1, 0, 0).Add(-time.Nanosecond)
	case PrecisionMonth:
		return t.T.AddDate(0, 1, 0).Add(-time.Nanosecond)
	case PrecisionDay:
		return t.T.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return t.T
}

// After reports whether t certainly lies after u: the whole interval t
// denotes is later than the whole interval u denotes. Unset times are never
// out of order.
func (t Time) After(u Time) bool {
	if !t.IsSet() || !u.IsSet() {
		return false
	}
	return t.Start().After(u.End())
}

// String returns the text as the user wrote it.
func (t Time) String() string { return t.Raw }
