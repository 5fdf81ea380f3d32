package regime

import (
	"strings"
	"testing"
	"time"
)

func TestUSFederalHolidays(t *testing.T) {
	// Observed dates as published by OPM.
	want := map[int][]string{
		2025: {"2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25"},
		2026: {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"},
		// 31 December 2027 is New Year's Day 2028 (a Saturday) observed.
		2027: {"2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31"},
		// No New Year's Day: it was observed in 2027.
		2028: {"2028-01-17", "2028-02-21", "2028-05-29", "2028-06-19", "2028-07-04", "2028-09-04", "2028-10-09", "2028-11-10", "2028-11-23", "2028-12-25"},
	}
	for year, dates := range want {
		hs := USFederalHolidays(year)
		var got []string
		for _, h := range hs {
			got = append(got, h.Date.Format(time.DateOnly))
		}
		if strings.Join(got, " ") != strings.Join(dates, " ") {
			t.Errorf("%d:\n got %v\nwant %v", year, got, dates)
		}
		for _, d := range dates {
			day, _ := time.Parse(time.DateOnly, d)
			if name, ok := (USFederal{}).Holiday(day.Date()); !ok || name == "" {
				t.Errorf("%s is not a holiday", d)
			}
		}
	}
}

func TestUSFederalObserved(t *testing.T) {
	cases := []struct {
		date     string
		holiday  bool
		name     string
		observed bool
	}{
		{"2027-07-05", true, "Independence Day", true}, // Sunday 4 July → Monday
		{"2027-07-04", false, "", false},
		{"2026-07-03", true, "Independence Day", true}, // Saturday 4 July → Friday
		{"2026-07-04", false, "", false},
		{"2027-12-31", true, "New Year's Day", true},
		{"2021-12-31", true, "New Year's Day", true},
		{"2022-01-01", false, "", false},
		{"2022-12-26", true, "Christmas Day", true}, // Sunday 25 December 2022
		{"2021-06-18", true, "Juneteenth National Independence Day", true},
		{"2020-06-19", false, "", false}, // before Juneteenth existed
		{"2026-11-27", false, "", false}, // the day after Thanksgiving is not a federal holiday
		{"2026-12-24", false, "", false},
	}
	for _, tc := range cases {
		day, _ := time.Parse(time.DateOnly, tc.date)
		name, ok := (USFederal{}).Holiday(day.Date())
		if ok != tc.holiday || !strings.HasPrefix(name, tc.name) {
			t.Errorf("%s: (%q, %v), want (%q, %v)", tc.date, name, ok, tc.name, tc.holiday)
		}
		if !tc.holiday {
			continue
		}
		found := false
		for _, h := range USFederalHolidays(day.Year()) {
			if h.Date.Equal(day) {
				found = true
				if h.Observed() != tc.observed {
					t.Errorf("%s: Observed() = %v", tc.date, h.Observed())
				}
			}
		}
		if !found {
			t.Errorf("%s missing from USFederalHolidays(%d)", tc.date, day.Year())
		}
	}
}

func TestLookupCalendar(t *testing.T) {
	if c, err := LookupCalendar("us-federal"); err != nil || c == nil {
		t.Errorf("us-federal: %v, %v", c, err)
	}
	if c, err := LookupCalendar("weekends"); err != nil || c != nil {
		t.Errorf("weekends: %v, %v", c, err)
	}
	if _, err := LookupCalendar("uk-england"); err == nil || !strings.Contains(err.Error(), `unknown holiday calendar "uk-england"`) {
		t.Errorf("unknown calendar: %v", err)
	}
}
