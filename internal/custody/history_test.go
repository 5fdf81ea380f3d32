package custody_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	l, alice, bob := trustedLog(t)
	mallory := newSSHKey(t, "Mallory", "mallory@example.com")
	p := record("0001")
	msg := func(subject, action string) string {
		return subject + "\n\nCasefile-Record: INC-2026-0001\nCasefile-Action: " + action + "\n"
	}
	created := l.commit(nil, alice, msg("INC-2026-0001: report", "new"), map[string]string{p: recordYAML("INC-2026-0001", "reported", nil)})
	l.commit(nil, bob, "INC-2026-0002: report", map[string]string{record("0002"): recordYAML("INC-2026-0002", "reported", nil)})
	assessed := l.commit(nil, bob, msg("INC-2026-0001: assess", "classify"), map[string]string{p: recordYAML("INC-2026-0001", "assessed", []string{"reset credentials"})})
	contained := l.commit(nil, mallory, msg("INC-2026-0001: contain", "update"), map[string]string{p: recordYAML("INC-2026-0001", "contained",
		[]string{"reset credentials", "removed rules"}, evidenceItem("EV-1", "evidence/x.eml", "x"))})
	// A branch edits the record; the merge takes the branch's version, so
	// the merge itself is not an entry but the branch commit is.
	l.git(nil, "checkout", "-q", "-b", "side")
	l.write(p, strings.Replace(recordYAML("INC-2026-0001", "contained", []string{"reset credentials", "removed mailbox rules"}, evidenceItem("EV-1", "evidence/x.eml", "x")), "title: Phishing", "title: Spear phishing", 1))
	l.git(alice, "commit", "-q", "-S", "-am", "retitle with plain git")
	plain := l.git(nil, "rev-parse", "HEAD")
	l.git(nil, "checkout", "-q", "main")
	l.commit(nil, alice, "other record", map[string]string{record("0003"): recordYAML("INC-2026-0003", "reported", nil)})
	l.git(alice, "merge", "-q", "--no-ff", "-S", "-m", "merge side", "side")
	l.commit(nil, alice, "unrelated", map[string]string{"README.md": "x\n"})
	broken := l.commit(nil, alice, msg("INC-2026-0001: break", "update"), map[string]string{p: "id: [\n"})

	r, err := custody.OpenRepository(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hist, err := custody.History(context.Background(), r, p, custody.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, e.Commit)
	}
	want := []string{broken, plain, contained, assessed, created}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("history = %v\nwant      %v", short(got), short(want))
	}
	byHash := map[string]custody.HistoryEntry{}
	for _, e := range hist {
		byHash[e.Commit] = e
	}

	c := byHash[created]
	if c.File != custody.FileAdded || c.Action != "new" || c.Record != "INC-2026-0001" || c.Subject != "INC-2026-0001: report" ||
		!c.Signature.OK() || c.Author.Email != "alice@example.com" || c.Signature.Principals[0] != "alice@example.com" {
		t.Errorf("created = %+v", c)
	}
	if paths := changePaths(c.Changes); !reflect.DeepEqual(paths, []string{"added id", "added kind", "added reported", "added status", "added title"}) {
		t.Errorf("created changes = %v", paths)
	}

	a := byHash[assessed]
	wantA := []custody.FieldChange{
		{Path: "actions", Change: custody.ChangeAdded, New: []any{map[string]any{"at": "2026-03-02T10:00:00Z", "by": "bob@example.com", "type": "containment", "text": "reset credentials"}}},
		{Path: "status", Change: custody.ChangeChanged, Old: "reported", New: "assessed"},
	}
	if !reflect.DeepEqual(a.Changes, wantA) || a.Action != "classify" || a.File != custody.FileModified {
		t.Errorf("assessed = %+v", a.Changes)
	}

	ct := byHash[contained]
	if paths := changePaths(ct.Changes); !reflect.DeepEqual(paths, []string{"added actions[1]", "added evidence", "changed status"}) {
		t.Errorf("contained changes = %v", paths)
	}
	if ct.Signature.OK() || ct.Signature.Rule != custody.RuleUntrustedSigner || !ct.Signature.Valid {
		t.Errorf("mallory's commit: %+v", ct.Signature)
	}

	pl := byHash[plain]
	if paths := changePaths(pl.Changes); !reflect.DeepEqual(paths, []string{"changed actions[1].text", "changed title"}) {
		t.Errorf("plain git changes = %v", paths)
	}
	if pl.Action != "" || pl.Trailers != nil || !pl.Signature.OK() {
		t.Errorf("plain git entry = %+v", pl)
	}

	if b := byHash[broken]; b.ParseError == "" || len(b.Changes) != 0 {
		t.Errorf("broken = %+v", b)
	}
	if _, err := json.Marshal(hist); err != nil {
		t.Fatal(err)
	}

	// A path that was never there has an empty history; a bad one errors.
	if h, err := custody.History(context.Background(), r, "records/none.yaml", custody.HistoryOptions{}); err != nil || len(h) != 0 {
		t.Errorf("absent path: %v %v", h, err)
	}
	if _, err := custody.History(context.Background(), r, "../etc/passwd", custody.HistoryOptions{}); err == nil {
		t.Error("escaping path accepted")
	}
}

func changePaths(cs []custody.FieldChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Change)+" "+c.Path)
	}
	return out
}

func short(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h[:8]
	}
	return out
}

func TestDiffData(t *testing.T) {
	t.Parallel()
	old := map[string]any{
		"status": "reported",
		"tags":   []any{"a", "b"},
		"assessment": map[string]any{
			"severity": "SEV3",
			"cia":      []any{"confidentiality"},
		},
		"cost":    map[string]any{"amount": json.Number("100")},
		"lessons": "none",
	}
	new := map[string]any{
		"status": "assessed",
		"tags":   []any{"a"},
		"assessment": map[string]any{
			"severity": "SEV2",
			"cia":      []any{"confidentiality", "integrity"},
			"by":       "lead@example.com",
		},
		"cost":  map[string]any{"amount": json.Number("100")},
		"roles": map[string]any{"incident_manager": "bob@example.com"},
	}
	got := custody.DiffData(old, new)
	want := []custody.FieldChange{
		{Path: "assessment.by", Change: custody.ChangeAdded, New: "lead@example.com"},
		{Path: "assessment.cia[1]", Change: custody.ChangeAdded, New: "integrity"},
		{Path: "assessment.severity", Change: custody.ChangeChanged, Old: "SEV3", New: "SEV2"},
		{Path: "lessons", Change: custody.ChangeRemoved, Old: "none"},
		{Path: "roles", Change: custody.ChangeAdded, New: map[string]any{"incident_manager": "bob@example.com"}},
		{Path: "status", Change: custody.ChangeChanged, Old: "reported", New: "assessed"},
		{Path: "tags[1]", Change: custody.ChangeRemoved, Old: "b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if got := custody.DiffData(old, old); len(got) != 0 {
		t.Errorf("no change: %v", got)
	}
	if got := custody.DiffData(map[string]any{"x": "1"}, map[string]any{"x": []any{"1"}}); len(got) != 1 || got[0].Change != custody.ChangeChanged {
		t.Errorf("type change: %v", got)
	}
}
