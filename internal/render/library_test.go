package render_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/render"
)

func writeFile(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exampleData(t *testing.T, id string) *render.Data {
	t.Helper()
	doc, rel := exampleDoc(t, id)
	return newData(t, exampleConfig(t), doc, rel)
}

// TestOverride: a repository's templates/comms files replace built-in ones of
// the same name and format, add new ones, and may replace the shared
// _common partial; listings name each source.
func TestOverride(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "templates/comms/briefing.md.tmpl", "{{/* Board briefing */}}\nBoard: {{.Record.ID}} {{template \"sig\" .}}\n")
	writeFile(t, root, "templates/comms/_common.md.tmpl", "{{define \"sig\"}}-- {{.Organisation.Name}}{{end}}")
	writeFile(t, root, "templates/comms/insurer-notice.md.tmpl", "{{/* Notice to the cyber insurer */}}\nPolicy {{.Contacts.Insurer.PolicyNumber}}: {{.Record.ID}}, {{money .Record.Cost}}\n")
	writeFile(t, root, "templates/records/incident.yaml", "schema_version: 1\n")
	lib := render.NewLibrary(root, ".")
	d := exampleData(t, "INC-2026-0001")

	res, err := lib.Render(context.Background(), "briefing", "md", d)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Output), "Board: INC-2026-0001 -- Northwind Logistics GmbH\n"; got != want {
		t.Errorf("override output %q, want %q", got, want)
	}
	if res.Source.Builtin || res.Source.Path != "templates/comms/briefing.md.tmpl" || !res.Source.Overrides {
		t.Errorf("source %+v", res.Source)
	}
	res, err = lib.Render(context.Background(), "insurer-notice", "md", d)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Output), "Policy HCV-CY-2024-004417: INC-2026-0001, EUR 38,600\n"; got != want {
		t.Errorf("added template output %q, want %q", got, want)
	}
	// The HTML briefing is not overridden: the built-in one (and the
	// built-in HTML partial) render.
	res, err = lib.Render(context.Background(), "briefing", "html", d)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Source.Builtin || !strings.Contains(string(res.Output), "<h1>Management briefing") {
		t.Errorf("html briefing: %+v", res.Source)
	}

	list, warnings := lib.List()
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	want := map[string]string{
		"briefing md":           "templates/comms/briefing.md.tmpl overrides",
		"briefing html":         "built-in",
		"_common md":            "templates/comms/_common.md.tmpl overrides",
		"insurer-notice md":     "templates/comms/insurer-notice.md.tmpl",
		"records/incident yaml": "templates/records/incident.yaml overrides",
		"records/event yaml":    "built-in",
	}
	for _, s := range list {
		w, ok := want[s.Name+" "+s.Format]
		if !ok {
			continue
		}
		got := s.Origin()
		if !s.Builtin {
			got = s.Path
			if s.Overrides {
				got += " overrides"
			}
		}
		if got != w {
			t.Errorf("%s %s listed as %q, want %q", s.Name, s.Format, got, w)
		}
		delete(want, s.Name+" "+s.Format)
		if s.Name == "insurer-notice" && s.Description != "Notice to the cyber insurer" {
			t.Errorf("description %q", s.Description)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed: %v", want)
	}
	// Without a repository only the built-in templates exist.
	if _, err := render.NewLibrary("", "").Lookup("insurer-notice", "md"); !errors.Is(err, render.ErrNotFound) {
		t.Errorf("built-in only: %v", err)
	}
}

