package regime

import (
	"fmt"
	"strconv"
	"time"
)

// Clock turns the instant that starts a period into the deadline: the last
// instant at which a submission is still on time (a submission at exactly
// the deadline is on time).
type Clock interface {
	Deadline(trigger time.Time) time.Time
	String() string
}

// Hours is a period of clock hours: elapsed time, with nights, weekends,
// holidays and daylight-saving changes counted as the hours they last. It is
// independent of any time zone, so 72 h from 10:00 CET on the Friday before
// the EU spring change ends at 11:00 CEST on Monday.
type Hours int

// Deadline returns trigger plus h hours of elapsed time.
func (h Hours) Deadline(trigger time.Time) time.Time {
	return trigger.Add(time.Duration(h) * time.Hour)
}

// String returns the amount as written in casefile.yaml, e.g. "72h".
func (h Hours) String() string { return strconv.Itoa(int(h)) + "h" }

// CalendarDays is a period of N calendar days that excludes the day of the
// trigger and ends with the last instant of the Nth day after it, in Loc (or,
// when Loc is nil, in the trigger's own location, which Evaluate sets to the
// organisation's time zone). This is Regulation 1182/71 Art. 3(1) second
// subparagraph and 3(2)(b) for EU periods in days, and reads "60 calendar days
// after discovery" (HIPAA), "within 30 days after" (Privacy Act 1988 with Acts
// Interpretation Act s 36) and "3 calendar days after the day" (PDPA s 26D)
// the same way.
type CalendarDays struct {
	N   int
	Loc *time.Location
}

// Deadline returns the end of the Nth calendar day after the trigger's day.
func (c CalendarDays) Deadline(trigger time.Time) time.Time {
	t := in(trigger, c.Loc)
	y, m, d := t.Date()
	return endOfDay(y, m, d+c.N, t.Location())
}

// String returns the amount as written in casefile.yaml, e.g. "60d".
func (c CalendarDays) String() string { return strconv.Itoa(c.N) + "d" }

// CalendarMonths is a period of N calendar months under Regulation 1182/71
// Art. 3(2)(c): it ends with the expiry of the last hour of the day in the
// last month that has the same date as the day the period runs from, or of
// the last day of that month when it has no such date (31 January + 1 month
// ends at the end of 28 or 29 February). Days are those of Loc, or of the
// trigger's location when Loc is nil.
type CalendarMonths struct {
	N   int
	Loc *time.Location
}

// Deadline returns the end of the same-numbered day N months later, clamped
// to the last day of a shorter month.
func (c CalendarMonths) Deadline(trigger time.Time) time.Time {
	t := in(trigger, c.Loc)
	y, m, d := t.Date()
	// Day 1 of the target month normalises the year; the day is clamped
	// afterwards so that 31 January never overflows into March.
	ty, tm, _ := time.Date(y, m+time.Month(c.N), 1, 12, 0, 0, 0, time.UTC).Date()
	return endOfDay(ty, tm, min(d, daysIn(ty, tm)), t.Location())
}

// String returns the amount as written in casefile.yaml, e.g. "1mo".
func (c CalendarMonths) String() string { return strconv.Itoa(c.N) + "mo" }

// BusinessDays is a period of N business days: days that are neither
// Saturday, Sunday nor a holiday of Calendar (nil: weekends only), counted in
// Loc (or the trigger's location when Loc is nil). The day of the trigger is
// never counted, so the deadline falls on the Nth business day after it; for a
// trigger on a non-business day that is the same as the SEC's "begin to run
// on, and include, the first business day thereafter". The period ends at
// Cutoff after local midnight of that day, or at the end of the day when
// Cutoff is zero.
type BusinessDays struct {
	N        int
	Calendar HolidayCalendar
	Loc      *time.Location
	Cutoff   time.Duration
}

// Deadline returns the cut-off time of the Nth business day after the
// trigger's day.
func (b BusinessDays) Deadline(trigger time.Time) time.Time {
	t := in(trigger, b.Loc)
	y, m, d := t.Date()
	// Civil-date arithmetic at noon UTC, so no zone rule can shift the day.
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	for n := 0; n < b.N; {
		day = day.AddDate(0, 0, 1)
		if b.IsBusinessDay(day.Date()) {
			n++
		}
	}
	y, m, d = day.Date()
	if b.Cutoff <= 0 {
		return endOfDay(y, m, d, t.Location())
	}
	c := b.Cutoff
	return time.Date(y, m, d, int(c/time.Hour), int(c%time.Hour/time.Minute), int(c%time.Minute/time.Second), 0, t.Location())
}

// IsBusinessDay reports whether the civil date is a business day of b.
func (b BusinessDays) IsBusinessDay(y int, m time.Month, d int) bool {
	switch time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	if b.Calendar == nil {
		return true
	}
	_, holiday := b.Calendar.Holiday(y, m, d)
	return !holiday
}

// String returns the amount as written in casefile.yaml, e.g. "4bd".
func (b BusinessDays) String() string { return strconv.Itoa(b.N) + "bd" }

// DaysAfterYearEnd is a period that ends N calendar days after 31 December of
// the trigger's year, in Loc (or the trigger's location). HIPAA uses it for
// breaches affecting fewer than 500 individuals, which are reported to HHS
// "not later than 60 days after the end of each calendar year" (45 CFR
// 164.408(c)).
type DaysAfterYearEnd struct {
	N   int
	Loc *time.Location
}

// Deadline returns the end of the Nth day after the end of the trigger's
// calendar year.
func (c DaysAfterYearEnd) Deadline(trigger time.Time) time.Time {
	t := in(trigger, c.Loc)
	return endOfDay(t.Year(), time.December, 31+c.N, t.Location())
}

// String describes the period, e.g. "60d after year end".
func (c DaysAfterYearEnd) String() string {
	return fmt.Sprintf("%dd after year end", c.N)
}

// in converts t to loc, keeping t's own location when loc is nil.
func in(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		return t
	}
	return t.In(loc)
}

// endOfDay is the last instant of the civil day y-m-d in loc. time.Date
// normalises d beyond the month's length, and taking one nanosecond off the
// next midnight keeps days of 23 or 25 hours right.
func endOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}
