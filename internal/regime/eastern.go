package regime

import (
	"encoding/binary"
	"sync"
	"time"
)

// USEastern returns US Eastern time as the law defines it since 2007
// (15 U.S.C. 260a as amended by the Energy Policy Act of 2005: UTC-5, and
// UTC-4 from 2:00 on the second Sunday of March to 2:00 on the first Sunday of
// November). It is built in rather than loaded with time.LoadLocation so that
// SEC deadlines do not depend on the machine's tz database or on $ZONEINFO;
// dates before 2007 get today's DST rule, which no rule here needs.
func USEastern() *time.Location { return usEastern() }

var usEastern = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocationFromTZData("America/New_York", ruleOnlyTZif(-5*3600, "EST", "EST5EDT,M3.2.0,M11.1.0"))
	if err != nil {
		// The bytes are fixed; failing here is a programming error.
		panic("regime: building US Eastern time: " + err.Error())
	}
	return loc
})

// ruleOnlyTZif encodes a version 2 TZif file (RFC 8536) with one local time
// type, no transitions and a POSIX TZ footer, so the footer's rule gives the
// offset for every instant.
func ruleOnlyTZif(offset int32, abbrev, rule string) []byte {
	block := func(b []byte) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbrev) + 1)} {
			b = binary.BigEndian.AppendUint32(b, n)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(offset))
		b = append(b, 0, 0) // not DST, abbreviation at index 0
		b = append(b, abbrev...)
		return append(b, 0)
	}
	b := block(nil) // version 1 data, skipped by readers of version 2
	b = block(b)
	b = append(b, '\n')
	b = append(b, rule...)
	return append(b, '\n')
}
