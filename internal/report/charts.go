package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart is the geometry of one inline SVG chart. The templates draw it;
// every text in it is escaped there, and the numbers are plain attributes.
// Hand-built SVG rather than a charting library: four simple chart types,
// no JavaScript, no fonts, and output that prints and diffs well.
type Chart struct {
	ID     string
	Title  string
	Desc   string
	Width  int
	Height int
	Bars   []Bar
	Series []Series
	Labels []Label
	Ticks  []Tick
	Legend []LegendItem
	// Empty is set when there is nothing to draw; the template says so.
	Empty bool
	// PlotX, PlotY, PlotW, PlotH frame the plot area.
	PlotX, PlotY, PlotW, PlotH float64
}

// Bar is one rectangle.
type Bar struct {
	X, Y, W, H float64
	Class      string
	Tip        string
}

// Series is one line of a line chart, with its points.
type Series struct {
	D      string // path data, numbers only
	Class  string
	Name   string
	Points []Point
}

// Point is a data point of a line.
type Point struct {
	X, Y float64
	Tip  string
}

// Label is a text on the chart.
type Label struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle, end
	Class  string
	Rotate bool
}

// Tick is a horizontal grid line with its value.
type Tick struct {
	Y    float64
	Text string
}

// LegendItem is one entry of a legend.
type LegendItem struct {
	Class, Text string
}

// f formats chart coordinates compactly and deterministically.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// F is f for the templates.
func (Chart) F(v float64) string { return f(v) }

// niceMax picks the top of a value axis and its tick step: the step is 1,
// 2 or 5 (or 2.5 when fractions are fine) times a power of ten, giving at
// most five intervals; integer axes (counts) never step below 1.
func niceMax(v float64, integer bool) (top, step float64) {
	if v <= 0 {
		return 1, 1
	}
	raw := v / 5
	exp := math.Pow(10, math.Floor(math.Log10(raw)))
	mults := []float64{1, 2, 2.5, 5, 10}
	if integer {
		mults = []float64{1, 2, 5, 10}
	}
	for _, m := range mults {
		if step = m * exp; step >= raw {
			break
		}
	}
	if integer && step < 1 {
		step = 1
	}
	top = math.Ceil(v/step-1e-9) * step
	return top, step
}

// sevClass is the CSS class of the i-th severity level; the last classes
// repeat for long scales.
func sevClass(sev string, order []string) string {
	if sev == Unassessed {
		return "sev-x"
	}
	for i, s := range order {
		if s == sev {
			return "sev-" + strconv.Itoa(min(i, 5))
		}
	}
	return "sev-5"
}

const (
	chartW = 720
	chartH = 280
	padL   = 48
	padR   = 16
	padT   = 16
	padB   = 56
)

// periodAxis labels the periods along the bottom, thinning them so they do
// not overlap.
func periodAxis(c *Chart, labels []string, x func(i int) float64) {
	every := 1
	if n := len(labels); n > 0 {
		every = int(math.Ceil(float64(n) / 18))
	}
	for i, l := range labels {
		if i%every != 0 {
			continue
		}
		c.Labels = append(c.Labels, Label{X: x(i), Y: c.PlotY + c.PlotH + 14, Text: l, Anchor: "end", Class: "axis", Rotate: len(labels) > 8})
	}
}

func gridTicks(c *Chart, top, step float64, format func(float64) string) {
	for v := 0.0; v <= top+step/1000; v += step {
		c.Ticks = append(c.Ticks, Tick{Y: c.PlotY + c.PlotH - v/top*c.PlotH, Text: format(v)})
	}
}

