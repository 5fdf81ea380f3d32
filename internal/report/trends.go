package report

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// DefaultRepeatWindow is how close two incidents of the same category on
// the same asset must be for the later to count as a repeat.
const DefaultRepeatWindow = 90 * 24 * time.Hour

// TopFactors is how many root-cause factors a trend report lists.
const TopFactors = 10

// TrendOptions configure a trend report.
type TrendOptions struct {
	// Range bounds reported.at. A zero From starts at the period of the
	// first record; a zero To is Now. Only with an explicit From is the
	// range compared with the one before it.
	Range Range
	// Period is the granularity of the per-period figures: month (the
	// default), quarter or year.
	Period string
	// RepeatWindow is the repeat-incident window; 0 means 90 days.
	RepeatWindow time.Duration
	// Late decides whether a notification was late; nil is RegimeLate.
	Late LateFunc
	// LateRule says in words how Late decides, for the report.
	LateRule string
	Now      time.Time
	Stamp    Stamp
}

// TrendReport is the periodic analysis of types, volumes, times and costs
// of incidents.
type TrendReport struct {
	Meta
	Period string `json:"period"`
	Figures
	Periods  []PeriodRow `json:"periods"`
	Previous *Comparison `json:"previous"`
}

// Figures are the measures of one range.
type Figures struct {
	Records           int                `json:"records"`
	Incidents         int                `json:"incidents"`
	OpenIncidents     int                `json:"open_incidents"`
	Kinds             []KindCount        `json:"kinds"`
	Categories        []CategoryCount    `json:"categories"`
	Severities        []SeverityCount    `json:"severities"`
	EventRatio        Ratio              `json:"event_incident_ratio"`
	Times             []TimeMetric       `json:"times"`
	Costs             []CurrencyCost     `json:"costs"`
	RootCauses        []FactorCount      `json:"root_causes"`
	Repeats           Repeats            `json:"repeat_incidents"`
	CorrectiveActions ActionStatus       `json:"corrective_actions"`
	Notifications     NotificationStatus `json:"notifications"`
}

// KindCount counts the records of one kind.
type KindCount struct {
	Kind    string `json:"kind"`
	Records int    `json:"records"`
	// Escalated counts events and weaknesses assessed as incidents.
	Escalated int `json:"escalated"`
	Rejected  int `json:"rejected"`
}

// CategoryCount counts records and incidents of one category.
type CategoryCount struct {
	Category  string `json:"category"`
	Incidents int    `json:"incidents"`
	Records   int    `json:"records"`
}

// SeverityCount counts records and incidents of one severity level.
type SeverityCount struct {
	Severity  string `json:"severity"`
	Name      string `json:"name,omitempty"`
	Incidents int    `json:"incidents"`
	Records   int    `json:"records"`
}

// Ratio is the share of assessed events and weaknesses that were
// incidents.
type Ratio struct {
	Assessed  int      `json:"assessed"`
	Incidents int      `json:"incidents"`
	Value     *float64 `json:"value"`
}

