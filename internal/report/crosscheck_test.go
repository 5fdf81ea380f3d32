package report

// The trend figures checked against a second, deliberately plain
// computation: it reads the YAML files itself with yaml.v3 into maps of
// strings (not the typed model, not the record loader), follows the
// definitions as the README states them, and uses straight loops. Both run
// on a few hundred records from the benchmark generator and on a few hundred
// drawn here at random with the awkward cases (partial dates, several
// currencies, factor spellings, late notifications, shared assets).

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

// plainYAML turns a YAML node into maps, lists and the scalars' text.
func plainYAML(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return plainYAML(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plainYAML(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		var l []any
		for _, c := range n.Content {
			l = append(l, plainYAML(c))
		}
		return l
	}
	if n.ShortTag() == "!!null" {
		return nil
	}
	return n.Value
}

func readMaps(t *testing.T, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "records", "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no records in %s: %v", dir, err)
	}
	var out []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, plainYAML(&n).(map[string]any))
	}
	return out
}

// get walks a dotted path through maps; "" when absent.
func get(m map[string]any, path string) string {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

func list(m map[string]any, path string) []any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	l, _ := v.([]any)
	return l
}

// full parses a full RFC 3339 timestamp; dates and partial dates are not.
func full(s string) (time.Time, bool) {
	if !strings.Contains(s, "T") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

type plainStat struct {
	n, partial   int
	mean, median float64
}

func plainStats(ds []float64, partial int) plainStat {
	s := plainStat{n: len(ds), partial: partial}
	if len(ds) == 0 {
		return s
	}
	sorted := append([]float64(nil), ds...)
	sort.Float64s(sorted)
	total := 0.0
	for _, d := range sorted {
		total += d
	}
	s.mean = total / float64(len(sorted))
	if len(sorted)%2 == 1 {
		s.median = sorted[len(sorted)/2]
	} else {
		s.median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	return s
}

// plainFigures is the second computation.
type plainFigures struct {
	records, incidents         int
	byKind                     map[string]int
	incByCategory, incBySev    map[string]int
	assessed, assessedIncident int
	times                      map[string]plainStat // metric, or metric/severity
	cost                       map[string]float64   // currency, or currency/category
	costRecords                map[string]int
	ca                         map[string]int
	late, notifications        int
	lateByClock                int // late without a late_reason
	factors                    map[string]int
	byMonth, incByMonth        map[string]int
	repeats                    int
}

func isIncidentMap(m map[string]any) bool {
	kind, status := get(m, "kind"), get(m, "status")
	if kind == "drill" || status == "rejected" {
		return false
	}
	if _, ok := m["assessment"].(map[string]any); ok {
		return get(m, "assessment.is_incident") == "true"
	}
	return kind == "incident"
}

func computePlain(all []map[string]any, from, to, now time.Time) plainFigures {
	f := plainFigures{
		byKind: map[string]int{}, incByCategory: map[string]int{}, incBySev: map[string]int{},
		times: map[string]plainStat{}, cost: map[string]float64{}, costRecords: map[string]int{}, ca: map[string]int{},
		factors: map[string]int{}, byMonth: map[string]int{}, incByMonth: map[string]int{},
	}
	durs := map[string][]float64{}
	parts := map[string]int{}
	today := now.UTC().Truncate(24 * time.Hour)
	var in []map[string]any
	for _, m := range all {
		at, _ := full(get(m, "reported.at"))
		if at.Before(from) || !at.Before(to) {
			continue
		}
		in = append(in, m)
	}
	for _, m := range in {
		f.records++
		kind := get(m, "kind")
		f.byKind[kind]++
		at, _ := full(get(m, "reported.at"))
		month := at.UTC().Format("2006-01")
		f.byMonth[month]++
		sev := get(m, "assessment.severity")
		if sev == "" {
			sev = "unassessed"
		}
		cat := get(m, "assessment.category")
		if cat == "" {
			cat = "uncategorised"
		}
		inc := isIncidentMap(m)
		if inc {
			f.incidents++
			f.incByCategory[cat]++
			f.incBySev[sev]++
			f.incByMonth[month]++
		}
		_, assessed := m["assessment"].(map[string]any)
		if (kind == "event" || kind == "weakness") && assessed {
			f.assessed++
			if get(m, "assessment.is_incident") == "true" {
				f.assessedIncident++
			}
		}
		measure := func(name, a, b string) {
			if a == "" || b == "" {
				return
			}
			ta, ok1 := full(a)
			tb, ok2 := full(b)
			if !ok1 || !ok2 {
				parts[name]++
				parts[name+"/"+sev]++
				if durs[name+"/"+sev] == nil {
					durs[name+"/"+sev] = []float64{} // the severity appears, with N = 0
				}
				return
			}
			d := tb.Sub(ta).Seconds()
			if d < 0 {
				return
			}
			durs[name] = append(durs[name], d)
			durs[name+"/"+sev] = append(durs[name+"/"+sev], d)
		}
		if inc {
			measure("detect", get(m, "occurred_at"), get(m, "detected_at"))
			measure("contain", get(m, "detected_at"), get(m, "contained_at"))
			if get(m, "status") == "closed" {
				measure("resolve", get(m, "detected_at"), get(m, "closed.at"))
			}
		}
		if kind != "drill" && assessed {
			measure("assess", get(m, "reported.at"), get(m, "assessment.at"))
		}
		if cur := get(m, "cost.currency"); cur != "" {
			amount, _ := strconv.ParseFloat(get(m, "cost.amount"), 64)
			f.cost[cur] += amount
			f.cost[cur+"/"+cat] += amount
			f.costRecords[cur]++
			f.costRecords[cur+"/"+cat]++
		}
		seen := map[string]bool{}
		for _, x := range list(m, "root_cause.factors") {
			s, _ := x.(string)
			k := strings.TrimSuffix(strings.ToLower(strings.Join(strings.Fields(s), " ")), ".")
			if k != "" && !seen[k] {
				seen[k] = true
				f.factors[k]++
			}
		}
		for _, x := range list(m, "corrective_actions") {
			ca, _ := x.(map[string]any)
			st := get(ca, "status")
			f.ca["total"]++
			f.ca[st]++
			if due, err := time.Parse("2006-01-02", get(ca, "due")); err == nil && (st == "open" || st == "in-progress") && !due.AddDate(0, 0, 1).After(today) {
				f.ca["overdue"]++
			}
		}
		// Late: a late_reason, or a GDPR Art. 33 notice to the supervisory
		// authority more than 72 hours after awareness (the only regime the
		// generated logs declare with a clock the notices can miss).
		aware := map[string]time.Time{}
		for _, x := range list(m, "regimes") {
			g, _ := x.(map[string]any)
			if t, ok := full(get(g, "aware_at")); ok && get(g, "not_applicable_reason") == "" {
				aware[get(g, "id")] = t
			}
		}
		for _, x := range list(m, "notifications") {
			n, _ := x.(map[string]any)
			f.notifications++
			at, _ := full(get(n, "at"))
			a, declared := aware[get(n, "regime")]
			switch {
			case get(n, "late_reason") != "":
				f.late++
			case declared && get(n, "regime") == "gdpr-33" && get(n, "party") == "supervisory-authority" && at.Sub(a) > 72*time.Hour:
				f.late++
				f.lateByClock++
			}
		}
	}
	for k, d := range durs {
		f.times[k] = plainStats(d, parts[k])
	}
	for k, p := range parts {
		if _, ok := f.times[k]; !ok {
			f.times[k] = plainStat{partial: p}
		}
	}
	// Repeats: every pair, the straightforward way.
	assets := func(m map[string]any) map[string]bool {
		out := map[string]bool{}
		for _, p := range []string{"affected.assets", "affected.systems"} {
			for _, x := range list(m, p) {
				s, _ := x.(string)
				if k := strings.ToLower(strings.Join(strings.Fields(s), " ")); k != "" {
					out[k] = true
				}
			}
		}
		return out
	}
	for _, m := range in {
		cat := get(m, "assessment.category")
		if !isIncidentMap(m) || cat == "" {
			continue
		}
		at, _ := full(get(m, "reported.at"))
		mine := assets(m)
		for _, o := range all {
			if !isIncidentMap(o) || get(o, "assessment.category") != cat {
				continue
			}
			oat, _ := full(get(o, "reported.at"))
			earlier := oat.Before(at) || (oat.Equal(at) && get(o, "id") < get(m, "id"))
			if !earlier || at.Sub(oat) > DefaultRepeatWindow {
				continue
			}
			shared := false
			for a := range assets(o) {
				if mine[a] {
					shared = true
				}
			}
			if shared {
				f.repeats++
				break
			}
		}
	}
	return f
}

// typedLoad reads the records with the authoritative loader, and checks
// the fast loader reads them the same.
func typedLoad(t *testing.T, dir string) ([]*record.Record, *config.Config) {
	t.Helper()
	recs, cfg := loadDir(t, dir)
	files, err := lint.Collect([]string{filepath.Join(dir, "records")})
	if err != nil {
		t.Fatal(err)
	}
	res, stats := quickload.Files(files, quickload.Options{}, nil)
	byID := map[string]*record.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("quickload %s: %v", r.Path, r.Err)
		}
		if !reflect.DeepEqual(r.Record, byID[r.Record.ID]) {
			t.Errorf("quickload reads %s differently from record.LoadFiles", r.Record.ID)
		}
	}
	t.Logf("%s: %d records, quickload %+v", dir, len(recs), stats)
	return recs, cfg
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func compareFigures(t *testing.T, name string, rep *TrendReport, p plainFigures) {
	t.Helper()
	errf := func(format string, args ...any) { t.Errorf(name+": "+format, args...) }
	if rep.Records != p.records || rep.Incidents != p.incidents {
		errf("records/incidents %d/%d, plain %d/%d", rep.Records, rep.Incidents, p.records, p.incidents)
	}
	for _, k := range rep.Kinds {
		if k.Records != p.byKind[k.Kind] {
			errf("kind %s: %d, plain %d", k.Kind, k.Records, p.byKind[k.Kind])
		}
	}
	sumCat := 0
	for _, c := range rep.Categories {
		sumCat += c.Incidents
		if c.Incidents != p.incByCategory[c.Category] {
			errf("category %s: %d incidents, plain %d", c.Category, c.Incidents, p.incByCategory[c.Category])
		}
	}
	if sumCat != p.incidents {
		errf("categories sum to %d incidents, plain %d", sumCat, p.incidents)
	}
	for _, s := range rep.Severities {
		if s.Incidents != p.incBySev[s.Severity] {
			errf("severity %s: %d incidents, plain %d", s.Severity, s.Incidents, p.incBySev[s.Severity])
		}
	}
	if rep.EventRatio.Assessed != p.assessed || rep.EventRatio.Incidents != p.assessedIncident {
		errf("ratio %d/%d, plain %d/%d", rep.EventRatio.Incidents, rep.EventRatio.Assessed, p.assessedIncident, p.assessed)
	}
	if p.assessed > 0 && (rep.EventRatio.Value == nil || !near(*rep.EventRatio.Value, float64(p.assessedIncident)/float64(p.assessed))) {
		errf("ratio value %v", rep.EventRatio.Value)
	}
	checkStat := func(key string, s Stat) {
		want := p.times[key]
		if s.N != want.n || s.Partial != want.partial {
			errf("%s: N %d partial %d, plain N %d partial %d", key, s.N, s.Partial, want.n, want.partial)
			return
		}
		if want.n == 0 {
			if s.MeanSeconds != nil || s.MedianSeconds != nil {
				errf("%s: mean/median without data", key)
			}
			return
		}
		if s.MedianSeconds == nil || !near(*s.MedianSeconds, want.median) || s.MeanSeconds == nil || math.Abs(*s.MeanSeconds-want.mean) > 0.001 {
			errf("%s: mean %v median %v, plain %v %v", key, deref(s.MeanSeconds), deref(s.MedianSeconds), want.mean, want.median)
		}
	}
	used := 0
	for _, m := range rep.Times {
		checkStat(m.Name, m.Overall)
		used += m.Overall.N
		for _, s := range m.BySeverity {
			checkStat(m.Name+"/"+s.Severity, s.Stat)
		}
	}
	if used == 0 {
		errf("no time measured at all")
	}
	for _, c := range rep.Costs {
		if !near(c.Total, p.cost[c.Currency]) || c.Records != p.costRecords[c.Currency] {
			errf("cost %s: %v (%d records), plain %v (%d)", c.Currency, c.Total, c.Records, p.cost[c.Currency], p.costRecords[c.Currency])
		}
		for _, cc := range c.ByCategory {
			k := c.Currency + "/" + cc.Category
			if !near(cc.Amount, p.cost[k]) || cc.Records != p.costRecords[k] {
				errf("cost %s: %v, plain %v", k, cc.Amount, p.cost[k])
			}
		}
	}
	currencies := 0
	for k := range p.costRecords {
		if !strings.Contains(k, "/") {
			currencies++
		}
	}
	if len(rep.Costs) != currencies {
		errf("%d currencies, plain %d", len(rep.Costs), currencies)
	}
	a := rep.CorrectiveActions
	for k, v := range map[string]int{
		"total": a.Total, "open": a.Open, "in-progress": a.InProgress, "done": a.Done,
		"verified": a.Verified, "waived": a.Waived, "overdue": a.Overdue,
	} {
		if v != p.ca[k] {
			errf("corrective actions %s: %d, plain %d", k, v, p.ca[k])
		}
	}
	if rep.Notifications.Total != p.notifications || rep.Notifications.Late != p.late || rep.Notifications.OnTime != p.notifications-p.late {
		errf("notifications %+v, plain %d late of %d", rep.Notifications, p.late, p.notifications)
	}
	type fc struct {
		k string
		n int
	}
	var fs []fc
	for k, n := range p.factors {
		fs = append(fs, fc{k, n})
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].n != fs[j].n {
			return fs[i].n > fs[j].n
		}
		return fs[i].k < fs[j].k
	})
	if len(fs) > TopFactors {
		fs = fs[:TopFactors]
	}
	if len(fs) != len(rep.RootCauses) {
		errf("%d factors, plain %d", len(rep.RootCauses), len(fs))
	} else {
		for i, f := range rep.RootCauses {
			if normFactor(f.Factor) != fs[i].k || f.Records != fs[i].n {
				errf("factor %d: %q %d, plain %q %d", i, f.Factor, f.Records, fs[i].k, fs[i].n)
			}
		}
	}
	if rep.Period == Month {
		for _, pr := range rep.Periods {
			if pr.Records != p.byMonth[pr.Label] || pr.Incidents != p.incByMonth[pr.Label] {
				errf("month %s: %d records %d incidents, plain %d %d", pr.Label, pr.Records, pr.Incidents, p.byMonth[pr.Label], p.incByMonth[pr.Label])
			}
		}
	}
	if rep.Repeats.Count != p.repeats {
		errf("repeats %d, plain %d", rep.Repeats.Count, p.repeats)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// writeRandomLog writes n records drawn at random, with the cases the
// generator of package gen keeps clean: several currencies, partial dates,
// factor spellings, late notifications, out-of-lifecycle states.
func writeRandomLog(t *testing.T, dir string, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 99))
	if err := os.WriteFile(filepath.Join(dir, "casefile.yaml"), []byte("schema_version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	fuzzy := func(t time.Time) string {
		switch r.IntN(8) {
		case 0:
			return t.Format("2006")
		case 1:
			return t.Format("2006-01")
		case 2:
			return t.Format("2006-01-02")
		}
		return ts(t)
	}
	cats := []string{"malicious-code/infected-system", "fraud/phishing", "intrusions/burglary", "availability/ddos", "vulnerable/vulnerable-system"}
	systems := []string{"mail", "Mail", "tms", "HAM-FS01", "vpn gateway", "VPN  Gateway", "crm"}
	factors := []string{"No MFA", "no mfa.", "NO  MFA", "Unpatched VPN", "unpatched vpn", "Weak password", "Missing backup", "missing backup.", "Phishing", "Lack of training", "Misconfiguration", "Shadow IT", "Vendor error", "Human error", "Legacy protocol"}
	for i := 0; i < n; i++ {
		kind := pick("event", "event", "weakness", "incident", "incident", "drill")
		rep := start.Add(time.Duration(r.IntN(3*365*24*60)) * time.Minute)
		id := fmt.Sprintf("%s-%d-%04d", map[string]string{"event": "EVT", "weakness": "WKN", "incident": "INC", "drill": "DRL"}[kind], rep.Year(), i+1)
		m := map[string]any{
			"schema_version": 1, "id": id, "kind": kind, "title": "Record " + id,
			"reported": map[string]any{"at": ts(rep), "by": "a@example.com"},
		}
		status := pick("reported", "assessed", "responding", "contained", "closed", "resolved", "rejected")
		if kind == "drill" {
			status = pick("planned", "held", "closed")
		}
		m["status"] = status
		detected := rep.Add(-time.Duration(r.IntN(72*60)) * time.Minute)
		if r.IntN(5) > 0 {
			m["detected_at"] = fuzzy(detected)
		}
		if r.IntN(4) > 0 {
			m["occurred_at"] = fuzzy(detected.Add(-time.Duration(r.IntN(30*24*60)) * time.Minute))
		}
		if kind != "drill" && r.IntN(5) > 0 {
			a := map[string]any{
				"at": ts(rep.Add(time.Duration(r.IntN(48*60)) * time.Minute)), "by": "lead@example.com",
				"is_incident": kind == "incident" || r.IntN(4) == 0,
			}
			if r.IntN(6) > 0 {
				a["category"] = pick(cats...)
			}
			if r.IntN(6) > 0 {
				a["severity"] = pick("SEV1", "SEV2", "SEV3", "SEV4")
			}
			m["assessment"] = a
		}
		if r.IntN(2) == 0 {
			m["contained_at"] = ts(detected.Add(time.Duration(r.IntN(96*60)) * time.Minute))
		}
		if status == "closed" || status == "resolved" || status == "rejected" {
			m["closed"] = map[string]any{"at": ts(rep.Add(time.Duration(1+r.IntN(200*24)) * time.Hour)), "by": "x@example.com"}
		}
		af := map[string]any{}
		if r.IntN(3) > 0 {
			af["systems"] = []string{pick(systems...)}
		}
		if r.IntN(3) == 0 {
			af["assets"] = []string{pick(systems...), pick(systems...)}
		}
		if len(af) > 0 {
			m["affected"] = af
		}
		if r.IntN(5) < 2 {
			amount := float64(r.IntN(5000000)) / 100
			m["cost"] = map[string]any{"amount": amount, "currency": pick("EUR", "EUR", "USD", "GBP")}
		}
		if r.IntN(3) == 0 {
			var fs []string
			for range 1 + r.IntN(3) {
				fs = append(fs, pick(factors...))
			}
			m["root_cause"] = map[string]any{"factors": fs}
		}
		var cas []map[string]any
		for j := range r.IntN(4) {
			cas = append(cas, map[string]any{
				"id": fmt.Sprintf("CA-%d", j+1), "text": "t", "owner": "o@example.com",
				"due":    rep.AddDate(0, 0, r.IntN(400)).Format("2006-01-02"),
				"status": pick("open", "in-progress", "done", "verified", "waived"),
			})
		}
		if cas != nil {
			m["corrective_actions"] = cas
		}
		var ns []map[string]any
		for range r.IntN(3) {
			n := map[string]any{"party": pick("management", "customers", "supervisory-authority"), "at": ts(rep.Add(time.Hour))}
			if r.IntN(3) == 0 {
				n["late_reason"] = "waited for facts"
			}
			ns = append(ns, n)
		}
		// A GDPR Art. 33 notice, on either side of its 72-hour clock and
		// without a late_reason: only the notification clocks know whether
		// it was late.
		if r.IntN(4) == 0 {
			aware := rep.Add(time.Duration(r.IntN(48)) * time.Hour)
			m["regimes"] = []map[string]any{{"id": "gdpr-33", "aware_at": ts(aware)}}
			ns = append(ns, map[string]any{
				"party": "supervisory-authority", "regime": "gdpr-33", "phase": "initial",
				"at": ts(aware.Add(time.Duration(60+r.IntN(24)) * time.Hour)),
			})
		}
		if ns != nil {
			m["notifications"] = ns
		}
		data, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "records", strconv.Itoa(rep.Year()), id+".yaml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTrendsCrossCheck compares the trend figures with the plain
// computation on generated logs, over the whole log and over a range.
func TestTrendsCrossCheck(t *testing.T) {
	genDir := t.TempDir()
	if err := gen.Generate(genDir, gen.Options{Records: 400, Seed: 2026}); err != nil {
		t.Fatal(err)
	}
	randDir := t.TempDir()
	writeRandomLog(t, randDir, 400, 7)
	for _, dir := range []string{genDir, randDir} {
		recs, cfg := typedLoad(t, dir)
		maps := readMaps(t, dir)
		for _, rng := range []Range{{}, {From: day(2025, 1, 1), To: day(2026, 1, 1)}, {From: day(2024, 7, 1), To: day(2026, 7, 1)}} {
			rep := Trends(recs, cfg, TrendOptions{Range: rng, Now: gen.DefaultNow})
			from, to := rng.From, rng.To
			if to.IsZero() {
				to = gen.DefaultNow
			}
			p := computePlain(maps, from, to, gen.DefaultNow)
			name := fmt.Sprintf("%s %s–%s", filepath.Base(dir), from.Format("2006-01"), to.Format("2006-01"))
			compareFigures(t, name, rep, p)
			t.Logf("%s: %d records, %d incidents, %d repeats, %d currencies, detect partial %d, %d factors, %d late, ca %v", name, p.records, p.incidents, p.repeats, len(rep.Costs), p.times["detect"].partial, len(p.factors), p.late, p.ca)
			if dir == randDir && rng.From.IsZero() && p.lateByClock == 0 {
				t.Errorf("%s: no notification is late by its clock alone; the check of the regime clocks tests nothing", name)
			}
			if rng.From.IsZero() {
				continue
			}
			// The comparison uses the range before, with the same figures.
			prev := previousRange(rng)
			pp := computePlain(maps, prev.From, prev.To, gen.DefaultNow)
			if rep.Previous == nil || *rep.Previous.Changes[0].Previous != float64(pp.records) || *rep.Previous.Changes[1].Previous != float64(pp.incidents) {
				t.Errorf("%s: previous period %+v, plain %d records %d incidents", name, rep.Previous, pp.records, pp.incidents)
			}
		}
		// The same records through the fast loader give the same report.
		files, _ := lint.Collect([]string{filepath.Join(dir, "records")})
		res, _ := quickload.Files(files, quickload.Options{}, nil)
		var fast []*record.Record
		for _, r := range res {
			fast = append(fast, r.Record)
		}
		a, _ := json.Marshal(Trends(recs, cfg, TrendOptions{Now: gen.DefaultNow}))
		b, _ := json.Marshal(Trends(fast, cfg, TrendOptions{Now: gen.DefaultNow}))
		if string(a) != string(b) {
			t.Errorf("%s: trends differ between the loaders", dir)
		}
	}
}