func countText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// StackChart draws incidents per period stacked by severity.
func StackChart(t *TrendReport, order []string) Chart {
	c := Chart{
		ID: "chart-incidents", Title: "Incidents per " + t.Period + " by severity", Width: chartW, Height: chartH,
		PlotX: padL, PlotY: padT, PlotW: chartW - padL - padR, PlotH: chartH - padT - padB,
	}
	c.Desc = "Stacked bars: the number of incidents reported in each " + t.Period + ", split by severity."
	maxV := 0
	for _, p := range t.Periods {
		maxV = max(maxV, p.Incidents)
	}
	if len(t.Periods) == 0 || maxV == 0 {
		c.Empty = true
	}
	top, step := niceMax(float64(maxV), true)
	gridTicks(&c, top, step, countText)
	n := max(len(t.Periods), 1)
	slot := c.PlotW / float64(n)
	bw := math.Max(slot*0.7, 1)
	var labels []string
	used := map[string]bool{}
	for i, p := range t.Periods {
		labels = append(labels, p.Label)
		y := c.PlotY + c.PlotH
		for _, s := range order {
			v := p.IncidentsBySeverity[s]
			if v == 0 {
				continue
			}
			used[s] = true
			h := float64(v) / top * c.PlotH
			y -= h
			c.Bars = append(c.Bars, Bar{
				X: c.PlotX + float64(i)*slot + (slot-bw)/2, Y: y, W: bw, H: h,
				Class: "bar " + sevClass(s, order), Tip: fmt.Sprintf("%s: %d %s", p.Label, v, s),
			})
		}
	}
	periodAxis(&c, labels, func(i int) float64 { return c.PlotX + float64(i)*slot + slot/2 })
	for _, s := range order {
		if used[s] {
			c.Legend = append(c.Legend, LegendItem{Class: sevClass(s, order), Text: s})
		}
	}
	return c
}

// CategoryChart draws the incidents per category as horizontal bars.
func CategoryChart(cats []CategoryCount) Chart {
	var rows []CategoryCount
	for _, cc := range cats {
		if cc.Incidents > 0 {
			rows = append(rows, cc)
		}
	}
	const rowH, labelW = 22, 300
	h := padT + len(rows)*rowH + 28
	c := Chart{
		ID: "chart-categories", Title: "Incidents by category", Width: chartW, Height: max(h, 80),
		PlotX: labelW, PlotY: padT, PlotW: chartW - labelW - 56, PlotH: float64(len(rows) * rowH),
	}
	c.Desc = "Horizontal bars: the number of incidents in each category of the taxonomy."
	if len(rows) == 0 {
		c.Empty = true
		return c
	}
	maxV := 0
	for _, r := range rows {
		maxV = max(maxV, r.Incidents)
	}
	top, _ := niceMax(float64(maxV), true)
	for i, r := range rows {
		y := c.PlotY + float64(i*rowH)
		w := float64(r.Incidents) / top * c.PlotW
		c.Bars = append(c.Bars, Bar{
			X: c.PlotX, Y: y + 3, W: w, H: rowH - 6, Class: "bar cat",
			Tip: fmt.Sprintf("%s: %d", r.Category, r.Incidents),
		})
		c.Labels = append(c.Labels,
			Label{X: c.PlotX - 6, Y: y + rowH/2 + 4, Text: shorten(r.Category, 46), Anchor: "end", Class: "axis"},
			Label{X: c.PlotX + w + 4, Y: y + rowH/2 + 4, Text: strconv.Itoa(r.Incidents), Anchor: "start", Class: "value"})
	}
	return c
}

