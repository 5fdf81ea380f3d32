package validate

import (
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/record"
)

func TestMessages(t *testing.T) {
	v, err := Record()
	if err != nil {
		t.Fatal(err)
	}
	in := `schema_version: 2
id: inc-1
kind: incdent
status: reported
reported:
  at: yesterday
  by: ""
occurred_at: 2026-13
actions:
  - {at: 2026-01-01T00:00:00Z, by: a, type: containment}
zeta: 1
alpha: 2
evidence:
  - {id: EV-1, description: d, sha256: ABC}
`
	d, err := record.Parse("r.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range v.Validate(d) {
		got = append(got, p.Error())
	}
	want := []string{
		`r.yaml:1:1: missing required field title`,
		`r.yaml:1:17: schema_version: must be 1`,
		`r.yaml:2:5: id: must be an ID like INC-2026-0007: capital letters and digits in hyphen-separated parts`,
		`r.yaml:3:7: kind: must be one of "event", "weakness", "incident", "drill"`,
		`r.yaml:6:7: reported.at: "yesterday" is not an RFC 3339 date-time with a time zone (e.g. 2026-03-02T09:14:00Z)`,
		`r.yaml:7:7: reported.by: length must be >= 1, but got 0`,
		`r.yaml:8:14: occurred_at: "2026-13" is not an RFC 3339 date-time or a date (YYYY, YYYY-MM, YYYY-MM-DD)`,
		`r.yaml:10:5: missing required field actions[0].text`,
		`r.yaml:11:1: unknown field "zeta", "alpha"`,
		`r.yaml:14:40: evidence[0].sha256: must be a SHA-256 digest: 64 lowercase hex digits`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFieldPath(t *testing.T) {
	for in, want := range map[string]string{"": "", "/a": "a", "/actions/0/at": "actions[0].at", "/a~1b/c~0d": "a/b.c~d"} {
		if got := FieldPath(in); got != want {
			t.Errorf("FieldPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigSchemaAcceptsDefault(t *testing.T) {
	if _, err := Config(); err != nil {
		t.Fatal(err)
	}
}
