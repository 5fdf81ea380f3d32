package record

// Tracks of the lifecycle a record follows.
const (
	TrackEvent    = "event/weakness"
	TrackIncident = "incident"
	TrackDrill    = "drill"
)

var (
	eventStatuses    = []string{StatusReported, StatusAssessed, StatusResolved, StatusRejected}
	incidentStatuses = []string{StatusReported, StatusAssessed, StatusResponding, StatusContained, StatusRecovered, StatusClosed, StatusRejected}
	drillStatuses    = []string{StatusPlanned, StatusHeld, StatusClosed}
)

// transitions lists, per track, the statuses each status may move to.
// Incidents may skip responding (contained at once) but never skip
// containment or recovery, whose times reports measure; a contained or
// recovered incident may fall back to responding when containment fails.
var transitions = map[string]map[string][]string{
	TrackEvent: {
		StatusReported: {StatusAssessed, StatusRejected},
		StatusAssessed: {StatusResolved, StatusRejected},
	},
	TrackIncident: {
		StatusReported:   {StatusAssessed, StatusRejected},
		StatusAssessed:   {StatusResponding, StatusContained, StatusRejected},
		StatusResponding: {StatusContained, StatusRejected},
		StatusContained:  {StatusRecovered, StatusResponding},
		StatusRecovered:  {StatusClosed, StatusResponding},
	},
	TrackDrill: {
		StatusPlanned: {StatusHeld, StatusClosed},
		StatusHeld:    {StatusClosed},
	},
}

// Lifecycle returns the track the record follows and the statuses it
// allows. An event or weakness assessed as an incident follows the incident
// track.
func Lifecycle(r *Record) (string, []string) {
	switch {
	case r.Kind == KindDrill:
		return TrackDrill, drillStatuses
	case r.IsIncident():
		return TrackIncident, incidentStatuses
	}
	return TrackEvent, eventStatuses
}

// NextStatuses returns the statuses the record may move to from its current
// one.
func NextStatuses(r *Record) []string {
	track, _ := Lifecycle(r)
	return transitions[track][r.Status]
}

// CanMove reports whether the record may move to status to.
func CanMove(r *Record, to string) bool {
	for _, s := range NextStatuses(r) {
		if s == to {
			return true
		}
	}
	return false
}

// StatusAtLeast reports whether an incident's status is s or later on the
// incident track (rejected is never later).
func StatusAtLeast(r *Record, s string) bool {
	pos := func(x string) int {
		for i, v := range incidentStatuses {
			if v == x {
				return i
			}
		}
		return -1
	}
	return r.Status != StatusRejected && pos(r.Status) >= pos(s)
}
