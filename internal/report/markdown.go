package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// DescriptionLimit is how many characters of a description the Markdown
// and HTML logs show; CSV and JSON carry it in full.
const DescriptionLimit = 140

// RepeatLimit is how many repeat incidents Markdown and HTML list; JSON
// lists all.
const RepeatLimit = 50

// mdWriter writes Markdown, keeping the first write error.
type mdWriter struct {
	w   *bufio.Writer
	err error
}

func newMD(w io.Writer) *mdWriter { return &mdWriter{w: bufio.NewWriter(w)} }

func (m *mdWriter) p(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) line(s string) { m.p("%s\n", s) }

// table writes a Markdown table; cells are escaped.
func (m *mdWriter) table(head []string, align string, rows [][]string) {
	m.line("| " + strings.Join(escAll(head), " | ") + " |")
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
		if i < len(align) && align[i] == 'r' {
			seps[i] = "---:"
		}
	}
	m.line("|" + strings.Join(seps, "|") + "|")
	for _, r := range rows {
		m.line("| " + strings.Join(escAll(r), " | ") + " |")
	}
	m.line("")
}

func (m *mdWriter) flush() error {
	if m.err != nil {
		return m.err
	}
	return m.w.Flush()
}

func escAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdEscape(c)
	}
	return out
}

// mdEscape makes record text safe in a Markdown table cell: one line, and
// the characters Markdown or inline HTML would act on escaped.
func mdEscape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '!', '&':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Truncate shortens s to n characters at a word boundary, on one line.
func Truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;.:") + "…"
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func durText(s *float64) string {
	if s == nil {
		return "—"
	}
	return Duration(*s)
}

// Percent formats a ratio as a percentage with one decimal.
func Percent(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + " %"
}

func head(m *mdWriter, meta Meta) {
	title := meta.Title
	if meta.Organisation != "" {
		title += " — " + meta.Organisation
	}
	m.line("# " + mdEscape(title))
	m.line("")
	m.line(mdEscape(meta.Source.Sentence()))
	m.line("")
	m.line(mdEscape(fmt.Sprintf("Generated %s; %s. Times are UTC, as recorded.", meta.GeneratedAt.Format(time.RFC3339), meta.RangeText())))
	m.line("")
}

// Markdown writes the log as a Markdown table.
func (r *LogReport) Markdown(w io.Writer) error {
	m := newMD(w)
	head(m, r.Meta)
	var filters []string
	for _, f := range [][2]string{{"kind", r.Filters.Kind}, {"status", r.Filters.Status}, {"severity", r.Filters.Severity}} {
		if f[1] != "" {
			filters = append(filters, f[0]+" "+f[1])
		}
	}
	if len(filters) > 0 {
		m.line(mdEscape("Filtered by " + strings.Join(filters, ", ") + "."))
		m.line("")
	}
	m.line(mdEscape(r.Counts.Sentence()))
	m.line("")
	var rows [][]string
	for _, x := range r.Rows {
		rows = append(rows, []string{
			x.ID, x.ReportedAt, x.ReportedBy, x.Title, dash(Truncate(x.Description, DescriptionLimit)),
			x.AffectedText(), x.KindText(), x.Decision, dash(x.Category), dash(x.Severity), x.Status, dash(x.IncidentManager),
			dash(x.ContainedAt), dash(x.ClosedAt), strconv.Itoa(x.Evidence), x.NotificationText(),
		})
	}
	m.table([]string{
		"ID", "Reported", "Reported by", "Title", "Description", "Affected", "Kind", "Decision", "Category",
		"Severity", "Status", "Incident manager", "Contained", "Closed", "Evidence", "Notifications",
	}, "              r ", rows)
	return m.flush()
}

