package report

import (
	"bufio"
	"html/template"
	"io"
	"strings"

	"github.com/casefile/casefile/templates"
)

var pages = template.Must(template.New("report").Funcs(template.FuncMap{
	"heading": func(sub bool, text string) template.HTML {
		tag := "h2"
		if sub {
			tag = "h3"
		}
		return template.HTML("<" + tag + ">" + template.HTMLEscapeString(text) + "</" + tag + ">") //nolint:gosec // G203: text is escaped, the tag is a constant
	},
	"dur":        durText,
	"pct":        Percent,
	"money":      Money,
	"dash":       dash,
	"join":       strings.Join,
	"truncate":   func(s string) string { return Truncate(s, DescriptionLimit) },
	"desclimit":  func() int { return DescriptionLimit },
	"auditlimit": func() int { return AuditRecordLimit },
	"deref":      func(b *bool) bool { return b != nil && *b },
	"add":        func(a, b float64) float64 { return a + b },
	"sub":        func(a, b float64) float64 { return a - b },
	"div":        func(a, b int) int { return a / b },
	"day":        fmtDay,
	"lastday":    fmtEnd,
	"findings":   findingsText,
	"limit": func(items []Repeat) []Repeat {
		if len(items) > RepeatLimit {
			return items[:RepeatLimit]
		}
		return items
	},
	"more": func(items []Repeat) int { return max(0, len(items)-RepeatLimit) },
}).ParseFS(templates.Report, "report/*.html"))

// TrendCharts are the charts of a trend report.
type TrendCharts struct {
	Stack, Categories, Times, Actions Chart
}

// ChartsFor draws the charts of a trend report.
func ChartsFor(t *TrendReport) TrendCharts {
	order := severityColumns(t)
	return TrendCharts{
		Stack:      StackChart(t, order),
		Categories: CategoryChart(t.Categories),
		Times:      TimesChart(t),
		Actions:    ActionChart(t.CorrectiveActions),
	}
}

// trendSection is the data of the "trend-sections" template.
type trendSection struct {
	T      *TrendReport
	Charts TrendCharts
	Order  []string
	Sub    bool
}

// SevClass is the CSS class of a severity level.
func (s trendSection) SevClass(sev string) string { return sevClass(sev, s.Order) }

func newSection(t *TrendReport, sub bool) trendSection {
	return trendSection{T: t, Charts: ChartsFor(t), Order: severityColumns(t), Sub: sub}
}

func render(w io.Writer, name string, data any) error {
	bw := bufio.NewWriter(w)
	if err := pages.ExecuteTemplate(bw, name, data); err != nil {
		return err
	}
	return bw.Flush()
}

// HTML writes the log as one self-contained HTML page.
func (r *LogReport) HTML(w io.Writer) error { return render(w, "log.html", r) }

// HTML writes the trend report as one self-contained HTML page with inline
// SVG charts.
func (t *TrendReport) HTML(w io.Writer) error {
	return render(w, "trends.html", struct {
		Meta    Meta
		Section trendSection
	}{t.Meta, newSection(t, false)})
}

// HTML writes the review pack as one self-contained HTML page.
func (r *ReviewReport) HTML(w io.Writer) error {
	return render(w, "review.html", struct {
		*ReviewReport
		Section trendSection
	}{r, newSection(r.Trends, true)})
}
