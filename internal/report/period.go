package report

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Granularities of the periods a trend report groups by.
const (
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
)

// Granularities lists the accepted --period values of trends.
var Granularities = []string{Month, Quarter, Year}

func periodMonths(g string) int {
	switch g {
	case Quarter:
		return 3
	case Year:
		return 12
	}
	return 1
}

// periodStart returns the start of the period of granularity g that holds
// t, in UTC.
func periodStart(t time.Time, g string) time.Time {
	t = t.UTC()
	m := int(t.Month())
	switch g {
	case Quarter:
		m = (m-1)/3*3 + 1
	case Year:
		m = 1
	}
	return time.Date(t.Year(), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

func periodNext(start time.Time, g string) time.Time {
	return start.AddDate(0, periodMonths(g), 0)
}

// periodIndex numbers the period holding t, counting from the period that
// starts at base.
func periodIndex(base, t time.Time, g string) int {
	t = t.UTC()
	months := (t.Year()-base.Year())*12 + int(t.Month()) - int(base.Month())
	if months < 0 {
		return -1
	}
	return months / periodMonths(g)
}

// PeriodLabel names the period of granularity g starting at start:
// 2026-07, 2026-Q3, 2026.
func PeriodLabel(start time.Time, g string) string {
	switch g {
	case Quarter:
		return fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	case Year:
		return strconv.Itoa(start.Year())
	}
	return start.Format("2006-01")
}

var periodRE = regexp.MustCompile(`^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$`)

// ParsePeriod reads a review period: a year (2026), a half (2026-H2), a
// quarter (2026-Q3) or a month (2026-07). It returns the period as a range
// and its canonical label.
func ParsePeriod(s string) (Range, string, error) {
	m := periodRE.FindStringSubmatch(s)
	if m == nil {
		return Range{}, "", fmt.Errorf("invalid period %q: want a year (2026), half (2026-H2), quarter (2026-Q3) or month (2026-07)", s)
	}
	y, _ := strconv.Atoi(m[1])
	month, months := 1, 12
	switch {
	case m[2] != "":
		month, _ = strconv.Atoi(m[2])
		months = 1
	case m[3] != "":
		q, _ := strconv.Atoi(m[3])
		month, months = (q-1)*3+1, 3
	case m[4] != "":
		h, _ := strconv.Atoi(m[4])
		month, months = (h-1)*6+1, 6
	}
	from := time.Date(y, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	return Range{From: from, To: from.AddDate(0, months, 0)}, s, nil
}

// previousRange is the range of the same length just before r: whole
// calendar months when r runs from a month start to a month start (so the
// quarter before a quarter is that quarter, not 92 days), else the same
// duration.
func previousRange(r Range) Range {
	if monthStart(r.From) && monthStart(r.To) {
		months := (r.To.Year()-r.From.Year())*12 + int(r.To.Month()) - int(r.From.Month())
		return Range{From: r.From.AddDate(0, -months, 0), To: r.From}
	}
	return Range{From: r.From.Add(-r.To.Sub(r.From)), To: r.From}
}

func monthStart(t time.Time) bool {
	t = t.UTC()
	return t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}