// Sentence sums up the counts.
func (c LogCounts) Sentence() string {
	var parts []string
	for _, k := range []string{"event", "weakness", "incident", "drill"} {
		if n := c.ByKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, k)))
		}
	}
	s := fmt.Sprintf("%d %s", c.Records, plural(c.Records, "record"))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s + fmt.Sprintf("; %d counted as %s; %d %s still open.", c.Incidents, plural(c.Incidents, "incident"), c.Open, plural(c.Open, "record"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if word == "weakness" {
		return "weaknesses"
	}
	return word + "s"
}

// AffectedText lists the affected facilities, systems and processes.
func (r LogRow) AffectedText() string {
	var parts []string
	for _, p := range []struct {
		name string
		list []string
	}{{"facilities", r.Facilities}, {"systems", r.Systems}, {"processes", r.Processes}} {
		if len(p.list) > 0 {
			parts = append(parts, p.name+": "+strings.Join(p.list, ", "))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// NotificationText is the number of notifications and the parties told.
func (r LogRow) NotificationText() string {
	if r.Notifications == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", r.Notifications, strings.Join(r.NotifiedParties, ", "))
}

// Markdown writes the trend report.
func (t *TrendReport) Markdown(w io.Writer) error {
	m := newMD(w)
	head(m, t.Meta)
	trendSections(m, t, "##")
	return m.flush()
}

func trendSections(m *mdWriter, t *TrendReport, h string) {
	m.line(h + " Summary")
	m.line("")
	m.line(mdEscape(fmt.Sprintf("- %d %s reported, %d counted as %s (%d still open), by %s.", t.Records, plural(t.Records, "record"),
		t.Incidents, plural(t.Incidents, "incident"), t.OpenIncidents, t.Period)))
	m.line(mdEscape(fmt.Sprintf("- Event → incident ratio: %d of %d assessed events and weaknesses were incidents (%s).",
		t.EventRatio.Incidents, t.EventRatio.Assessed, Percent(t.EventRatio.Value))))
	m.line("")

	m.line(h + " Volumes by kind")
	m.line("")
	var rows [][]string
	for _, k := range t.Kinds {
		rows = append(rows, []string{k.Kind, strconv.Itoa(k.Records), strconv.Itoa(k.Escalated), strconv.Itoa(k.Rejected)})
	}
	m.table([]string{"Kind", "Records", "Assessed as incident", "Rejected"}, " rrr", rows)

	m.line(h + " Volumes by severity")
	m.line("")
	rows = nil
	for _, s := range t.Severities {
		rows = append(rows, []string{s.Severity, dash(s.Name), strconv.Itoa(s.Incidents), strconv.Itoa(s.Records)})
	}
	m.table([]string{"Severity", "Name", "Incidents", "All reports"}, "  rr", rows)

	m.line(h + " Volumes by category")
	m.line("")
	rows = nil
	for _, c := range t.Categories {
		rows = append(rows, []string{c.Category, strconv.Itoa(c.Incidents), strconv.Itoa(c.Records)})
	}
	m.table([]string{"Category", "Incidents", "All reports"}, " rr", rows)

	m.line(h + " Volumes by " + t.Period)
	m.line("")
	order := severityColumns(t)
	hd := []string{"Period", "Records", "Events", "Weaknesses", "Incidents (kind)", "Drills", "Incidents"}
	align := " rrrrrr"
	for _, s := range order {
		hd = append(hd, s)
		align += "r"
	}
	hd = append(hd, "Median contain", "Median resolve")
	align += "rr"
	rows = nil
	for _, p := range t.Periods {
		row := []string{
			p.Label, strconv.Itoa(p.Records), strconv.Itoa(p.ByKind["event"]), strconv.Itoa(p.ByKind["weakness"]),
			strconv.Itoa(p.ByKind["incident"]), strconv.Itoa(p.ByKind["drill"]), strconv.Itoa(p.Incidents),
		}
		for _, s := range order {
			row = append(row, strconv.Itoa(p.IncidentsBySeverity[s]))
		}
		row = append(row, durText(p.Contain.MedianSeconds), durText(p.Resolve.MedianSeconds))
		rows = append(rows, row)
	}
	m.table(hd, align, rows)

	m.line(h + " Response times")
	m.line("")
	m.line("Only full timestamps are used; partial dates are skipped and counted.")
	m.line("")
	rows = nil
	for _, tm := range t.Times {
		rows = append(rows, []string{
			tm.Label, tm.From + " → " + tm.To, tm.Population, "all", strconv.Itoa(tm.Overall.N),
			durText(tm.Overall.MeanSeconds), durText(tm.Overall.MedianSeconds), strconv.Itoa(tm.Overall.Partial),
		})
		for _, s := range tm.BySeverity {
			rows = append(rows, []string{"", "", "", s.Severity, strconv.Itoa(s.N), durText(s.MeanSeconds), durText(s.MedianSeconds), strconv.Itoa(s.Partial)})
		}
	}
	m.table([]string{"Measure", "From → to", "Population", "Severity", "N", "Mean", "Median", "Partial dates skipped"}, "    rrrr", rows)

	m.line(h + " Costs")
	m.line("")
	if len(t.Costs) == 0 {
		m.line("No costs recorded.")
		m.line("")
	} else {
		rows = nil
		for _, c := range t.Costs {
			rows = append(rows, []string{c.Currency, "all", Money(c.Total), strconv.Itoa(c.Records)})
			for _, cc := range c.ByCategory {
				rows = append(rows, []string{"", cc.Category, Money(cc.Amount), strconv.Itoa(cc.Records)})
			}
		}
		m.table([]string{"Currency", "Category", "Amount", "Records"}, "  rr", rows)
	}

	m.line(h + " Top root-cause factors")
	m.line("")
	if len(t.RootCauses) == 0 {
		m.line("No root causes recorded.")
		m.line("")
	} else {
		rows = nil
		for _, f := range t.RootCauses {
			rows = append(rows, []string{f.Factor, strconv.Itoa(f.Records)})
		}
		m.table([]string{"Factor (counted case-insensitively)", "Records"}, " r", rows)
	}

	m.line(h + " Repeat incidents")
	m.line("")
	m.line(mdEscape(fmt.Sprintf("%d %s repeat an earlier incident of the same category on a shared affected asset or system within %d days.",
		t.Repeats.Count, plural(t.Repeats.Count, "incident"), t.Repeats.WindowDays)))
	m.line("")
	if len(t.Repeats.Items) > 0 {
		rows = nil
		for i, r := range t.Repeats.Items {
			if i == RepeatLimit {
				break
			}
			rows = append(rows, []string{r.ID, r.RepeatOf, r.Category, r.Shared, strconv.Itoa(r.Days)})
		}
		m.table([]string{"Incident", "Repeats", "Category", "Shared asset or system", "Days apart"}, "    r", rows)
		if n := len(t.Repeats.Items) - RepeatLimit; n > 0 {
			m.line(mdEscape(fmt.Sprintf("… and %d more (all are in --format json).", n)))
			m.line("")
		}
	}

	m.line(h + " Corrective actions")
	m.line("")
	a := t.CorrectiveActions
	m.table([]string{"Total", "Open", "In progress", "Overdue", "Done (awaiting verification)", "Verified", "Waived"}, "rrrrrrr",
		[][]string{{
			strconv.Itoa(a.Total), strconv.Itoa(a.Open), strconv.Itoa(a.InProgress), strconv.Itoa(a.Overdue),
			strconv.Itoa(a.Done), strconv.Itoa(a.Verified), strconv.Itoa(a.Waived),
		}})

	m.line(h + " Notifications")
	m.line("")
	n := t.Notifications
	m.line(mdEscape(fmt.Sprintf("%d %s: %d on time, %d late (%s).", n.Total, plural(n.Total, "notification"), n.OnTime, n.Late, n.Rule)))
	m.line("")

	m.line(h + " Change against the previous period")
	m.line("")
	if t.Previous == nil {
		m.line("No comparison: the range has no start of its own (give --from).")
		m.line("")
		return
	}
	m.line(mdEscape(fmt.Sprintf("Previous period: %s to %s.", fmtDay(t.Previous.From), fmtEnd(t.Previous.To))))
	m.line("")
	rows = nil
	for _, c := range t.Previous.Changes {
		rows = append(rows, []string{c.Label(), c.Text(c.Current), c.Text(c.Previous), c.DeltaText()})
	}
	m.table([]string{"Measure", "This period", "Previous period", "Change"}, " rrr", rows)
}

// severityColumns lists the severities that occur in the periods, in scale
// order.
func severityColumns(t *TrendReport) []string {
	var out []string
	for _, s := range t.Severities {
		out = append(out, s.Severity)
	}
	has := false
	for _, p := range t.Periods {
		if p.IncidentsBySeverity[Unassessed] > 0 {
			has = true
		}
	}
	if has && (len(out) == 0 || out[len(out)-1] != Unassessed) {
		out = append(out, Unassessed)
	}
	return out
}

// Label names the measure with its unit where it is a currency.
func (c Change) Label() string {
	if c.Unit != "count" && c.Unit != "ratio" && c.Unit != "seconds" {
		return c.Measure + " (" + c.Unit + ")"
	}
	return c.Measure
}

// Text formats a value of the measure.
func (c Change) Text(v *float64) string {
	if v == nil {
		return "—"
	}
	switch c.Unit {
	case "count":
		return strconv.FormatFloat(*v, 'f', -1, 64)
	case "ratio":
		return Percent(v)
	case "seconds":
		return Duration(*v)
	}
	return Money(*v)
}

// DeltaText formats the change: +3 (+50.0 %), −2h, "—".
func (c Change) DeltaText() string {
	if c.Delta == nil {
		return "—"
	}
	d := *c.Delta
	sign := "+"
	if d < 0 {
		sign = "−"
		d = -d
	}
	var s string
	switch c.Unit {
	case "count":
		s = strconv.FormatFloat(d, 'f', -1, 64)
	case "ratio":
		s = strconv.FormatFloat(d*100, 'f', 1, 64) + " points"
	case "seconds":
		s = Duration(d)
	default:
		s = Money(d)
	}
	if *c.Delta == 0 {
		return "±0"
	}
	s = sign + s
	if c.Percent != nil && c.Unit != "ratio" {
		s += fmt.Sprintf(" (%+.1f %%)", *c.Percent)
	}
	return s
}

// Markdown writes the management review pack.
func (r *ReviewReport) Markdown(w io.Writer) error {
	m := newMD(w)
	head(m, r.Meta)
	m.line("## 1. Chain of custody")
	m.line("")
	m.line(mdEscape(r.Custody.Sentence))
	m.line("")
	m.line(mdEscape(fmt.Sprintf("The records reported in %s hold %d evidence %s, %d with a sha256 digest, and %d custody %s.",
		r.Period, r.Custody.Evidence, plural(r.Custody.Evidence, "item"), r.Custody.WithDigest, r.Custody.Transfers, plural(r.Custody.Transfers, "transfer"))))
	m.line("")

	m.line("## 2. High-impact incidents")
	m.line("")
	m.line(mdEscape(r.HighImpactRule()))
	m.line("")
	if len(r.HighImpact) == 0 {
		m.line("None.")
		m.line("")
	} else {
		var rows [][]string
		for _, x := range r.HighImpact {
			cost := "—"
			if x.Cost != nil {
				cost = Money(x.Cost.Amount) + " " + x.Cost.Currency
			}
			rows = append(rows, []string{x.Record, x.Title, dash(x.Severity), dash(x.Category), x.Status, x.ReportedAt, dash(x.ClosedAt), cost, strings.Join(x.Reasons, "; ")})
		}
		m.table([]string{"ID", "Title", "Severity", "Category", "Status", "Reported", "Closed", "Cost", "Why"}, "       r ", rows)
	}

	m.line("## 3. Open and overdue corrective actions")
	m.line("")
	m.line(mdEscape(r.ActionSentence()))
	m.line("")
	if len(r.OpenActions) > 0 {
		var rows [][]string
		for _, a := range r.OpenActions {
			od := ""
			if a.Overdue {
				od = fmt.Sprintf("overdue %d %s", a.DaysOverdue, plural(a.DaysOverdue, "day"))
			}
			rows = append(rows, []string{a.Record, a.ID, a.Text, dash(a.Owner), dash(a.Due), a.Status, dash(od)})
		}
		m.table([]string{"Record", "Action", "Text", "Owner", "Due", "Status", "Overdue"}, "      ", rows)
	}

	m.line("## 4. Lessons learned")
	m.line("")
	if len(r.Lessons) == 0 {
		m.line(mdEscape("No record with lessons learned was closed in " + r.Period + "."))
		m.line("")
	}
	for _, l := range r.Lessons {
		m.line("- **" + mdEscape(l.Record) + "** " + mdEscape(fmt.Sprintf("%s (%s%s, closed %s): %s", l.Title, l.Kind, sevSuffix(l.Severity), l.ClosedAt, l.Lessons)))
		if len(l.Factors) > 0 {
			m.line("  " + mdEscape("Root cause: "+strings.Join(l.Factors, "; ")+"."))
		}
	}
	if len(r.Lessons) > 0 {
		m.line("")
	}

	m.line("## 5. Drills held")
	m.line("")
	if len(r.Drills) == 0 {
		m.line(mdEscape("No drill was held in " + r.Period + "."))
		m.line("")
	} else {
		var rows [][]string
		for _, d := range r.Drills {
			rows = append(rows, []string{
				d.Record, d.Title, dash(d.Format), d.HeldAt, d.Status, strconv.Itoa(d.Participants),
				strconv.Itoa(d.Findings) + findingsText(d.BySeverity), fmt.Sprintf("%d of %d", d.Settled, d.FollowUps),
			})
		}
		m.table([]string{"ID", "Title", "Format", "Held", "Status", "Participants", "Findings", "Follow-ups settled"}, "     rrr", rows)
	}

	m.line("## 6. Trends in " + mdEscape(r.Period))
	m.line("")
	trendSections(m, r.Trends, "###")
	return m.flush()
}

func sevSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

func findingsText(by map[string]int) string {
	if len(by) == 0 {
		return ""
	}
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low", "unrated"} {
		if n := by[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	for s, n := range by {
		switch s {
		case "critical", "high", "medium", "low", "unrated":
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// HighImpactRule says which incidents the pack lists as high-impact.
func (r *ReviewReport) HighImpactRule() string {
	s := fmt.Sprintf("Incidents active in %s (reported before its end, not closed before its start) of the %d most severe levels of the scale", r.Period, HighImpactLevels)
	if r.CostThreshold > 0 {
		s += fmt.Sprintf(", or with a cost of %s or more", Money(r.CostThreshold))
	}
	return s + "."
}

// ActionSentence sums up the open corrective actions of the whole log.
func (r *ReviewReport) ActionSentence() string {
	n := len(r.OpenActions)
	return fmt.Sprintf("%d corrective %s in the whole log not yet verified effective or waived: %d open, %d in progress, %d done and awaiting verification; %d overdue.",
		n, plural(n, "action"), r.ActionCounts["open"], r.ActionCounts["in-progress"], r.ActionCounts["done"], r.ActionCounts["overdue"])
}