// TestSkeletonOverride: casefile new takes templates/records/KIND.yaml from
// the repository when it has one.
func TestSkeletonOverride(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "templates/records/incident.yaml", `schema_version: 1
id: {{.ID}}
kind: incident
title: {{yaml .Title}}
status: reported
tlp: red
reported:
  at: {{.ReportedAt}}
  by: {{yaml .Reporter}}
description: {{yaml .Description}}
tags: [from-team-skeleton]
`)
	s := record.Skeleton{
		ID: "INC-2026-0009", Kind: "incident", Title: "t: with colon", ReportedAt: "2026-03-02T09:14:00Z",
		Reporter: "a@example.com", Description: "d",
	}
	lib := render.NewLibrary(root, ".")
	doc, err := s.RenderFrom(lib.Skeletons())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Value("/tlp") != "red" || doc.Value("/title") != "t: with colon" {
		t.Errorf("override not used: %v", doc.Data)
	}
	if tags, _ := doc.Value("/tags").([]any); len(tags) != 1 {
		t.Errorf("tags %v", doc.Value("/tags"))
	}
	// A kind without an override takes the built-in skeleton.
	s.Kind, s.ID, s.Scenario = "drill", "DRL-2026-0001", "tabletop"
	if doc, err = s.RenderFrom(lib.Skeletons()); err != nil || doc.Value("/drill/scenario") != "tabletop" {
		t.Errorf("built-in drill skeleton: %v %v", err, err)
	}
	// A broken override is an error naming the file and line.
	writeFile(t, root, "templates/records/event.yaml", "id: {{.ID}\n")
	s.Kind, s.ID = "event", "EVT-2026-0001"
	_, err = s.RenderFrom(lib.Skeletons())
	if err == nil || !strings.Contains(err.Error(), "templates/records/event.yaml:1:") {
		t.Errorf("broken skeleton: %v", err)
	}
	// A symbolic link is refused, not followed and not skipped.
	if runtime.GOOS != "windows" {
		target := filepath.Join(t.TempDir(), "weakness.yaml")
		writeFile(t, filepath.Dir(target), "weakness.yaml", "schema_version: 1\n")
		if err := os.Symlink(target, filepath.Join(root, "templates", "records", "weakness.yaml")); err != nil {
			t.Fatal(err)
		}
		s.Kind, s.ID = "weakness", "WKN-2026-0001"
		if _, err := s.RenderFrom(lib.Skeletons()); !errors.Is(err, render.ErrSymlink) {
			t.Errorf("symlinked skeleton: %v", err)
		}
	}
}

