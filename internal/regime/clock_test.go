package regime

import (
	"testing"
	"time"

	// The tests name zones (Europe/Berlin, America/Chicago…); embedding the
	// tz database in the test binary keeps them independent of the machine.
	_ "time/tzdata"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// onTime is the rule Evaluate applies: a submission at the deadline is met.
func onTime(deadline, at time.Time) bool { return !at.After(deadline) }

type clockCase struct {
	name     string
	clock    Clock
	trigger  string
	want     string
	onTime   []string // submissions that are met
	lateSubs []string // submissions that are late
}

func runClockCases(t *testing.T, cases []clockCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.clock.Deadline(mustTime(t, tc.trigger))
			want := mustTime(t, tc.want)
			if !got.Equal(want) {
				t.Fatalf("%s from %s = %s, want %s", tc.clock, tc.trigger, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
			for _, s := range tc.onTime {
				if !onTime(got, mustTime(t, s)) {
					t.Errorf("submission at %s should be on time for deadline %s", s, got.Format(time.RFC3339Nano))
				}
			}
			for _, s := range tc.lateSubs {
				if onTime(got, mustTime(t, s)) {
					t.Errorf("submission at %s should be late for deadline %s", s, got.Format(time.RFC3339Nano))
				}
			}
		})
	}
}

func TestHours(t *testing.T) {
	runClockCases(t, []clockCase{
		{
			name:  "72h across the EU spring DST change",
			clock: Hours(72), trigger: "2026-03-27T10:00:00+01:00",
			want:     "2026-03-30T11:00:00+02:00",
			onTime:   []string{"2026-03-30T09:00:00Z", "2026-03-30T11:00:00+02:00"},
			lateSubs: []string{"2026-03-30T09:00:00.000000001Z", "2026-03-30T11:00:01+02:00"},
		},
		{
			name:  "72h across the EU autumn DST change",
			clock: Hours(72), trigger: "2026-10-23T12:00:00+02:00",
			want: "2026-10-26T11:00:00+01:00",
		},
		{
			name:  "weekends count",
			clock: Hours(72), trigger: "2026-03-06T17:00:00Z", // a Friday
			want: "2026-03-09T17:00:00Z",
		},
		{
			name:  "24h from the last second of a day",
			clock: Hours(24), trigger: "2026-12-31T23:59:59Z",
			want:     "2027-01-01T23:59:59Z",
			onTime:   []string{"2027-01-01T23:59:59Z"},
			lateSubs: []string{"2027-01-02T00:00:00Z"},
		},
		{
			name:  "4h is zone independent",
			clock: Hours(4), trigger: "2026-05-04T10:00:00-07:00",
			want: "2026-05-04T21:00:00Z",
		},
	})
	if s := Hours(72).String(); s != "72h" {
		t.Errorf("String = %q", s)
	}
}

func TestCalendarDays(t *testing.T) {
	chicago := mustLoc(t, "America/Chicago")
	singapore := mustLoc(t, "Asia/Singapore")
	sydney := mustLoc(t, "Australia/Sydney")
	runClockCases(t, []clockCase{
		{
			name:  "HIPAA 60 days across US DST, end of the 60th day",
			clock: CalendarDays{N: 60, Loc: chicago}, trigger: "2026-01-10T08:00:00-06:00",
			want:     "2026-03-11T23:59:59.999999999-05:00",
			onTime:   []string{"2026-03-11T23:59:59-05:00"},
			lateSubs: []string{"2026-03-12T00:00:00-05:00"},
		},
		{
			name:  "the day is the organisation's: late evening in Chicago is the next day in UTC",
			clock: CalendarDays{N: 60, Loc: chicago}, trigger: "2026-01-11T05:30:00Z",
			want: "2026-03-11T23:59:59.999999999-05:00",
		},
		{
			name:  "without a zone the trigger's own zone counts",
			clock: CalendarDays{N: 60}, trigger: "2026-01-11T05:30:00Z",
			want: "2026-03-12T23:59:59.999999999Z",
		},
		{
			name:  "PDPA 3 days after the day of the assessment",
			clock: CalendarDays{N: 3, Loc: singapore}, trigger: "2026-02-26T22:00:00+08:00",
			want:     "2026-03-01T23:59:59.999999999+08:00",
			onTime:   []string{"2026-03-01T23:59:59+08:00"},
			lateSubs: []string{"2026-03-02T00:00:00+08:00"},
		},
		{
			name:  "PDPA across 29 February",
			clock: CalendarDays{N: 3, Loc: singapore}, trigger: "2028-02-27T09:00:00+08:00",
			want: "2028-03-01T23:59:59.999999999+08:00",
		},
		{
			name:  "NDB 30 days across the end of Sydney DST",
			clock: CalendarDays{N: 30, Loc: sydney}, trigger: "2026-03-20T09:00:00+11:00",
			want: "2026-04-19T23:59:59.999999999+10:00",
		},
		{
			name:  "a trigger at 00:00:00 still leaves out its own day",
			clock: CalendarDays{N: 1, Loc: time.UTC}, trigger: "2026-06-01T00:00:00Z",
			want: "2026-06-02T23:59:59.999999999Z",
		},
	})
}

