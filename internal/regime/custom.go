package regime

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WithoutUndueDelay is the within: value of an obligation with no number.
const WithoutUndueDelay = "without undue delay"

// Custom is an organisation-defined obligation as written in casefile.yaml
// (see the package documentation for the YAML shape). ParseCustom builds it
// from decoded YAML and accepts a single party as a plain string as well as a
// list.
type Custom struct {
	ID          string `yaml:"id" json:"id"`
	Regime      string `yaml:"regime" json:"regime"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Trigger is aware_at, classified_at or determined_at; After is
	// instead the ID of an obligation of the same regime whose submission
	// starts the clock, and Latest takes its latest submission.
	Trigger string `yaml:"trigger,omitempty" json:"trigger,omitempty"`
	After   string `yaml:"after,omitempty" json:"after,omitempty"`
	Latest  bool   `yaml:"latest,omitempty" json:"latest,omitempty"`
	// Within is 48h, 5d, 3bd, 1mo or "without undue delay".
	Within string `yaml:"within" json:"within"`
	// Calendar and Cutoff apply to business days only: the holiday
	// calendar (us-federal or weekends, the default) and the local time of
	// day ("17:00") the last day ends at (default: the end of the day).
	Calendar       string   `yaml:"calendar,omitempty" json:"calendar,omitempty"`
	Cutoff         string   `yaml:"cutoff,omitempty" json:"cutoff,omitempty"`
	Party          []string `yaml:"party" json:"party"`
	Phase          string   `yaml:"phase,omitempty" json:"phase,omitempty"`
	EffectiveFrom  string   `yaml:"effective_from,omitempty" json:"effective_from,omitempty"`
	EffectiveUntil string   `yaml:"effective_until,omitempty" json:"effective_until,omitempty"`
	Source         string   `yaml:"source,omitempty" json:"source,omitempty"`
}

var customKeys = []string{
	"id", "regime", "description", "trigger", "after", "latest", "within", "calendar",
	"cutoff", "party", "phase", "effective_from", "effective_until", "source",
}

// ParseCustom turns the decoded obligations: list of casefile.yaml into
// obligations, for RuleSet.With. Errors name the entry by position and ID,
// e.g. `obligation 2 (acme-notice): within: "48" is not an amount …`.
func ParseCustom(items []map[string]any) ([]Obligation, error) {
	var out []Obligation
	seen := map[string]int{}
	for i, item := range items {
		label := fmt.Sprintf("obligation %d", i+1)
		if id, ok := item["id"].(string); ok && id != "" {
			label += " (" + id + ")"
		}
		c, err := decodeCustom(item)
		if err == nil {
			if j, dup := seen[c.ID]; dup {
				err = fmt.Errorf("id %s is already used by obligation %d", c.ID, j)
			}
		}
		var o Obligation
		if err == nil {
			o, err = c.build()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		seen[c.ID] = i + 1
		out = append(out, o)
	}
	return out, nil
}

// Obligation converts the entry, checking every field.
func (c Custom) Obligation() (Obligation, error) {
	o, err := c.build()
	if err != nil {
		return Obligation{}, fmt.Errorf("obligation %s: %w", c.ID, err)
	}
	return o, nil
}

func (c Custom) build() (Obligation, error) {
	o := Obligation{
		ID: c.ID, Regime: c.Regime, Title: c.Description, Phase: c.Phase,
		Parties: slices.Clone(c.Party), Source: c.Source, Custom: true,
	}
	if o.Source == "" {
		o.Source = "casefile.yaml"
	}
	switch {
	case c.ID == "":
		return o, errors.New("id is missing")
	case !idPattern.MatchString(c.ID):
		return o, fmt.Errorf("id %q must be lowercase letters, digits, '.', '_' or '-'", c.ID)
	case c.Regime == "":
		return o, errors.New("regime is missing")
	case !idPattern.MatchString(c.Regime):
		return o, fmt.Errorf("regime %q must be lowercase letters, digits, '.', '_' or '-'", c.Regime)
	}

	var t Trigger
	switch {
	case c.Trigger != "" && c.After != "":
		return o, errors.New("give either trigger or after, not both")
	case c.Trigger != "":
		if !slices.Contains(validFields, c.Trigger) {
			return o, fmt.Errorf("trigger %q is not one of %s", c.Trigger, strings.Join(validFields, ", "))
		}
		t.Field = c.Trigger
	case c.After != "":
		if c.After == c.ID {
			return o, errors.New("after names the obligation itself")
		}
		t.After = c.After
	default:
		return o, fmt.Errorf("trigger is missing (one of %s, or after: <obligation id>)", strings.Join(validFields, ", "))
	}
	if c.Latest {
		if c.After == "" {
			return o, errors.New("latest needs after")
		}
		t.Latest = true
	}

	clock, err := parseWithin(c.Within, c.Calendar, c.Cutoff)
	if err != nil {
		return o, err
	}
	o.Legs = []Leg{{Trigger: t, Clock: clock}}

	if len(o.Parties) == 0 {
		return o, errors.New("party is missing")
	}
	for _, p := range o.Parties {
		if !slices.Contains(validParties, p) {
			return o, fmt.Errorf("party %q is not one of %s", p, strings.Join(validParties, ", "))
		}
	}
	if c.Phase != "" && phaseRank(c.Phase) < 0 {
		return o, fmt.Errorf("phase %q is not one of early-warning, initial, intermediate, final", c.Phase)
	}
	if o.EffectiveFrom, err = parseDate("effective_from", c.EffectiveFrom); err != nil {
		return o, err
	}
	if o.EffectiveUntil, err = parseDate("effective_until", c.EffectiveUntil); err != nil {
		return o, err
	}
	if !o.EffectiveUntil.IsZero() && !o.EffectiveUntil.After(o.EffectiveFrom) {
		return o, errors.New("effective_until is not after effective_from")
	}
	return o, nil
}

var withinPattern = regexp.MustCompile(`^([0-9]+)(h|d|bd|mo)$`)

// Upper bounds keep durations from overflowing and business-day loops
// short; no contract counts further.
var withinMax = map[string]int{"h": 10000, "d": 3660, "bd": 1000, "mo": 120}

// parseWithin parses an amount such as 48h, 5d, 3bd or 1mo; "without undue
// delay" gives a nil Clock. Days, business days and months count in the
// organisation's time zone.
func parseWithin(within, calendar, cutoff string) (Clock, error) {
	w := strings.TrimSpace(within)
	if w == "" {
		return nil, errors.New(`within is missing (e.g. 48h, 5d, 3bd, 1mo or "without undue delay")`)
	}
	if strings.EqualFold(w, WithoutUndueDelay) {
		if calendar != "" || cutoff != "" {
			return nil, errors.New("calendar and cutoff need a business-day amount such as 3bd")
		}
		return nil, nil
	}
	m := withinPattern.FindStringSubmatch(w)
	if m == nil {
		return nil, fmt.Errorf(`within: %q is not an amount like 48h, 5d, 3bd, 1mo or "without undue delay"`, within)
	}
	n, err := strconv.Atoi(m[1])
	unit := m[2]
	if err != nil || n < 1 || n > withinMax[unit] {
		return nil, fmt.Errorf("within: %q must be between 1%s and %d%s", within, unit, withinMax[unit], unit)
	}
	if unit != "bd" && (calendar != "" || cutoff != "") {
		return nil, fmt.Errorf("calendar and cutoff apply to business days only, not to %q", within)
	}
	switch unit {
	case "h":
		return Hours(n), nil
	case "d":
		return CalendarDays{N: n}, nil
	case "mo":
		return CalendarMonths{N: n}, nil
	}
	cal, err := LookupCalendar(calendar)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	b := BusinessDays{N: n, Calendar: cal}
	if cutoff != "" {
		t, err := time.Parse("15:04", cutoff)
		if err != nil || t.Hour() == 0 && t.Minute() == 0 {
			return nil, fmt.Errorf("cutoff: %q is not a time of day from 00:01 to 23:59 such as 17:30", cutoff)
		}
		b.Cutoff = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	return b, nil
}

// parseDate reads an effective date: a date (00:00 UTC) or an RFC 3339
// timestamp.
func parseDate(key, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a date (2006-01-02) or an RFC 3339 timestamp", key, s)
}

// decodeCustom reads one entry of decoded YAML or JSON, refusing unknown
// keys and wrong types so that a typo does not silently drop a duty.
func decodeCustom(item map[string]any) (Custom, error) {
	var c Custom
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(customKeys, k) {
			return c, fmt.Errorf("unknown key %q (known: %s)", k, strings.Join(customKeys, ", "))
		}
	}
	str := func(key string, dst *string) error {
		v, ok := item[key]
		if !ok || v == nil {
			return nil
		}
		switch v := v.(type) {
		case string:
			*dst = v
			return nil
		case time.Time:
			// YAML timestamps decoded into time.Time by some decoders.
			*dst = v.Format(time.RFC3339)
			if v.Equal(time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)) {
				*dst = v.Format(time.DateOnly)
			}
			return nil
		}
		return fmt.Errorf("%s: %v is a %s, not a string", key, v, typeName(v))
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"id", &c.ID},
		{"regime", &c.Regime},
		{"description", &c.Description},
		{"trigger", &c.Trigger},
		{"after", &c.After},
		{"within", &c.Within},
		{"calendar", &c.Calendar},
		{"cutoff", &c.Cutoff},
		{"phase", &c.Phase},
		{"effective_from", &c.EffectiveFrom},
		{"effective_until", &c.EffectiveUntil},
		{"source", &c.Source},
	} {
		if err := str(f.key, f.dst); err != nil {
			if f.key == "within" {
				return c, fmt.Errorf(`%w (write an amount with its unit: 48h, 5d, 3bd, 1mo)`, err)
			}
			return c, err
		}
	}
	if v, ok := item["latest"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return c, fmt.Errorf("latest: %v is a %s, not true or false", v, typeName(v))
		}
		c.Latest = b
	}
	switch v := item["party"].(type) {
	case nil:
	case string:
		c.Party = []string{v}
	case []string:
		c.Party = slices.Clone(v)
	case []any:
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return c, fmt.Errorf("party: %v is a %s, not a string", p, typeName(p))
			}
			c.Party = append(c.Party, s)
		}
	default:
		return c, fmt.Errorf("party: %v is a %s, not a party or a list of parties", v, typeName(v))
	}
	return c, nil
}

func typeName(v any) string {
	switch v.(type) {
	case int, int64, uint64, float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "mapping"
	}
	return fmt.Sprintf("%T", v)
}