// TimesChart draws the per-period medians of time to contain and time to
// resolve.
func TimesChart(t *TrendReport) Chart {
	c := Chart{
		ID: "chart-times", Title: "Median time to contain and to resolve per " + t.Period, Width: chartW, Height: chartH,
		PlotX: padL + 8, PlotY: padT, PlotW: chartW - padL - 8 - padR, PlotH: chartH - padT - padB,
	}
	c.Desc = "Lines: the median time from detection to containment and to closure of the incidents reported in each " + t.Period + "; periods without data are skipped."
	maxV := 0.0
	for _, p := range t.Periods {
		for _, s := range []Stat{p.Contain, p.Resolve} {
			if s.MedianSeconds != nil {
				maxV = math.Max(maxV, *s.MedianSeconds)
			}
		}
	}
	unit, unitName := 86400.0, "days"
	if maxV < 2*86400 {
		unit, unitName = 3600, "hours"
	}
	top, step := niceMax(maxV/unit, false)
	gridTicks(&c, top, step, func(v float64) string { return countText(v) })
	c.Labels = append(c.Labels, Label{X: 4, Y: c.PlotY - 4, Text: unitName, Anchor: "start", Class: "axis"})
	n := max(len(t.Periods), 1)
	slot := c.PlotW / float64(n)
	x := func(i int) float64 { return c.PlotX + float64(i)*slot + slot/2 }
	var labels []string
	for _, p := range t.Periods {
		labels = append(labels, p.Label)
	}
	periodAxis(&c, labels, x)
	for k, name := range []string{"time to contain", "time to resolve"} {
		s := Series{Class: "line line-" + strconv.Itoa(k), Name: name}
		var d strings.Builder
		pen := false
		for i, p := range t.Periods {
			st := p.Contain
			if k == 1 {
				st = p.Resolve
			}
			if st.MedianSeconds == nil {
				continue // the line runs on past periods without data
			}
			px, py := x(i), c.PlotY+c.PlotH-*st.MedianSeconds/unit/top*c.PlotH
			if pen {
				d.WriteString(" L")
			} else {
				d.WriteString("M")
			}
			d.WriteString(f(px) + " " + f(py))
			pen = true
			s.Points = append(s.Points, Point{X: px, Y: py, Tip: fmt.Sprintf("%s %s: %s (median of %d)", p.Label, name, Duration(*st.MedianSeconds), st.N)})
		}
		if len(s.Points) == 0 {
			continue
		}
		if len(s.Points) == 1 {
			// A one-point path draws nothing visible; a short stub marks it.
			p := s.Points[0]
			d.Reset()
			d.WriteString("M" + f(p.X-4) + " " + f(p.Y) + " L" + f(p.X+4) + " " + f(p.Y))
		}
		s.D = d.String()
		c.Series = append(c.Series, s)
		c.Legend = append(c.Legend, LegendItem{Class: "line-" + strconv.Itoa(k), Text: name})
	}
	if len(c.Series) == 0 {
		c.Empty = true
	}
	return c
}

// ActionChart draws the corrective actions by status.
func ActionChart(a ActionStatus) Chart {
	rows := []struct {
		name, class string
		n           int
	}{
		{"open", "ca-open", a.Open},
		{"in progress", "ca-progress", a.InProgress},
		{"overdue (of open and in progress)", "ca-overdue", a.Overdue},
		{"done, awaiting verification", "ca-done", a.Done},
		{"verified effective", "ca-verified", a.Verified},
		{"waived", "ca-waived", a.Waived},
	}
	const rowH, labelW = 24, 230
	c := Chart{
		ID: "chart-actions", Title: "Corrective actions by status", Width: chartW, Height: padT + len(rows)*rowH + 20,
		PlotX: labelW, PlotY: padT, PlotW: chartW - labelW - 56, PlotH: float64(len(rows) * rowH),
	}
	c.Desc = "Horizontal bars: corrective and preventive actions by status; overdue ones are also counted as open or in progress."
	maxV := 0
	for _, r := range rows {
		maxV = max(maxV, r.n)
	}
	if maxV == 0 {
		c.Empty = true
		return c
	}
	top, _ := niceMax(float64(maxV), true)
	for i, r := range rows {
		y := c.PlotY + float64(i*rowH)
		c.Labels = append(c.Labels, Label{X: c.PlotX - 6, Y: y + rowH/2 + 4, Text: r.name, Anchor: "end", Class: "axis"})
		w := float64(r.n) / top * c.PlotW
		c.Labels = append(c.Labels, Label{X: c.PlotX + w + 4, Y: y + rowH/2 + 4, Text: strconv.Itoa(r.n), Anchor: "start", Class: "value"})
		if r.n == 0 {
			continue
		}
		c.Bars = append(c.Bars, Bar{X: c.PlotX, Y: y + 3, W: w, H: rowH - 6, Class: "bar " + r.class, Tip: fmt.Sprintf("%s: %d", r.name, r.n)})
	}
	return c
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