// minimalDoc is a record with only the fields the schema requires.
func minimalDoc(t *testing.T, kind string) *record.Doc {
	t.Helper()
	prefix := map[string]string{"incident": "INC", "drill": "DRL", "event": "EVT"}[kind]
	status := "reported"
	extra := ""
	if kind == "drill" {
		status = "held"
		extra = "drill:\n  scenario: \"\"\n"
	}
	text := "schema_version: 1\nid: " + prefix + "-2026-0001\nkind: " + kind + "\ntitle: Minimal\nstatus: " + status +
		"\nreported:\n  at: 2026-03-02T09:14:00Z\n  by: a@example.com\n" + extra
	doc, err := record.Parse("records/2026/"+prefix+"-2026-0001.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestMissingData renders every built-in template from a record that has
// only the required fields, with a configuration without contacts: what the
// document needs shows as a marker, in both formats, and Markers lists them.
func TestMissingData(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Organisation.Name = ""
	lib := render.NewLibrary("", "")
	want := map[string][]string{
		"incident-report":          {"organisation.name", "occurred_at", "detected_at", "description", "affected", "assessment"},
		"briefing":                 {"description", "assessment", "occurred_at"},
		"authority-notice":         {"contacts.supervisory_authorities", "contacts.dpo", "regimes.gdpr-33", "description", "affected.systems", "affected.personal_data.subjects_approx", "affected.personal_data.records_approx", "affected.personal_data.data_categories", "affected.personal_data.subject_categories", "assessment.rationale", "actions (containment)"},
		"data-subject-notice":      {"contacts.dpo", "extra.advice", "affected.personal_data.data_categories", "assessment.rationale"},
		"customer-notice":          {"extra.advice", "description", "affected"},
		"law-enforcement-referral": {"contacts.law_enforcement", "notifications (law-enforcement).approved_by", "roles.incident_manager"},
		"post-incident-review":     {"root_cause.factors", "root_cause.analysis", "extra.review.worked", "extra.review.did_not_work", "lessons", "corrective_actions", "detected_at", "assessment.at"},
		"drill-report":             {"drill.scenario", "drill.participants", "drill.objectives", "drill.findings", "drill.held_at"},
	}
	for name, fields := range want {
		kind := "incident"
		if name == "drill-report" {
			kind = "drill"
		}
		for _, format := range render.Formats {
			d, err := render.NewData(minimalDoc(t, kind), cfg, render.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			res, err := lib.Render(context.Background(), name, format, d)
			if err != nil {
				t.Fatalf("%s %s: %v", name, format, err)
			}
			out := string(res.Output)
			for _, f := range fields {
				if !strings.Contains(out, "[MISSING: "+f+"]") {
					t.Errorf("%s %s: no marker for %s", name, format, f)
				}
				found := false
				for _, m := range res.Missing {
					found = found || m == f
				}
				if !found {
					t.Errorf("%s %s: Missing lacks %s: %v", name, format, f, res.Missing)
				}
			}
			if strings.Contains(out, "<no value>") {
				t.Errorf("%s %s prints <no value>", name, format)
			}
		}
	}
}

// TestTemplateErrors: parse and execution errors name the template file and
// line, also for an error in the shared partial.
func TestTemplateErrors(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "templates/comms/parse.md.tmpl", "line 1\nline 2\n{{ if .Record.ID }}\n")
	writeFile(t, root, "templates/comms/exec.html.tmpl", "<p>\n{{ .Record.NoSuchField }}</p>\n")
	writeFile(t, root, "templates/comms/helper.md.tmpl", "{{ nosuchhelper 1 }}\n")
	writeFile(t, root, "templates/comms/_common.html.tmpl", "{{define \"x\"}}\n\n{{ .Nope }}{{end}}")
	writeFile(t, root, "templates/comms/uses-common.html.tmpl", "{{template \"x\" .}}")
	lib := render.NewLibrary(root, "repo")
	d := exampleData(t, "INC-2026-0001")
	cases := []struct{ name, format, want string }{
		{"parse", "md", "template: repo/templates/comms/parse.md.tmpl:4: unexpected EOF"},
		{"exec", "html", "template: repo/templates/comms/exec.html.tmpl:2:10: executing"},
		{"helper", "md", `template: repo/templates/comms/helper.md.tmpl:1: function "nosuchhelper" not defined`},
		{"uses-common", "html", "template: repo/templates/comms/_common.html.tmpl:3:3: executing"},
	}
	for _, c := range cases {
		_, err := lib.Render(context.Background(), c.name, c.format, d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	// Built-in templates are named by their path in casefile's source.
	src, err := render.NewLibrary("", "").Lookup("briefing", "md")
	if err != nil || src.Path != "templates/comms/briefing.md.tmpl" {
		t.Errorf("built-in path %q, %v", src.Path, err)
	}
}

// TestNames: only [a-z0-9-] names (and records/KIND) are templates, so no
// name can reach outside the template folders.
func TestNames(t *testing.T) {
	for _, ok := range []string{"briefing", "a", "post-incident-review", "x2", "records/incident", "_common"} {
		if err := render.ValidName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "../etc/passwd", "a/b", "Briefing", "brief_ing", "-x", "x-", "a--b", "x.md", "records/../x",
		"records/other", "..", ".", "a b", "é", strings.Repeat("a", 65),
	} {
		if err := render.ValidName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	lib := render.NewLibrary(t.TempDir(), ".")
	if _, err := lib.Render(context.Background(), "../../x", "md", nil); err == nil {
		t.Error("traversal name rendered")
	}
	if _, err := lib.Render(context.Background(), "briefing", "pdf", nil); err == nil {
		t.Error("unknown format rendered")
	}
	if _, err := lib.Render(context.Background(), "_common", "md", nil); err == nil {
		t.Error("partial rendered on its own")
	}
}

// TestRefused: symbolic links (to a file or a folder, inside or outside the
// repository) and oversized files are refused with a clear error; files with
// names that are not template names are ignored with a warning.
func TestRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	root := t.TempDir()
	outside := t.TempDir()
	writeFile(t, outside, "secret.md.tmpl", "{{.Record.ID}}")
	writeFile(t, root, "templates/comms/real.md.tmpl", "{{.Record.ID}}")
	writeFile(t, root, "templates/comms/Not_A_Name.md.tmpl", "x")
	if err := os.Symlink(filepath.Join(outside, "secret.md.tmpl"), filepath.Join(root, "templates/comms/secret.md.tmpl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.md.tmpl", filepath.Join(root, "templates/comms/alias.md.tmpl")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, "templates/comms/huge.md.tmpl", strings.Repeat("x", render.MaxTemplateSize+1))
	lib := render.NewLibrary(root, ".")
	d := exampleData(t, "INC-2026-0001")
	for _, name := range []string{"secret", "alias"} {
		if _, err := lib.Render(context.Background(), name, "md", d); !errors.Is(err, render.ErrSymlink) {
			t.Errorf("%s: %v, want a refused symbolic link", name, err)
		}
	}
	if _, err := lib.Render(context.Background(), "huge", "md", d); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("huge: %v", err)
	}
	if _, err := lib.Render(context.Background(), "real", "md", d); err != nil {
		t.Errorf("real: %v", err)
	}
	list, warnings := lib.List()
	refused := 0
	for _, s := range list {
		if s.Err != nil {
			refused++
		}
	}
	if refused != 3 || len(warnings) != 1 || !strings.Contains(warnings[0].Error(), "Not_A_Name.md.tmpl: ignored") {
		t.Errorf("refused %d, warnings %v", refused, warnings)
	}

	// A symlinked templates folder is refused as a whole.
	root2 := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "templates"), filepath.Join(root2, "templates")); err != nil {
		t.Fatal(err)
	}
	if _, err := render.NewLibrary(root2, ".").Render(context.Background(), "real", "md", d); !errors.Is(err, render.ErrSymlink) {
		t.Errorf("symlinked folder: %v", err)
	}
}

// TestLimits: a runaway template stops at the time limit, an oversized
// document at the size cap.
func TestLimits(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "templates/comms/loop.md.tmpl", "{{range 2000000000}}.{{end}}")
	writeFile(t, root, "templates/comms/big.md.tmpl", "{{range 40}}{{$.Record.Description}}{{end}}")
	lib := render.NewLibrary(root, ".")
	lib.Timeout = 200 * time.Millisecond
	d := exampleData(t, "INC-2026-0001")
	start := time.Now()
	if _, err := lib.Render(context.Background(), "loop", "md", d); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("loop: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("loop was not stopped in time")
	}
	d.Record.Description = strings.Repeat("y", 1<<20)
	lib.Timeout = 0
	if _, err := lib.Render(context.Background(), "big", "md", d); !errors.Is(err, render.ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
}

// TestEscaping: record text cannot add markup to HTML output.
func TestEscaping(t *testing.T) {
	doc, err := record.Parse("records/2026/INC-2026-0001.yaml", []byte(`schema_version: 1
id: INC-2026-0001
kind: incident
title: "<script>alert(1)</script>"
status: reported
reported:
  at: 2026-03-02T09:14:00Z
  by: "<img src=x onerror=alert(1)>"
description: "a & b <b>bold</b>"
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Default()
	d, err := render.NewData(doc, cfg, render.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := render.NewLibrary("", "").Render(context.Background(), "incident-report", "html", d)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	for _, bad := range []string{"<script>", "<img", "<b>bold"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in HTML output", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;") || !strings.Contains(out, "a &amp; b") {
		t.Error("escaped text missing")
	}
}

// TestZone: dates follow the zone given, else the organisation's.
func TestZone(t *testing.T) {
	doc, rel := exampleDoc(t, "INC-2026-0001")
	cfg := exampleConfig(t)
	d, err := render.NewData(doc, cfg, render.Options{Path: rel, Now: now, Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	res, err := render.NewLibrary("", "").Render(context.Background(), "incident-report", "md", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Output), "| Detected | 2026-02-03 19:40 UTC |") {
		t.Errorf("detected_at not in UTC:\n%s", res.Output)
	}
	if d.Times.TimeToContain.String() != "6d 13h" {
		t.Errorf("time to contain %s", d.Times.TimeToContain)
	}
}
