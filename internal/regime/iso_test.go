package regime

import (
	"strings"
	"testing"
)

func TestISOMap(t *testing.T) {
	want := []struct{ from, to, toTitle string }{
		{"A.16.1.1", "A.5.24", "Information security incident management planning and preparation"},
		{"A.16.1.2", "A.6.8", "Information security event reporting"},
		{"A.16.1.3", "A.6.8", "Information security event reporting"},
		{"A.16.1.4", "A.5.25", "Assessment and decision on information security events"},
		{"A.16.1.5", "A.5.26", "Response to information security incidents"},
		{"A.16.1.6", "A.5.27", "Learning from information security incidents"},
		{"A.16.1.7", "A.5.28", "Collection of evidence"},
		{"A.6.1.3", "A.5.5", "Contact with authorities"},
	}
	got := ISOMap()
	if len(got) != len(want) {
		t.Fatalf("%d rows", len(got))
	}
	for i, w := range want {
		g := got[i]
		if g.From.ID != w.from || g.To.ID != w.to || g.To.Title != w.toTitle || g.From.Edition != "2013" || g.To.Edition != "2022" || g.From.Title == "" {
			t.Errorf("row %d: %+v", i, g)
		}
		if c, ok := ISO2022For(w.from); !ok || c.ID != w.to {
			t.Errorf("ISO2022For(%s) = %v", w.from, c)
		}
	}
	got[0].To.ID = "changed"
	if ISOMap()[0].To.ID != "A.5.24" {
		t.Error("ISOMap must return a copy")
	}
	var ids []string
	for _, c := range ISO2013For("A.6.8") {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, " ") != "A.16.1.2 A.16.1.3" {
		t.Errorf("ISO2013For(A.6.8) = %v", ids)
	}
	ids = nil
	for _, c := range ISO2022Controls() {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, " ") != "A.5.24 A.6.8 A.5.25 A.5.26 A.5.27 A.5.28 A.5.5" {
		t.Errorf("ISO2022Controls = %v", ids)
	}
	if _, ok := ISO2022For("A.12.4.1"); ok {
		t.Error("unmapped control found")
	}
}