// TimeMetric is one of the response times, overall and per severity.
type TimeMetric struct {
	Name       string         `json:"name"`
	Label      string         `json:"label"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Population string         `json:"population"`
	Overall    Stat           `json:"overall"`
	BySeverity []SeverityStat `json:"by_severity"`
}

// SeverityStat is a Stat of one severity level.
type SeverityStat struct {
	Severity string `json:"severity"`
	Stat
}

// CurrencyCost sums the costs in one currency.
type CurrencyCost struct {
	Currency   string         `json:"currency"`
	Total      float64        `json:"total"`
	Records    int            `json:"records"`
	ByCategory []CategoryCost `json:"by_category"`
}

// CategoryCost is the cost of one category in one currency.
type CategoryCost struct {
	Category string  `json:"category"`
	Amount   float64 `json:"amount"`
	Records  int     `json:"records"`
}

// FactorCount is a root-cause factor and the number of records naming it.
type FactorCount struct {
	Factor  string `json:"factor"`
	Records int    `json:"records"`
}

// Repeats lists incidents that repeat an earlier one: same category and a
// shared affected asset or system within the window.
type Repeats struct {
	WindowDays int      `json:"window_days"`
	Count      int      `json:"count"`
	Items      []Repeat `json:"items"`
}

// Repeat is one repeat incident.
type Repeat struct {
	ID       string `json:"id"`
	RepeatOf string `json:"repeat_of"`
	Category string `json:"category"`
	Shared   string `json:"shared"`
	Days     int    `json:"days_apart"`
}

// ActionStatus counts corrective actions by status. Overdue counts the open
// and in-progress ones past their due date (lint's corrective-action-overdue
// rule).
type ActionStatus struct {
	Total      int `json:"total"`
	Open       int `json:"open"`
	InProgress int `json:"in_progress"`
	Done       int `json:"done"`
	Verified   int `json:"verified"`
	Waived     int `json:"waived"`
	Overdue    int `json:"overdue"`
}

// NotificationStatus counts notifications made on time and late.
type NotificationStatus struct {
	Total  int `json:"total"`
	OnTime int `json:"on_time"`
	Late   int `json:"late"`
	// Rule says how lateness was decided.
	Rule string `json:"rule"`
}

// PeriodRow holds the figures of one period.
type PeriodRow struct {
	Label               string         `json:"label"`
	From                time.Time      `json:"from"`
	To                  time.Time      `json:"to"`
	Records             int            `json:"records"`
	ByKind              map[string]int `json:"by_kind"`
	Incidents           int            `json:"incidents"`
	IncidentsBySeverity map[string]int `json:"incidents_by_severity"`
	Contain             Stat           `json:"time_to_contain"`
	Resolve             Stat           `json:"time_to_resolve"`
}

// Comparison sets the figures of the range against the range of the same
// length before it.
type Comparison struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Changes []Change  `json:"changes"`
}

// Change is one measure now and before.
type Change struct {
	Measure  string   `json:"measure"`
	Unit     string   `json:"unit"`
	Current  *float64 `json:"current"`
	Previous *float64 `json:"previous"`
	Delta    *float64 `json:"change"`
	Percent  *float64 `json:"change_percent"`
}

// metric definitions, in report order.
var timeMetrics = []struct {
	name, label, from, to, population string
}{
	{"detect", "time to detect", "occurred_at", "detected_at", "incidents"},
	{"assess", "time to assess", "reported.at", "assessment.at", "assessed reports (events, weaknesses, incidents)"},
	{"contain", "time to contain", "detected_at", "contained_at", "incidents"},
	{"resolve", "time to resolve", "detected_at", "closed.at", "closed incidents"},
}

// metricTimes returns the two ends of a time metric for a record, and
// whether the record belongs to its population.
func metricTimes(name string, r *record.Record) (from, to record.Time, ok bool) {
	switch name {
	case "detect":
		return r.OccurredAt, r.DetectedAt, IsIncident(r)
	case "assess":
		if r.Kind == record.KindDrill || r.Assessment == nil {
			return record.Time{}, record.Time{}, false
		}
		return r.Reported.At, r.Assessment.At, true
	case "contain":
		return r.DetectedAt, r.ContainedAt, IsIncident(r)
	case "resolve":
		if !IsIncident(r) || r.Status != record.StatusClosed || r.Closed == nil {
			return record.Time{}, record.Time{}, false
		}
		return r.DetectedAt, r.Closed.At, true
	}
	return record.Time{}, record.Time{}, false
}

// Trends builds the trend report.
func Trends(recs []*record.Record, cfg *config.Config, opts TrendOptions) *TrendReport {
	all := sortedRecords(recs)
	g := opts.Period
	if g == "" {
		g = Month
	}
	rng := opts.Range
	explicit := !rng.From.IsZero()
	if rng.To.IsZero() {
		rng.To = opts.Now
	}
	if rng.From.IsZero() {
		first := rng.To
		for _, r := range all {
			if r.Reported.At.IsSet() && r.Reported.At.T.Before(first) {
				first = r.Reported.At.T
				break // all is sorted by report time
			}
		}
		rng.From = periodStart(first, g)
		if !rng.From.Before(rng.To) {
			rng.From = rng.To
		}
	}
	in := inRange(all, rng)
	rep := &TrendReport{
		Meta:    newMeta("trends", "Incident trends", cfg, opts.Now, opts.Stamp, rng),
		Period:  g,
		Figures: figures(in, all, cfg, opts),
		Periods: periods(in, rng, g, cfg),
	}
	if explicit && rng.From.Before(rng.To) {
		prng := previousRange(rng)
		prev := figures(inRange(all, prng), all, cfg, opts)
		rep.Previous = compare(&rep.Figures, &prev, prng, cfg)
	}
	return rep
}

func inRange(all []*record.Record, rng Range) []*record.Record {
	var out []*record.Record
	for _, r := range all {
		if r.Reported.At.IsSet() && rng.Contains(r.Reported.At.T) {
			out = append(out, r)
		}
	}
	return out
}

// figures computes every measure over the records in, reported in the
// range; all is the whole log, where repeat incidents find the incidents
// they repeat.
func figures(in, all []*record.Record, cfg *config.Config, opts TrendOptions) Figures {
	f := Figures{Records: len(in)}
	late := opts.Late
	if late == nil {
		late = RegimeLate(cfg, opts.Now)
	}

	kinds := map[string]*KindCount{}
	for _, k := range record.Kinds {
		kinds[k] = &KindCount{Kind: k}
	}
	cats := map[string]*CategoryCount{}
	sevs := map[string]*SeverityCount{}
	seenSev := map[string]bool{}
	times := make([]durations, len(timeMetrics))
	timesBySev := make([]map[string]*durations, len(timeMetrics))
	for i := range timesBySev {
		timesBySev[i] = map[string]*durations{}
	}
	costs := map[string]*CurrencyCost{}
	costCats := map[string]map[string]*CategoryCost{}
	type factor struct {
		label string
		n     int
	}
	factors := map[string]*factor{}
	today := opts.Now.UTC().Truncate(24 * time.Hour)

	for _, r := range in {
		kc, ok := kinds[r.Kind]
		if !ok {
			kc = &KindCount{Kind: r.Kind}
			kinds[r.Kind] = kc
		}
		kc.Records++
		if Escalated(r) {
			kc.Escalated++
		}
		if r.Status == record.StatusRejected {
			kc.Rejected++
		}
		inc := IsIncident(r)
		if inc {
			f.Incidents++
			if r.Open() {
				f.OpenIncidents++
			}
		}
		if r.Kind != record.KindDrill {
			c := categoryOf(r)
			if cats[c] == nil {
				cats[c] = &CategoryCount{Category: c}
			}
			cats[c].Records++
			s := severityOf(r)
			seenSev[s] = true
			if sevs[s] == nil {
				sevs[s] = &SeverityCount{Severity: s, Name: severityName(cfg, s)}
			}
			sevs[s].Records++
			if inc {
				cats[c].Incidents++
				sevs[s].Incidents++
			}
		}
		if (r.Kind == record.KindEvent || r.Kind == record.KindWeakness) && r.Assessment != nil {
			f.EventRatio.Assessed++
			if r.Assessment.IsIncident {
				f.EventRatio.Incidents++
			}
		}
		for i, m := range timeMetrics {
			from, to, ok := metricTimes(m.name, r)
			if !ok {
				continue
			}
			times[i].add(from, to)
			s := severityOf(r)
			if timesBySev[i][s] == nil {
				timesBySev[i][s] = &durations{}
			}
			timesBySev[i][s].add(from, to)
		}
		if r.Cost != nil && r.Cost.Currency != "" {
			cur := r.Cost.Currency
			if costs[cur] == nil {
				costs[cur] = &CurrencyCost{Currency: cur}
				costCats[cur] = map[string]*CategoryCost{}
			}
			costs[cur].Total += r.Cost.Amount
			costs[cur].Records++
			c := categoryOf(r)
			if costCats[cur][c] == nil {
				costCats[cur][c] = &CategoryCost{Category: c}
			}
			costCats[cur][c].Amount += r.Cost.Amount
			costCats[cur][c].Records++
		}
		if r.RootCause != nil {
			named := map[string]bool{}
			for _, fa := range r.RootCause.Factors {
				key := normFactor(fa)
				if key == "" || named[key] {
					continue
				}
				named[key] = true
				if factors[key] == nil {
					factors[key] = &factor{label: strings.Join(strings.Fields(fa), " ")}
				}
				factors[key].n++
			}
		}
		for _, ca := range r.CorrectiveActions {
			f.CorrectiveActions.Total++
			switch ca.Status {
			case record.CAOpen:
				f.CorrectiveActions.Open++
			case record.CAInProgress:
				f.CorrectiveActions.InProgress++
			case record.CADone:
				f.CorrectiveActions.Done++
			case record.CAVerified:
				f.CorrectiveActions.Verified++
			case record.CAWaived:
				f.CorrectiveActions.Waived++
			}
			if overdue(ca, today) {
				f.CorrectiveActions.Overdue++
			}
		}
		for i := range r.Notifications {
			f.Notifications.Total++
			if late(r, &r.Notifications[i]) {
				f.Notifications.Late++
			} else {
				f.Notifications.OnTime++
			}
		}
	}
	switch {
	case opts.Late == nil:
		f.Notifications.Rule = LateRuleText
	case opts.LateRule != "":
		f.Notifications.Rule = opts.LateRule
	default:
		f.Notifications.Rule = "late as the configured rule decides"
	}

	for _, k := range record.Kinds {
		f.Kinds = append(f.Kinds, *kinds[k])
		delete(kinds, k)
	}
	var other []string
	for k := range kinds {
		other = append(other, k)
	}
	sort.Strings(other)
	for _, k := range other {
		f.Kinds = append(f.Kinds, *kinds[k])
	}

	f.Categories = []CategoryCount{}
	for _, c := range cats {
		f.Categories = append(f.Categories, *c)
	}
	sort.Slice(f.Categories, func(i, j int) bool {
		a, b := f.Categories[i], f.Categories[j]
		if a.Incidents != b.Incidents {
			return a.Incidents > b.Incidents
		}
		if a.Records != b.Records {
			return a.Records > b.Records
		}
		return a.Category < b.Category
	})

	order := severityOrder(cfg, seenSev)
	f.Severities = []SeverityCount{}
	for _, s := range order {
		if sc := sevs[s]; sc != nil {
			f.Severities = append(f.Severities, *sc)
		} else if s != Unassessed {
			f.Severities = append(f.Severities, SeverityCount{Severity: s, Name: severityName(cfg, s)})
		}
	}

	if f.EventRatio.Assessed > 0 {
		v := float64(f.EventRatio.Incidents) / float64(f.EventRatio.Assessed)
		f.EventRatio.Value = &v
	}

	for i, m := range timeMetrics {
		tm := TimeMetric{
			Name: m.name, Label: m.label, From: m.from, To: m.to, Population: m.population,
			Overall: times[i].stat(), BySeverity: []SeverityStat{},
		}
		for _, s := range order {
			if d := timesBySev[i][s]; d != nil {
				tm.BySeverity = append(tm.BySeverity, SeverityStat{Severity: s, Stat: d.stat()})
			}
		}
		f.Times = append(f.Times, tm)
	}

	f.Costs = []CurrencyCost{}
	for cur, c := range costs {
		for _, cc := range costCats[cur] {
			c.ByCategory = append(c.ByCategory, *cc)
		}
		sort.Slice(c.ByCategory, func(i, j int) bool {
			a, b := c.ByCategory[i], c.ByCategory[j]
			if a.Amount != b.Amount {
				return a.Amount > b.Amount
			}
			return a.Category < b.Category
		})
		f.Costs = append(f.Costs, *c)
	}
	sort.Slice(f.Costs, func(i, j int) bool { return f.Costs[i].Currency < f.Costs[j].Currency })

	f.RootCauses = []FactorCount{}
	for _, fa := range factors {
		f.RootCauses = append(f.RootCauses, FactorCount{Factor: fa.label, Records: fa.n})
	}
	sort.Slice(f.RootCauses, func(i, j int) bool {
		a, b := f.RootCauses[i], f.RootCauses[j]
		if a.Records != b.Records {
			return a.Records > b.Records
		}
		return normFactor(a.Factor) < normFactor(b.Factor)
	})
	if len(f.RootCauses) > TopFactors {
		f.RootCauses = f.RootCauses[:TopFactors]
	}

	f.Repeats = repeats(in, all, opts.RepeatWindow)
	return f
}

// normFactor is the key root-cause factors are counted by: case and
// spacing do not matter, nor a final full stop.
func normFactor(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Join(strings.Fields(s), " ")), ".")
}

// overdue is lint's corrective-action-overdue rule: open or in progress,
// and the due date ended before today.
func overdue(ca record.CorrectiveAction, today time.Time) bool {
	return (ca.Status == record.CAOpen || ca.Status == record.CAInProgress) && ca.Due.IsSet() && ca.Due.End().Before(today)
}

// assetKeys lists a record's affected assets and systems, normalised.
func assetKeys(r *record.Record) []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]string{r.Affected.Assets, r.Affected.Systems} {
		for _, a := range list {
			k := strings.ToLower(strings.Join(strings.Fields(a), " "))
			if k != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// repeats finds the incidents in the range that repeat an earlier incident
// of the log: the same category and a shared affected asset or system,
// reported at most window after it. Each repeat names the most recent
// incident it repeats.
func repeats(in, all []*record.Record, window time.Duration) Repeats {
	if window <= 0 {
		window = DefaultRepeatWindow
	}
	res := Repeats{WindowDays: int(window / (24 * time.Hour)), Items: []Repeat{}}
	type seen struct {
		r    *record.Record
		name string // the asset as written
	}
	// The incidents of the log by category and asset, in report order.
	index := map[string][]seen{}
	for _, r := range all {
		if !IsIncident(r) || r.Category() == "" {
			continue
		}
		for _, list := range [][]string{r.Affected.Assets, r.Affected.Systems} {
			for _, a := range list {
				k := strings.ToLower(strings.Join(strings.Fields(a), " "))
				if k == "" {
					continue
				}
				key := r.Category() + "\x00" + k
				if l := index[key]; len(l) > 0 && l[len(l)-1].r == r {
					continue
				}
				index[key] = append(index[key], seen{r, a})
			}
		}
	}
	for _, r := range in {
		if !IsIncident(r) || r.Category() == "" {
			continue
		}
		t := r.Reported.At.T
		var best *seen
		for _, k := range assetKeys(r) {
			l := index[r.Category()+"\x00"+k]
			// The last incident reported before r.
			i := sort.Search(len(l), func(i int) bool {
				lt := l[i].r.Reported.At.T
				return !lt.Before(t) && (lt.After(t) || l[i].r.ID >= r.ID)
			}) - 1
			if i < 0 {
				continue
			}
			p := l[i]
			if t.Sub(p.r.Reported.At.T) > window {
				continue
			}
			if best == nil || p.r.Reported.At.T.After(best.r.Reported.At.T) ||
				(p.r.Reported.At.T.Equal(best.r.Reported.At.T) && p.r.ID > best.r.ID) {
				best = &p
			}
		}
		if best == nil {
			continue
		}
		res.Count++
		res.Items = append(res.Items, Repeat{
			ID: r.ID, RepeatOf: best.r.ID, Category: r.Category(), Shared: best.name,
			Days: int(t.Sub(best.r.Reported.At.T) / (24 * time.Hour)),
		})
	}
	return res
}

// periods computes the per-period figures, one row per period of the range
// (also the empty ones, so charts have a continuous axis).
func periods(in []*record.Record, rng Range, g string, cfg *config.Config) []PeriodRow {
	out := []PeriodRow{}
	if !rng.From.Before(rng.To) {
		return out
	}
	base := periodStart(rng.From, g)
	for s := base; s.Before(rng.To); s = periodNext(s, g) {
		row := PeriodRow{Label: PeriodLabel(s, g), From: s, To: periodNext(s, g), ByKind: map[string]int{}, IncidentsBySeverity: map[string]int{}}
		if row.From.Before(rng.From) {
			row.From = rng.From
		}
		if row.To.After(rng.To) {
			row.To = rng.To
		}
		for _, k := range record.Kinds {
			row.ByKind[k] = 0
		}
		out = append(out, row)
	}
	contain := make([]durations, len(out))
	resolve := make([]durations, len(out))
	for _, r := range in {
		i := periodIndex(base, r.Reported.At.T, g)
		if i < 0 || i >= len(out) {
			continue
		}
		row := &out[i]
		row.Records++
		row.ByKind[r.Kind]++
		if IsIncident(r) {
			row.Incidents++
			row.IncidentsBySeverity[severityOf(r)]++
			if from, to, ok := metricTimes("contain", r); ok {
				contain[i].add(from, to)
			}
			if from, to, ok := metricTimes("resolve", r); ok {
				resolve[i].add(from, to)
			}
		}
	}
	for i := range out {
		out[i].Contain = contain[i].stat()
		out[i].Resolve = resolve[i].stat()
	}
	return out
}

func num(v float64) *float64 { return &v }

func change(measure, unit string, cur, prev *float64) Change {
	c := Change{Measure: measure, Unit: unit, Current: cur, Previous: prev}
	if cur != nil && prev != nil {
		d := *cur - *prev
		c.Delta = &d
		if *prev != 0 {
			p := math.Round(d / *prev * 1000) / 10
			c.Percent = &p
		}
	}
	return c
}

func compare(cur, prev *Figures, prng Range, cfg *config.Config) *Comparison {
	cmp := &Comparison{From: prng.From, To: prng.To}
	add := func(c Change) { cmp.Changes = append(cmp.Changes, c) }
	add(change("records", "count", num(float64(cur.Records)), num(float64(prev.Records))))
	add(change("incidents", "count", num(float64(cur.Incidents)), num(float64(prev.Incidents))))
	sevCount := func(f *Figures, s string) float64 {
		for _, sc := range f.Severities {
			if sc.Severity == s {
				return float64(sc.Incidents)
			}
		}
		return 0
	}
	seen := map[string]bool{}
	for _, f := range []*Figures{cur, prev} {
		for _, sc := range f.Severities {
			seen[sc.Severity] = true
		}
	}
	for _, s := range severityOrder(cfg, seen) {
		if !seen[s] {
			continue
		}
		add(change("incidents "+s, "count", num(sevCount(cur, s)), num(sevCount(prev, s))))
	}
	add(change("event→incident ratio", "ratio", cur.EventRatio.Value, prev.EventRatio.Value))
	for _, name := range []string{"contain", "resolve"} {
		var c, p *float64
		var label string
		for i, m := range cur.Times {
			if m.Name == name {
				c, p, label = m.Overall.MedianSeconds, prev.Times[i].Overall.MedianSeconds, "median "+m.Label
			}
		}
		add(change(label, "seconds", c, p))
	}
	currencies := map[string][2]float64{}
	for i, f := range []*Figures{cur, prev} {
		for _, c := range f.Costs {
			v := currencies[c.Currency]
			v[i] = c.Total
			currencies[c.Currency] = v
		}
	}
	var curs []string
	for c := range currencies {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	for _, c := range curs {
		v := currencies[c]
		add(change("cost", c, num(v[0]), num(v[1])))
	}
	add(change("repeat incidents", "count", num(float64(cur.Repeats.Count)), num(float64(prev.Repeats.Count))))
	add(change("late notifications", "count", num(float64(cur.Notifications.Late)), num(float64(prev.Notifications.Late))))
	return cmp
}