func TestCalendarMonths(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	month := CalendarMonths{N: 1, Loc: berlin}
	runClockCases(t, []clockCase{
		{
			name: "31 January + 1 month is the end of 28 February", clock: month,
			trigger:  "2026-01-31T15:00:00+01:00",
			want:     "2026-02-28T23:59:59.999999999+01:00",
			onTime:   []string{"2026-02-28T23:59:59+01:00"},
			lateSubs: []string{"2026-03-01T00:00:00+01:00"},
		},
		{
			name: "31 January of a leap year + 1 month is the end of 29 February", clock: month,
			trigger: "2028-01-31T15:00:00+01:00", want: "2028-02-29T23:59:59.999999999+01:00",
		},
		{
			name: "30 April + 1 month is the end of 30 May", clock: month,
			trigger: "2026-04-30T09:00:00+02:00", want: "2026-05-30T23:59:59.999999999+02:00",
		},
		{
			name: "31 March + 1 month is the end of 30 April", clock: month,
			trigger: "2026-03-31T09:00:00+02:00", want: "2026-04-30T23:59:59.999999999+02:00",
		},
		{
			name: "28 February + 1 month is 28 March, not the month's end", clock: month,
			trigger: "2026-02-28T09:00:00+01:00", want: "2026-03-28T23:59:59.999999999+01:00",
		},
		{
			name: "across the DST change", clock: month,
			trigger: "2026-03-15T10:00:00+01:00", want: "2026-04-15T23:59:59.999999999+02:00",
		},
		{
			name: "across the year end", clock: month,
			trigger: "2026-12-31T10:00:00+01:00", want: "2027-01-31T23:59:59.999999999+01:00",
		},
		{
			name: "two months from 31 December", clock: CalendarMonths{N: 2, Loc: berlin},
			trigger: "2026-12-31T10:00:00+01:00", want: "2027-02-28T23:59:59.999999999+01:00",
		},
		{
			name: "the start day is the organisation's: 23:30Z on 31 January is 1 February in Berlin", clock: month,
			trigger: "2026-01-31T23:30:00Z", want: "2026-03-01T23:59:59.999999999+01:00",
		},
		{
			name: "the same instant in UTC days", clock: CalendarMonths{N: 1, Loc: time.UTC},
			trigger: "2026-01-31T23:30:00Z", want: "2026-02-28T23:59:59.999999999Z",
		},
	})
}

func TestBusinessDaysSEC(t *testing.T) {
	sec := Builtin().Obligation("sec-8k-105")[0].Legs[0].Clock
	cases := []clockCase{
		{
			name: "Friday evening determination: Mon-Thu, due Thursday 17:30 EDT after the DST change", clock: sec,
			trigger:  "2026-03-06T19:00:00-05:00",
			want:     "2026-03-12T17:30:00-04:00",
			onTime:   []string{"2026-03-12T17:30:00-04:00", "2026-03-12T21:30:00Z"},
			lateSubs: []string{"2026-03-12T17:30:01-04:00", "2026-03-12T23:59:59-04:00"},
		},
		{
			name: "Saturday: the period begins on and includes Monday", clock: sec,
			trigger: "2026-03-07T10:00:00-05:00", want: "2026-03-12T17:30:00-04:00",
		},
		{
			name: "Sunday late evening Eastern, Monday in UTC: Sunday counts", clock: sec,
			trigger: "2026-03-09T03:30:00Z", want: "2026-03-12T17:30:00-04:00",
		},
		{
			name: "Monday morning in Berlin is still Sunday in New York", clock: sec,
			trigger: "2026-03-09T02:00:00+01:00", want: "2026-03-12T17:30:00-04:00",
		},
		{
			name: "Monday determination: due Friday", clock: sec,
			trigger: "2026-03-09T09:00:00-04:00", want: "2026-03-13T17:30:00-04:00",
		},
		{
			name: "eve of Thanksgiving: Fri, Mon, Tue, Wed", clock: sec,
			trigger: "2026-11-25T16:00:00-05:00", want: "2026-12-02T17:30:00-05:00",
		},
		{
			name: "on Thanksgiving", clock: sec,
			trigger: "2026-11-26T12:00:00-05:00", want: "2026-12-02T17:30:00-05:00",
		},
		{
			name: "eve of the observed Independence Day (Friday 3 July 2026)", clock: sec,
			trigger: "2026-07-02T12:00:00-04:00", want: "2026-07-09T17:30:00-04:00",
		},
		{
			name: "on the observed holiday", clock: sec,
			trigger: "2026-07-03T12:00:00-04:00", want: "2026-07-09T17:30:00-04:00",
		},
		{
			name: "Christmas Eve 2026: Christmas and New Year's Day both skipped", clock: sec,
			trigger: "2026-12-24T10:00:00-05:00", want: "2026-12-31T17:30:00-05:00",
		},
		{
			name: "31 December 2027 is the observed New Year's Day 2028", clock: sec,
			trigger: "2027-12-28T10:00:00-05:00", want: "2028-01-04T17:30:00-05:00",
		},
		{
			name: "Sunday 4 July 2027 observed Monday 5 July", clock: sec,
			trigger: "2027-07-01T10:00:00-04:00", want: "2027-07-08T17:30:00-04:00",
		},
	}
	runClockCases(t, cases)

	t.Run("ad hoc closures", func(t *testing.T) {
		c := BusinessDays{N: 4, Loc: USEastern(), Cutoff: 17*time.Hour + 30*time.Minute, Calendar: &Closures{
			Base: USFederal{},
			Days: map[string]string{"2025-12-24": "Executive order", "2025-12-26": "Executive order"},
		}}
		trigger := mustTime(t, "2025-12-19T10:00:00-05:00")
		if got, want := sec.Deadline(trigger), mustTime(t, "2025-12-26T17:30:00-05:00"); !got.Equal(want) {
			t.Errorf("without closures: %s, want %s", got, want)
		}
		if got, want := c.Deadline(trigger), mustTime(t, "2025-12-30T17:30:00-05:00"); !got.Equal(want) {
			t.Errorf("with closures: %s, want %s", got, want)
		}
	})

	t.Run("clocks stay comparable", func(t *testing.T) {
		other := Builtin().Obligation("sec-8k-105")[0].Legs[0].Clock
		if sec != other {
			t.Error("the same clock compares unequal")
		}
	})

	t.Run("inputs in different zones give the same instant", func(t *testing.T) {
		var first time.Time
		for _, s := range []string{"2026-03-06T19:00:00-05:00", "2026-03-07T00:00:00Z", "2026-03-07T01:00:00+01:00", "2026-03-07T09:00:00+09:00"} {
			got := sec.Deadline(mustTime(t, s))
			if first.IsZero() {
				first = got
			} else if !got.Equal(first) {
				t.Errorf("%s gives %s, want %s", s, got, first)
			}
		}
	})
}

