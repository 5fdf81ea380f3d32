package record

import (
	"strings"
	"testing"
	"time"
)

func TestEdit(t *testing.T) {
	d, err := Parse("EVT-2026-0001.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	act, err := NodeOf(Action{At: At(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), By: "bob@example.com", Type: "triage", Text: "looked at it"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Append("actions", act); err != nil {
		t.Fatal(err)
	}
	for _, kv := range []string{"assessment.severity=SEV2", "tags[+]=phishing", "tags[+]=mail", "extra.flag=false", "cost.amount=99"} {
		k, v, _ := strings.Cut(kv, "=")
		n, err := ParseValue(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Set(k, n); err != nil {
			t.Fatalf("set %s: %v", kv, err)
		}
	}
	if err := d.Unset("extra.hex"); err != nil {
		t.Fatal(err)
	}
	out, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"actions:\n  - at: 2026-03-02T10:00:00Z\n    by: bob@example.com\n    type: triage\n    text: looked at it\n",
		"assessment:\n  severity: SEV2\n",
		"tags:\n  - phishing\n  - mail\n",
		"  amount: 99\n",
		"  flag: false\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "hex:") {
		t.Errorf("unset left the field:\n%s", out)
	}
	if d.Data["tags"].([]any)[1] != "mail" {
		t.Errorf("JSON model not refreshed: %#v", d.Data["tags"])
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, p := range []string{"", "a..b", "a[", "a[x]", "a[-1]", "[0]", "a b", "a[+][0]", "a]"} {
		if _, err := ParsePath(p); err == nil {
			t.Errorf("ParsePath(%q) succeeded", p)
		}
	}
	steps, err := ParsePath("actions[2].text")
	if err != nil || len(steps) != 3 || steps[1].Index != 2 || steps[2].Key != "text" {
		t.Errorf("ParsePath(actions[2].text) = %+v, %v", steps, err)
	}
}

func TestSetErrors(t *testing.T) {
	d, _ := Parse("f.yaml", []byte(valid))
	v, _ := ParseValue("x")
	for _, p := range []string{"title.sub", "reported[0]", "tags[3]"} {
		if err := d.Set(p, v); err == nil {
			t.Errorf("Set(%q) succeeded", p)
		}
	}
}
