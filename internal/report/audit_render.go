package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// AuditRecordLimit is how many record IDs Markdown and HTML list per item;
// JSON lists all.
const AuditRecordLimit = 25

// RecordsText lists the item's records, at most AuditRecordLimit of them.
func (it AuditItem) RecordsText() string {
	if len(it.Records) == 0 {
		return "—"
	}
	ids := it.Records
	if len(ids) > AuditRecordLimit {
		return strings.Join(ids[:AuditRecordLimit], ", ") + fmt.Sprintf(" … and %d more", len(ids)-AuditRecordLimit)
	}
	return strings.Join(ids, ", ")
}

// ISO2013Text names the 2013 controls a control replaces.
func (c AuditControl) ISO2013Text() string {
	var parts []string
	for _, o := range c.ISO2013 {
		parts = append(parts, o.ID+" "+o.Title)
	}
	return strings.Join(parts, "; ")
}

// Summary sums up the pack in one sentence.
func (r *AuditReport) Summary() string {
	with := 0
	for _, c := range r.Controls {
		if len(c.Gaps) > 0 {
			with++
		}
	}
	return fmt.Sprintf("%d controls; %d %s with gaps, %d gap %s in all. Drills count when held from %s to %s.",
		len(r.Controls), with, plural(with, "control"), r.Gaps, plural(r.Gaps, "item"), fmtDay(r.DrillsFrom), fmtEnd(r.DrillsTo))
}

// Markdown writes the audit pack as Markdown.
func (r *AuditReport) Markdown(w io.Writer) error {
	m := newMD(w)
	head(m, r.Meta)
	m.line(mdEscape(r.Summary()))
	m.line("")
	for _, c := range r.Controls {
		m.line("## " + mdEscape(c.ID+" "+c.Title))
		m.line("")
		m.line(mdEscape("ISO/IEC 27001:2013: " + c.ISO2013Text() + "."))
		m.line("")
		var rows [][]string
		for _, it := range c.Evidence {
			rows = append(rows, []string{it.What, strconv.Itoa(it.Count), it.RecordsText()})
		}
		m.table([]string{"Evidence", "Count", "Records"}, " r ", rows)
		if len(c.Gaps) == 0 {
			m.line("No gaps.")
			m.line("")
			continue
		}
		rows = nil
		for _, it := range c.Gaps {
			rows = append(rows, []string{it.Rule, it.What, strconv.Itoa(it.Count), it.RecordsText()})
		}
		m.table([]string{"Gap", "What", "Count", "Records"}, "  r ", rows)
	}
	return m.flush()
}

// JSON writes the audit pack as indented JSON, with every record ID.
func (r *AuditReport) JSON(w io.Writer) error { return writeJSON(w, r) }

// HTML writes the audit pack as one self-contained HTML page.
func (r *AuditReport) HTML(w io.Writer) error { return render(w, "audit.html", r) }
