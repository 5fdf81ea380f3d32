package lint

import "testing"

// TestTimeNames: the names findings give a record's times, built only
// when a finding needs one.
func TestTimeNames(t *testing.T) {
	for _, c := range []struct {
		n    namedTime
		want string
	}{
		{namedTime{label: "reported.at"}, "reported.at"},
		{namedTime{label: "actions[%d].at", i: 4}, "actions[4].at"},
		{namedTime{label: "evidence[%d].custody[%d].at", i: 2, j: 3}, "evidence[2].custody[3].at"},
	} {
		if got := c.n.name(); got != c.want {
			t.Errorf("name() = %q, want %q", got, c.want)
		}
	}
}