func TestBusinessDaysGeneric(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	runClockCases(t, []clockCase{
		{
			name:  "weekends only, end of day in the organisation's zone",
			clock: BusinessDays{N: 3}, trigger: "2026-05-01T18:00:00+02:00", // a Friday
			want:     "2026-05-06T23:59:59.999999999+02:00",
			onTime:   []string{"2026-05-06T23:59:59+02:00"},
			lateSubs: []string{"2026-05-07T00:00:00+02:00"},
		},
		{
			name:  "zone given in the clock",
			clock: BusinessDays{N: 1, Loc: berlin}, trigger: "2026-05-01T22:30:00Z", // Saturday 00:30 in Berlin
			want: "2026-05-04T23:59:59.999999999+02:00",
		},
		{
			name:  "cutoff",
			clock: BusinessDays{N: 2, Cutoff: 17 * time.Hour, Loc: berlin}, trigger: "2026-05-04T09:00:00+02:00",
			want: "2026-05-06T17:00:00+02:00",
		},
	})
	if s := (BusinessDays{N: 3}).String(); s != "3bd" {
		t.Errorf("String = %q", s)
	}
}

func TestDaysAfterYearEnd(t *testing.T) {
	chicago := mustLoc(t, "America/Chicago")
	runClockCases(t, []clockCase{
		{name: "into a common year", clock: DaysAfterYearEnd{N: 60, Loc: chicago}, trigger: "2026-05-10T12:00:00-05:00", want: "2027-03-01T23:59:59.999999999-06:00"},
		{name: "into a leap year", clock: DaysAfterYearEnd{N: 60, Loc: chicago}, trigger: "2027-05-10T12:00:00-05:00", want: "2028-02-29T23:59:59.999999999-06:00"},
		{name: "31 December counts in its own year", clock: DaysAfterYearEnd{N: 60, Loc: chicago}, trigger: "2027-01-01T03:00:00Z", want: "2027-03-01T23:59:59.999999999-06:00"},
	})
}

func TestUSEasternMatchesTZDatabase(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	et := USEastern()
	start := mustTime(t, "2023-01-01T00:00:00Z")
	for at := start; at.Year() < 2031; at = at.Add(30 * time.Minute) {
		_, want := at.In(ny).Zone()
		_, got := at.In(et).Zone()
		if got != want {
			t.Fatalf("%s: offset %d, tz database %d", at.Format(time.RFC3339), got, want)
		}
	}
	// Local 17:30 on the transition days.
	for _, d := range []string{"2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07"} {
		day, _ := time.Parse(time.DateOnly, d)
		a := time.Date(day.Year(), day.Month(), day.Day(), 17, 30, 0, 0, et)
		b := time.Date(day.Year(), day.Month(), day.Day(), 17, 30, 0, 0, ny)
		if !a.Equal(b) {
			t.Errorf("%s 17:30: %s, tz database %s", d, a, b)
		}
	}
}
