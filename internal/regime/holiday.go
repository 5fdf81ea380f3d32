package regime

import (
	"fmt"
	"slices"
	"time"
)

// HolidayCalendar says which civil dates are holidays for business-day
// counting. Saturdays and Sundays are excluded by BusinessDays itself.
type HolidayCalendar interface {
	Holiday(y int, m time.Month, d int) (name string, ok bool)
}

// Holiday is one holiday on the day it is observed.
type Holiday struct {
	Name string
	// Date is the observed day (the day offices are closed), at 00:00 UTC.
	Date time.Time
	// Actual is the statutory date when it differs from Date (a holiday on a
	// weekend moved to Friday or Monday), else the same as Date.
	Actual time.Time
}

// Observed reports whether the holiday was moved off a weekend.
func (h Holiday) Observed() bool { return !h.Date.Equal(h.Actual) }

// Names of the built-in holiday calendars, for custom obligations.
const (
	CalendarUSFederal = "us-federal"
	CalendarWeekends  = "weekends"
)

// LookupCalendar returns the built-in holiday calendar of that name:
// "us-federal" (the federal holidays of 5 U.S.C. 6103) or "weekends" (no
// holidays, only Saturdays and Sundays are excluded).
func LookupCalendar(name string) (HolidayCalendar, error) {
	switch name {
	case CalendarUSFederal:
		return USFederal{}, nil
	case CalendarWeekends, "":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown holiday calendar %q (known: %s, %s)", name, CalendarUSFederal, CalendarWeekends)
}

// USFederal is the calendar of US federal holidays (5 U.S.C. 6103(a)), the
// days the SEC is closed. A holiday on a Saturday is observed on the Friday
// before and one on a Sunday on the Monday after (5 U.S.C. 6103(b),
// Executive Order 11582), so New Year's Day on a Saturday closes offices on
// 31 December of the year before. Ad hoc closures (national days of mourning,
// Christmas Eve by executive order) are not predictable; add them with
// Closures. Inauguration Day, a holiday only for the Washington area, is not
// included.
type USFederal struct{}

// Holiday reports whether federal offices are closed on y-m-d for a holiday.
func (USFederal) Holiday(y int, m time.Month, d int) (string, bool) {
	day := civil(y, m, d)
	// The next year's New Year's Day may be observed on 31 December.
	for _, year := range []int{y, y + 1} {
		for _, h := range federalHolidays(year) {
			if h.Date.Equal(day) {
				return h.Name, true
			}
		}
	}
	return "", false
}

// Closures adds closed days to a base calendar (nil: weekends only). It is
// used through a pointer, which keeps clocks that hold it comparable.
type Closures struct {
	Base HolidayCalendar
	// Days maps each closed day, as "2006-01-02", to its name.
	Days map[string]string
}

// Holiday reports whether y-m-d is one of the closed days or a holiday of
// the base calendar.
func (c *Closures) Holiday(y int, m time.Month, d int) (string, bool) {
	if name, ok := c.Days[fmt.Sprintf("%04d-%02d-%02d", y, m, d)]; ok {
		return name, true
	}
	if c.Base == nil {
		return "", false
	}
	return c.Base.Holiday(y, m, d)
}

// USFederalHolidays lists the federal holidays observed in the given year,
// in date order: the list for a year whose 31 December is the observed New
// Year's Day of the next year includes that day, and the list for a year
// whose 1 January is a Saturday has no New Year's Day.
func USFederalHolidays(year int) []Holiday {
	var out []Holiday
	for _, y := range []int{year, year + 1} {
		for _, h := range federalHolidays(y) {
			if h.Date.Year() == year {
				out = append(out, h)
			}
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// federalHolidays returns the holidays whose statutory date lies in year,
// on their observed days. The Monday holidays follow the Uniform Monday
// Holiday Act (in force 1971); MLK Day exists from 1986 and Juneteenth from
// 2021, the years before are not needed for any deadline here.
func federalHolidays(year int) []Holiday {
	fixed := func(name string, m time.Month, d int) Holiday {
		actual := civil(year, m, d)
		obs := actual
		switch actual.Weekday() {
		case time.Saturday:
			obs = actual.AddDate(0, 0, -1)
		case time.Sunday:
			obs = actual.AddDate(0, 0, 1)
		}
		return Holiday{Name: name, Date: obs, Actual: actual}
	}
	floating := func(name string, m time.Month, wd time.Weekday, n int) Holiday {
		d := nthWeekday(year, m, wd, n)
		return Holiday{Name: name, Date: d, Actual: d}
	}
	hs := []Holiday{fixed("New Year's Day", time.January, 1)}
	if year >= 1986 {
		hs = append(hs, floating("Birthday of Martin Luther King, Jr.", time.January, time.Monday, 3))
	}
	hs = append(hs,
		floating("Washington's Birthday", time.February, time.Monday, 3),
		floating("Memorial Day", time.May, time.Monday, -1),
	)
	if year >= 2021 {
		hs = append(hs, fixed("Juneteenth National Independence Day", time.June, 19))
	}
	return append(hs,
		fixed("Independence Day", time.July, 4),
		floating("Labor Day", time.September, time.Monday, 1),
		floating("Columbus Day", time.October, time.Monday, 2),
		fixed("Veterans Day", time.November, 11),
		floating("Thanksgiving Day", time.November, time.Thursday, 4),
		fixed("Christmas Day", time.December, 25),
	)
}

// nthWeekday returns the nth wd of the month (n = -1: the last one).
func nthWeekday(year int, m time.Month, wd time.Weekday, n int) time.Time {
	if n < 0 {
		last := civil(year, m+1, 0)
		return last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
	}
	first := civil(year, m, 1)
	offset := (int(wd) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, offset+7*(n-1))
}

func civil(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
