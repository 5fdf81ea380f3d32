package veris

import (
	"fmt"
	"math"
	"time"

	"github.com/casefile/casefile/internal/record"
)

// The range of timeline.incident.year in the VERIS 1.4.1 schema.
const (
	veris14MinYear = 1950
	veris14MaxYear = 2050
)

// incidentDate reads timeline.incident: the longest prefix of year, month
// and day that is a real date, as a partial date (2016, 2016-09,
// 2016-09-17), and the parts it used. A year outside the VERIS schema's
// 1950–2050 or a date after now is not used (an export could not give it
// back; found by FuzzImport).
func incidentDate(inc map[string]any, now time.Time) (date string, start time.Time, prec record.Precision, used []string) {
	y, ok := integer(inc, "year")
	if !ok || y < veris14MinYear || y > veris14MaxYear {
		return "", time.Time{}, record.PrecisionNone, nil
	}
	start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	date, prec, used = fmt.Sprintf("%04d", y), record.PrecisionYear, []string{"year"}
	if m, ok := integer(inc, "month"); ok && m >= 1 && m <= 12 {
		start = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		date, prec, used = fmt.Sprintf("%04d-%02d", y, m), record.PrecisionMonth, append(used, "month")
		if d, ok := integer(inc, "day"); ok && d >= 1 && d <= daysIn(y, time.Month(m)) {
			start = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			date, prec, used = start.Format("2006-01-02"), record.PrecisionDay, append(used, "day")
		}
	}
	if start.After(now) {
		return "", time.Time{}, record.PrecisionNone, nil
	}
	return date, start, prec, used
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// unitSeconds is the length of the VERIS timeline units below a day.
var unitSeconds = map[string]float64{"Seconds": 1, "Minutes": 60, "Hours": 3600}

// addDuration adds a VERIS timeline duration ({unit, value}) to a day, to
// the day (rounded down). It fails where the duration does not say how
// long to the day: Unknown, NA, Never, a unit of days or more without a
// value, hours without a value.
func addDuration(day time.Time, d map[string]any) (time.Time, bool) {
	if d == nil {
		return day, true
	}
	unit := str(d, "unit")
	v, hasValue := number(d, "value")
	if hasValue && (v < 0 || v > 1e6) {
		return time.Time{}, false
	}
	switch unit {
	case "Seconds", "Minutes", "Hours":
		if !hasValue {
			if unit == "Hours" {
				return time.Time{}, false
			}
			return day, true
		}
		return day.AddDate(0, 0, int(math.Floor(v*unitSeconds[unit]/86400))), true
	case "Days", "Weeks", "Months", "Years":
		if !hasValue {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	whole := v == math.Trunc(v)
	switch {
	case unit == "Days":
		return day.AddDate(0, 0, int(math.Floor(v))), true
	case unit == "Weeks":
		return day.AddDate(0, 0, int(math.Floor(v*7))), true
	case unit == "Months" && whole:
		return day.AddDate(0, int(v), 0), true
	case unit == "Months":
		return day.AddDate(0, 0, int(math.Floor(v*30.44))), true
	case whole:
		return day.AddDate(int(v), 0, 0), true
	}
	return day.AddDate(0, 0, int(math.Floor(v*365.25))), true
}

// detectedDay is when the incident was discovered: the incident day plus
// timeline.compromise plus timeline.discovery (VERIS counts discovery from
// the compromise). It needs the incident date to the day.
func detectedDay(start time.Time, prec record.Precision, tl map[string]any) (time.Time, bool) {
	disc := obj(tl, "discovery")
	if prec != record.PrecisionDay || disc == nil {
		return time.Time{}, false
	}
	t, ok := addDuration(start, obj(tl, "compromise"))
	if !ok {
		return time.Time{}, false
	}
	return addDuration(t, disc)
}

// durationBetween expresses the time from a to b as a VERIS duration in
// the largest unit below which it is whole: minutes under an hour, hours
// under a day, else days.
func durationBetween(a, b time.Time) map[string]any {
	d := b.Sub(a)
	switch {
	case d < 0:
		return map[string]any{"unit": "Unknown"}
	case d < time.Hour:
		return map[string]any{"unit": "Minutes", "value": jsonInt(int64(d / time.Minute))}
	case d < 24*time.Hour:
		return map[string]any{"unit": "Hours", "value": jsonInt(int64(d / time.Hour))}
	}
	return map[string]any{"unit": "Days", "value": jsonInt(int64(d / (24 * time.Hour)))}
}
