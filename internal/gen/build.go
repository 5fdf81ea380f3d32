package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

const day = 24 * time.Hour

// builder draws and writes one record at a time; each worker has its own.
type builder struct {
	g   *generator
	src rand.PCG
	r   *rand.Rand
	e   emitter
	fb  []byte // fill scratch
	db  []byte // description scratch
	eb  []byte // evidence content scratch

	i int
	p *plan
	// The record's own vocabulary, so its text names one user, host, system.
	user, person, host, ip, dom, cve, site, vendor, ticket, sys string
	n, count                                                    int
}

// timeline holds the milestones of a record as offsets from its report, so a
// record reported shortly before the end of the log can be compressed to fit.
type timeline struct {
	rep                               time.Time
	assess, contain, recover, closeAt time.Duration
	z                                 time.Duration // the last instant anything happened: closure or now-ish
	assessed, contained, recovered    bool
	terminal                          bool
}

func (t *timeline) at(off time.Duration) time.Time { return t.rep.Add(off) }

// fit scales the offsets so the last one lies before the end of the log.
func (t *timeline) fit(end time.Time) {
	window := time.Duration(float64(end.Sub(t.rep)) * 0.9)
	if t.z <= window || t.z <= 0 {
		return
	}
	f := float64(window) / float64(t.z)
	scale := func(d *time.Duration) { *d = time.Duration(float64(*d) * f) }
	scale(&t.assess)
	scale(&t.contain)
	scale(&t.recover)
	scale(&t.closeAt)
	scale(&t.z)
}

func (b *builder) write(i int) error {
	if b.r == nil {
		b.r = rand.New(&b.src)
	}
	b.src.Seed(b.g.opts.Seed^0x9e3779b97f4a7c15, uint64(i)+1)
	b.i, b.p = i, &b.g.plans[i]
	b.vocabulary()
	b.e.reset()
	b.e.b = append(b.e.b, record.SchemaComment...)
	b.e.b = append(b.e.b, '\n')
	var err error
	if b.p.kind == record.KindDrill {
		err = b.drill()
	} else {
		err = b.report()
	}
	if err != nil {
		return err
	}
	path := filepath.Join(b.g.dir, config.RecordsDir, strconv.Itoa(b.p.year), b.p.id+".yaml")
	if err := os.WriteFile(path, b.e.b, 0o644); err != nil {
		return fmt.Errorf("gen: writing record: %w", err)
	}
	return nil
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// pickN returns n distinct elements of list (fewer if list is shorter), in
// the list's order.
func pickN[T any](r *rand.Rand, list []T, n int) []T {
	if n >= len(list) {
		return slices.Clone(list)
	}
	idx := r.Perm(len(list))[:n]
	slices.Sort(idx)
	out := make([]T, n)
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

// expDur draws an exponentially distributed duration with the given mean,
// plus lo; draws beyond hi land in the last quarter below hi.
func (b *builder) expDur(lo, mean, hi time.Duration) time.Duration {
	d := lo + time.Duration(b.r.ExpFloat64()*float64(mean))
	if d > hi {
		d = hi - time.Duration(b.r.Int64N(int64(hi-lo)/4+1))
	}
	return d
}

// between draws an offset uniformly in [lo, hi].
func (b *builder) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(b.r.Int64N(int64(hi-lo)+1))
}

func (b *builder) chance(pct int) bool { return b.r.IntN(100) < pct }

func email(name string) string { return name + "@" + domain }

func ts(t time.Time) string { return t.UTC().Truncate(time.Minute).Format("2006-01-02T15:04:05Z") }

func date(t time.Time) string { return t.UTC().Format("2006-01-02") }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func (b *builder) vocabulary() {
	r := b.r
	b.user = email(pick(r, staff))
	b.person = email(pick(r, staff))
	b.host = pick(r, hostPrefixes) + pad(r.IntN(2000), 4)
	b.ip = pick(r, []string{"192.0.2.", "198.51.100.", "203.0.113."}) + strconv.Itoa(1+r.IntN(254))
	b.dom = pick(r, phishDomains)
	b.cve = "CVE-" + strconv.Itoa(b.p.year-r.IntN(2)) + "-" + strconv.Itoa(1000+r.IntN(48000))
	b.site = pick(r, facilities)
	b.vendor = pick(r, vendors)
	b.ticket = "SD-" + strconv.Itoa(10000+r.IntN(90000))
	b.sys = pick(r, systems)
	b.n = 2 + r.IntN(40)
	b.count = 100 + r.IntN(30000)
}

// fill replaces the {names} in braces in s with the record's vocabulary.
func (b *builder) fill(s string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	out := b.fb[:0]
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			out = append(out, s...)
			break
		}
		j := strings.IndexByte(s[i:], '}') + i
		out = append(out, s[:i]...)
		switch s[i+1 : j] {
		case "user":
			out = append(out, b.user...)
		case "person":
			out = append(out, b.person...)
		case "host":
			out = append(out, b.host...)
		case "ip":
			out = append(out, b.ip...)
		case "domain":
			out = append(out, b.dom...)
		case "cve":
			out = append(out, b.cve...)
		case "site":
			out = append(out, b.site...)
		case "vendor":
			out = append(out, b.vendor...)
		case "ticket":
			out = append(out, b.ticket...)
		case "sys":
			out = append(out, b.sys...)
		case "n":
			out = strconv.AppendInt(out, int64(b.n), 10)
		case "count":
			out = strconv.AppendInt(out, int64(b.count), 10)
		default:
			out = append(out, s[i:j+1]...)
		}
		s = s[j+1:]
	}
	b.fb = out
	return string(out)
}

// description builds a narrative of 200 to 1500 bytes: the scenario's
// sentences in order, then generic ones, wrapped for a literal block.
func (b *builder) description(narrative, generic []string) string {
	r := b.r
	target := 200 + int(1300*pow15(r.Float64()))
	var parts []string
	size := 0
	add := func(s string) bool {
		if size > 0 && size+1+len(s) > 1500 {
			return false
		}
		parts = append(parts, s)
		size += len(s) + 1
		return true
	}
	for k, s := range narrative {
		if k >= 2 && (size >= target || !b.chance(80)) {
			continue
		}
		add(b.fill(s))
	}
	for _, k := range r.Perm(len(generic)) {
		if size >= target {
			break
		}
		if !add(b.fill(generic[k])) {
			break
		}
	}
	b.db = wrap(b.db[:0], strings.Join(parts, " "), 88)
	return string(b.db)
}

// pow15 is x^1.5, which skews text lengths towards the short end as in real
// logs.
func pow15(x float64) float64 { return x * math.Sqrt(x) }

// facts are the decisions about a report that later fields depend on.
type facts struct {
	sc       *scenario
	incident bool // follows the incident track: assessed (or reported) as an incident
	status   string
	sevRank  int // 0 = SEV1; -1 = none
	personal bool
	risky    bool // personal data breach likely to result in a risk: notify the authority
	external bool
	notifyEx bool
	lawEnf   bool
	nis2     bool
	cost     float64
	im       string
	tl       timeline
}

func (b *builder) report() error {
	r, p := b.r, b.p
	var f facts
	switch p.kind {
	case record.KindEvent:
		if b.chance(8) {
			f.incident, f.sc = true, &incidentScenarios[r.IntN(len(incidentScenarios))]
		} else {
			f.sc = &eventScenarios[r.IntN(len(eventScenarios))]
		}
	case record.KindWeakness:
		if b.chance(3) {
			f.incident, f.sc = true, &incidentScenarios[5] // exploitation of the weakness
		} else {
			f.sc = &weaknessScenarios[r.IntN(len(weaknessScenarios))]
		}
	default:
		f.incident, f.sc = true, &incidentScenarios[r.IntN(len(incidentScenarios))]
	}
	if len(f.sc.systemHint) > 0 {
		b.sys = pick(r, f.sc.systemHint)
	}
	age := b.g.end.Sub(p.reported)
	f.status = b.status(f.incident, age)
	if f.status == record.StatusRejected {
		// A rejected report was assessed as no incident (a false positive or
		// a duplicate), whatever its kind.
		f.incident = false
	}
	sc := f.sc
	f.sevRank = -1
	if f.incident {
		f.sevRank = weighted(r, sc.sev[:])
		f.personal = r.Float64() < sc.personal
		f.risky = f.personal && (f.sevRank <= 1 || b.chance(60))
		f.external = r.Float64() < sc.external
		f.notifyEx = f.external && b.chance(80)
		f.lawEnf = sc.lawEnf && b.chance(60)
		f.nis2 = f.sevRank == 0 || (f.sevRank == 1 && slices.Contains(sc.cia, "availability") && b.chance(50))
		f.im = pick(r, incidentManagers)
		f.cost = b.cost(f.sevRank)
	} else if b.chance(75) {
		f.sevRank = 3
		if b.chance(10) {
			f.sevRank = 2
		}
	}
	b.timeline(&f)
	tl := &f.tl

	e := &b.e
	e.raw(0, "schema_version", "1")
	e.str(0, "id", p.id)
	e.str(0, "kind", p.kind)
	e.str(0, "title", b.fill(pick(r, sc.titles)))
	e.str(0, "status", f.status)
	e.str(0, "tlp", pick(r, []string{"clear", "green", "green", "amber", "amber", "amber", "amber", "amber", "amber+strict", "red"}))

	e.open(0, "reported")
	e.raw(2, "at", ts(p.reported))
	reporter, channel := b.user, pick(r, channels)
	if !strings.HasPrefix(sc.desc[0], "{user}") && b.chance(40) {
		reporter, channel = pick(r, reporterTeams), "monitoring"
	}
	e.str(2, "by", reporter)
	e.str(2, "channel", channel)
	if channel == "phone" || b.chance(10) {
		e.str(2, "contact", "+49 40 5550 "+pad(r.IntN(10000), 4))
	}
	detected := p.reported.Add(-b.expDur(time.Minute, 3*time.Hour, 2*day))
	if f.incident || b.chance(70) {
		occurred := detected.Add(-b.expDur(0, 8*time.Hour, 20*day))
		switch x := r.IntN(100); {
		case x < 5:
			e.raw(0, "occurred_at", occurred.Format("2006-01"))
		case x < 12:
			e.raw(0, "occurred_at", date(occurred))
		default:
			e.raw(0, "occurred_at", ts(occurred))
		}
	}
	if f.incident || b.chance(60) {
		e.raw(0, "detected_at", ts(detected))
	}
	if tl.contained {
		e.raw(0, "contained_at", ts(tl.at(tl.contain)))
	}
	if tl.recovered {
		e.raw(0, "recovered_at", ts(tl.at(tl.recover)))
	}
	e.block(0, "description", b.description(sc.desc, genericSentences))
	b.affected(&f)
	if tl.assessed {
		b.assessment(&f)
		if f.incident {
			b.roles(&f)
			b.notifications(&f)
		}
	}
	b.actions(&f)
	if tl.assessed && (f.incident || b.chance(8)) {
		b.evidence(&f)
	}
	if f.incident && (f.status == record.StatusClosed || (tl.recovered && b.chance(50))) {
		e.open(0, "root_cause")
		e.strs(2, "factors", pickN(r, sc.factors, 1+r.IntN(3)))
		e.str(2, "analysis", pick(r, sc.analysis))
		e.str(2, "method", pick(r, methods))
	}
	b.correctiveActions(&f)
	if f.incident && f.status == record.StatusClosed {
		e.str(0, "lessons", pick(r, sc.lessons))
		if f.cost > 0 {
			e.open(0, "cost")
			e.raw(2, "amount", strconv.FormatFloat(f.cost, 'f', -1, 64))
			e.str(2, "currency", "EUR")
			e.str(2, "note", pick(r, costNotes))
		}
	}
	if tl.terminal {
		e.open(0, "closed")
		e.raw(2, "at", ts(tl.at(tl.closeAt)))
		by := securityLead
		if f.im != "" {
			by = f.im
		}
		e.str(2, "by", by)
		switch f.status {
		case record.StatusRejected:
			e.str(2, "reason", pick(r, rejectReasons))
		case record.StatusResolved:
			if b.chance(70) {
				e.str(2, "reason", pick(r, resolveReasons))
			}
		default:
			e.str(2, "reason", pick(r, closeReasons))
		}
	}
	b.trailer()
	return nil
}

// status draws a status: old records are almost all finished, the last
// weeks' mostly still open.
func (b *builder) status(incident bool, age time.Duration) string {
	open := 0.005
	switch {
	case age < 14*day:
		open = 0.7
	case age < 60*day:
		open = 0.3
	case age < 365*day:
		open = 0.04
	}
	if b.r.Float64() < open {
		if incident {
			if age < 2*day && b.chance(30) {
				return record.StatusReported
			}
			return []string{record.StatusAssessed, record.StatusResponding, record.StatusContained, record.StatusRecovered}[weighted(b.r, []int{10, 35, 30, 25})]
		}
		if age < 3*day && b.chance(50) {
			return record.StatusReported
		}
		return record.StatusAssessed
	}
	switch {
	case incident && b.chance(5):
		return record.StatusRejected
	case incident:
		return record.StatusClosed
	case b.chance(8):
		return record.StatusRejected
	}
	return record.StatusResolved
}

func weighted(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	k := r.IntN(total)
	for i, x := range w {
		if k < x {
			return i
		}
		k -= x
	}
	return len(w) - 1
}

func (b *builder) timeline(f *facts) {
	t := &f.tl
	t.rep = b.p.reported
	st := f.status
	if st == record.StatusReported {
		t.z = b.expDur(5*time.Minute, time.Hour, 20*time.Hour)
		t.fit(b.g.end)
		return
	}
	t.assessed = true
	if f.incident {
		t.assess = b.expDur(10*time.Minute, 2*time.Hour, 2*day)
	} else {
		t.assess = b.expDur(15*time.Minute, 8*time.Hour, 5*day)
	}
	last := t.assess
	rank := slices.Index([]string{record.StatusAssessed, record.StatusResponding, record.StatusContained, record.StatusRecovered, record.StatusClosed}, st)
	if f.incident && rank >= 2 {
		t.contained = true
		t.contain = t.assess + b.expDur(30*time.Minute, 10*time.Hour, 4*day)
		last = t.contain
	}
	if f.incident && rank >= 3 {
		t.recovered = true
		t.recover = t.contain + b.expDur(2*time.Hour, 30*time.Hour, 14*day)
		last = t.recover
	}
	switch {
	case st == record.StatusClosed:
		t.terminal = true
		t.closeAt = t.recover + b.expDur(2*day, 12*day, 60*day)
		if f.nis2 && t.closeAt < t.assess+35*day {
			// Not closed before the NIS2 final report is in.
			t.closeAt = t.assess + 35*day + b.between(0, 10*day)
		}
		t.z = t.closeAt
	case st == record.StatusResolved:
		t.terminal = true
		t.closeAt = t.assess + b.expDur(10*time.Minute, 2*day, 21*day)
		t.z = t.closeAt
	case st == record.StatusRejected:
		t.terminal = true
		t.closeAt = t.assess + b.expDur(0, 4*time.Hour, 3*day)
		t.z = t.closeAt
	default:
		t.z = last + b.expDur(30*time.Minute, 12*time.Hour, 3*day)
	}
	t.fit(b.g.end)
}

func (b *builder) cost(sevRank int) float64 {
	r := b.r
	if !b.chance(70) {
		return 0
	}
	lo, hi := []float64{20000, 3000, 300, 0}[sevRank], []float64{400000, 60000, 8000, 1500}[sevRank]
	v := lo + (hi-lo)*r.Float64()*r.Float64()
	if v < 50 {
		return 0
	}
	if b.chance(20) {
		return float64(int(v*100)) / 100
	}
	return float64(int(v/50) * 50)
}

func (b *builder) affected(f *facts) {
	r, e := b.r, &b.e
	if !f.incident && !b.chance(60) {
		return
	}
	e.open(0, "affected")
	if f.incident && b.chance(30) {
		e.strs(2, "facilities", []string{b.site})
	}
	list := []string{b.sys}
	if f.incident {
		for _, s := range pickN(r, systems, r.IntN(3)) {
			if s != b.sys {
				list = append(list, s)
			}
		}
	}
	e.strs(2, "systems", list)
	if f.incident && b.chance(50) {
		e.strs(2, "processes", pickN(r, processes, 1+r.IntN(2)))
	}
	if f.incident && b.chance(25) {
		e.strs(2, "assets", []string{b.host})
	}
	if f.external {
		e.strs(2, "parties", pickN(r, parties, 1+r.IntN(2)))
	}
	if f.personal {
		e.open(2, "personal_data")
		e.bool(4, "involved", true)
		e.strs(4, "data_categories", pickN(r, dataCategories, 1+r.IntN(3)))
		e.strs(4, "subject_categories", pickN(r, subjectCategories, 1+r.IntN(2)))
		n := int64(1 + r.IntN(5000))
		e.int(4, "subjects_approx", n)
		if b.chance(50) {
			e.int(4, "records_approx", n*int64(1+r.IntN(4)))
		}
	}
}

func (b *builder) assessment(f *facts) {
	r, e, tl, sc := b.r, &b.e, &f.tl, f.sc
	e.open(0, "assessment")
	e.raw(2, "at", ts(tl.at(tl.assess)))
	by := securityLead
	if b.chance(30) {
		by = pick(r, incidentManagers)
	}
	e.str(2, "by", by)
	e.bool(2, "is_incident", f.incident)
	switch {
	case f.status == record.StatusRejected:
		e.str(2, "rationale", pick(r, rejectReasons))
	default:
		e.str(2, "rationale", pick(r, sc.rationale))
	}
	if f.incident {
		e.strs(2, "cia", sc.cia)
	}
	if f.incident || b.chance(90) {
		e.str(2, "category", sc.category)
	}
	if f.sevRank >= 0 {
		e.str(2, "severity", severities[f.sevRank])
	}
	if f.external {
		e.bool(2, "external_impact", true)
		if !f.notifyEx {
			e.str(2, "no_notification_reason", "Affected parties were already informed by the service provider; a second notice would only cause confusion.")
		}
	}
	if len(sc.immediate) > 0 && b.chance(60) {
		e.str(2, "immediate_actions", b.fill(pick(r, sc.immediate)))
	}
}

func (b *builder) roles(f *facts) {
	r, e := b.r, &b.e
	e.open(0, "roles")
	e.str(2, "incident_manager", f.im)
	e.str(2, "senior_security_lead", securityLead)
	var resp []string
	for _, s := range pickN(r, staff, 1+r.IntN(4)) {
		resp = append(resp, email(s))
	}
	e.strs(2, "responders", resp)
	if f.sevRank >= 0 && f.sevRank <= 1 {
		e.str(2, "communications", comms)
	}
	if f.personal || f.lawEnf {
		e.str(2, "legal", legal)
	}
}

type notification struct {
	at                                           time.Duration
	party, name, regime, phase, by, channel, ref string
	summary, approvedBy, late                    string
	approvedAt                                   time.Duration
	hasApproval                                  bool
}

type regime struct {
	id                string
	aware, classified time.Duration
	hasClassified     bool
	notApplicable     string
}

func (b *builder) notifications(f *facts) {
	r, e, tl := b.r, &b.e, &f.tl
	a, z := tl.assess, tl.z
	clamp := func(d time.Duration) time.Duration { return max(a, min(d, z)) }
	year := strconv.Itoa(b.p.year)
	var regs []regime
	var ns []notification
	if f.sevRank >= 0 && f.sevRank <= 1 {
		ns = append(ns, notification{
			at: clamp(a + b.between(10*time.Minute, 2*time.Hour)), party: "management", name: "Executive board",
			by: f.im, channel: "phone", summary: "Situation, expected impact and next steps of the response.",
		})
	}
	if f.personal {
		if f.risky {
			regs = append(regs, regime{id: "gdpr-33", aware: a})
			at := a + b.between(12*time.Hour, 70*time.Hour)
			n := notification{
				party: "supervisory-authority", name: "Hamburg Commissioner for Data Protection", regime: "gdpr-33", phase: "initial",
				by: dpo, channel: "online form", ref: "HmbBfDI-" + year + "-" + pad(1+r.IntN(9999), 4),
				summary: "Nature of the breach, categories and approximate numbers of data subjects, likely consequences and measures taken.",
			}
			if b.chance(5) {
				at = a + b.between(80*time.Hour, 120*time.Hour)
				n.late = "The number of affected data subjects was only known after the log analysis finished."
			}
			n.at = clamp(at)
			ns = append(ns, n)
			if f.sevRank == 0 {
				regs = append(regs, regime{id: "gdpr-34", aware: a})
				ns = append(ns, notification{
					at: clamp(a + b.between(24*time.Hour, 96*time.Hour)), party: "data-subjects", regime: "gdpr-34",
					by: dpo, channel: "e-mail", summary: "What happened, what data was involved and what the data subjects can do.",
				})
			}
		} else {
			regs = append(regs, regime{id: "gdpr-33", aware: a, notApplicable: "Unlikely to result in a risk to the rights and freedoms of the data subjects (Art. 33(1) GDPR); the data was encrypted or promptly deleted by the recipient."})
		}
	}
	if f.nis2 {
		// NIS2 Art. 23(4): early warning within 24 h, notification within
		// 72 h, final report within a month of the notification. These are
		// sent whenever due, up to the end of the log, even after the last
		// response action.
		last := b.g.end.Sub(tl.rep)
		regs = append(regs, regime{id: "nis2-23", aware: a, classified: min(a+time.Hour, z), hasClassified: true})
		ref := "BSI-" + year + "-" + pad(1+r.IntN(99999), 5)
		if at := a + b.between(2*time.Hour, 20*time.Hour); at <= last {
			ns = append(ns, notification{
				at: at, party: "csirt", name: "BSI", regime: "nis2-23", phase: "early-warning",
				by: securityLead, channel: "reporting portal", ref: ref,
			})
		}
		if at := a + b.between(30*time.Hour, 70*time.Hour); at <= last {
			ns = append(ns, notification{
				at: at, party: "csirt", name: "BSI", regime: "nis2-23", phase: "initial",
				by: securityLead, channel: "reporting portal", ref: ref, summary: "Incident notification with an initial assessment: severity, impact and indicators of compromise.",
			})
			if fin := at + b.between(7*day, 28*day); fin <= last {
				ns = append(ns, notification{
					at: fin, party: "csirt", name: "BSI", regime: "nis2-23", phase: "final",
					by: securityLead, channel: "reporting portal", ref: ref, summary: "Final report: root cause, mitigation applied and cross-border impact.",
				})
			}
		}
	}
	if f.lawEnf {
		at := clamp(a + b.between(2*time.Hour, 48*time.Hour))
		ns = append(ns, notification{
			at: at, party: "law-enforcement", name: "Police Hamburg, LKA 54 cybercrime", by: f.im, channel: "in person",
			ref: "Case " + year + "/" + strconv.Itoa(100000+r.IntN(900000)), approvedBy: pick(r, management),
			approvedAt: max(a, at-b.between(10*time.Minute, time.Hour)), hasApproval: true,
		})
	}
	if f.notifyEx {
		ns = append(ns, notification{
			at: clamp(a + b.between(2*time.Hour, 48*time.Hour)), party: "customers", name: "Affected customers",
			by: comms, channel: "e-mail", summary: "Notice of the incident, its impact on the service and the measures taken.",
		})
	}
	if f.cost >= 50000 && f.status == record.StatusClosed {
		ns = append(ns, notification{
			at: clamp(a + b.between(day, 5*day)), party: "insurer", name: "Hanse Mutual cyber insurance",
			by: f.im, channel: "e-mail", ref: "CLM-" + year + "-" + pad(1+r.IntN(99999), 5),
		})
	}
	if len(regs) > 0 {
		e.open(0, "regimes")
		for _, g := range regs {
			e.item(2)
			e.str(4, "id", g.id)
			e.raw(4, "aware_at", ts(tl.at(g.aware)))
			if g.hasClassified {
				e.raw(4, "classified_at", ts(tl.at(g.classified)))
			}
			if g.notApplicable != "" {
				e.str(4, "not_applicable_reason", g.notApplicable)
			}
		}
	}
	if len(ns) == 0 {
		return
	}
	slices.SortStableFunc(ns, func(x, y notification) int { return int(x.at - y.at) })
	e.open(0, "notifications")
	for _, n := range ns {
		e.item(2)
		e.str(4, "party", n.party)
		if n.name != "" {
			e.str(4, "name", n.name)
		}
		if n.regime != "" {
			e.str(4, "regime", n.regime)
		}
		if n.phase != "" {
			e.str(4, "phase", n.phase)
		}
		e.raw(4, "at", ts(tl.at(n.at)))
		e.str(4, "by", n.by)
		e.str(4, "channel", n.channel)
		if n.ref != "" {
			e.str(4, "reference", n.ref)
		}
		if n.summary != "" {
			e.str(4, "summary", n.summary)
		}
		if n.hasApproval {
			e.str(4, "approved_by", n.approvedBy)
			e.raw(4, "approved_at", ts(tl.at(n.approvedAt)))
		}
		if n.late != "" {
			e.str(4, "late_reason", n.late)
		}
	}
}

type action struct {
	at            time.Duration
	by, typ, text string
}

type phase struct {
	lo, hi time.Duration
	types  []string
}

func (b *builder) actionText(f *facts, typ string) string {
	r, sc := b.r, f.sc
	var pool []string
	switch typ {
	case "triage":
		pool = triageTexts
	case "containment":
		pool = sc.contain
		if len(pool) == 0 {
			pool = sc.immediate
		}
	case "eradication":
		pool = sc.eradicate
	case "recovery":
		pool = sc.recover
	case "communication":
		pool = commsTexts
	case "forensics":
		pool = forensicsTexts
	case "interview":
		pool = interviewTexts
	case "escalation":
		pool = escalationTexts
	}
	if len(pool) == 0 {
		pool = otherTexts
	}
	return b.fill(pick(r, pool))
}

func (b *builder) actions(f *facts) {
	r, e, tl := b.r, &b.e, &f.tl
	var acts []action
	actor := func() string {
		if f.im != "" && b.chance(50) {
			return f.im
		}
		return email(pick(r, staff))
	}
	add := func(at time.Duration, typ string) {
		acts = append(acts, action{at: at, by: actor(), typ: typ, text: b.actionText(f, typ)})
	}
	aEnd := tl.z
	if tl.assessed {
		aEnd = tl.assess
	}
	if !f.incident || !tl.assessed {
		n := r.IntN(3)
		if !tl.assessed {
			n = r.IntN(2)
		}
		for k := 0; k < n; k++ {
			typ := "triage"
			if k > 0 && len(f.sc.immediate) > 0 && b.chance(50) {
				typ = "containment"
			}
			add(b.between(aEnd/20, tl.z), typ)
		}
	} else {
		cEnd, rEnd := tl.z, tl.z
		if tl.contained {
			cEnd = tl.contain
		}
		if tl.recovered {
			rEnd = tl.recover
		}
		phases := []phase{
			{0, tl.assess, []string{"triage", "triage", "escalation", "interview"}},
			{tl.assess, cEnd, []string{"containment", "forensics", "communication", "triage", "interview"}},
		}
		if tl.contained {
			phases = append(phases, phase{tl.contain, rEnd, []string{"eradication", "eradication", "forensics", "communication"}})
		}
		if tl.recovered && tl.z > tl.recover {
			phases = append(phases, phase{tl.recover, tl.z, []string{"other", "communication", "forensics"}})
		}
		add(b.between(tl.assess/20, tl.assess), "triage")
		if tl.contained {
			add(tl.contain-b.between(0, (tl.contain-tl.assess)/3), "containment")
		}
		if tl.recovered {
			add(tl.recover-b.between(0, (tl.recover-tl.contain)/5), "recovery")
		}
		total := 2 + weighted(r, []int{4, 10, 14, 14, 12, 9, 7, 5, 4, 3, 2})
		for len(acts) < total {
			ph := phases[r.IntN(len(phases))]
			add(b.between(ph.lo, ph.hi), pick(r, ph.types))
		}
	}
	if len(acts) == 0 {
		return
	}
	slices.SortStableFunc(acts, func(x, y action) int { return int(x.at - y.at) })
	e.open(0, "actions")
	for _, a := range acts {
		e.item(2)
		e.raw(4, "at", ts(tl.at(a.at)))
		e.str(4, "by", a.by)
		e.str(4, "type", a.typ)
		e.str(4, "text", a.text)
	}
}

func (b *builder) evidence(f *facts) {
	r, e, tl, sc := b.r, &b.e, &f.tl, f.sc
	kinds := sc.evidence
	if len(kinds) == 0 {
		kinds = []evidenceKind{evNotes}
		switch sc.category {
		case "fraud/phishing":
			kinds = []evidenceKind{evMailHeaders}
		case "information-gathering/scanner", "intrusion-attempts/brute-force":
			kinds = []evidenceKind{evFirewall}
		}
	}
	n := 1
	if f.incident {
		n = weighted(r, []int{30, 35, 22, 13})
	}
	if n == 0 {
		return
	}
	items := pickN(r, kinds, n)
	e.open(0, "evidence")
	hi := tl.z
	if tl.contained {
		hi = tl.contain
	}
	for k, ev := range items {
		collectedAt := b.between(tl.assess/2, hi)
		collector := f.im
		if collector == "" || b.chance(40) {
			collector = email(pick(r, staff))
		}
		e.item(2)
		e.str(4, "id", "EV-"+strconv.Itoa(k+1))
		e.str(4, "description", ev.description)
		content := b.evidenceContent(ev, tl.at(collectedAt))
		sum := sha256.Sum256(content)
		if b.chance(80) {
			rel := config.EvidenceDir + "/" + b.p.id + "/" + ev.file
			e.str(4, "path", rel)
			if b.g.opts.EvidenceFiles {
				if err := writeEvidence(filepath.Join(b.g.dir, filepath.FromSlash(rel)), content); err != nil {
					// Reported once the record is written; a record without
					// its file is still a valid record.
					b.g.evidenceErr(err)
				}
			}
		} else {
			e.str(4, "location", pick(r, locations)+" "+b.p.id+"/EV-"+strconv.Itoa(k+1))
		}
		e.raw(4, "sha256", hexDigest(sum[:]))
		e.int(4, "size", int64(len(content)))
		e.open(4, "collected")
		e.raw(6, "at", ts(tl.at(collectedAt)))
		e.str(6, "by", collector)
		e.str(6, "how", ev.how)
		if m := r.IntN(3); m > 0 {
			e.open(4, "custody")
			from := collector
			at := collectedAt
			for j := 0; j < m; j++ {
				at = b.between(at, at+(tl.z-at)/2)
				to := forensicsTeam
				if j > 0 {
					to = legal
				}
				e.item(6)
				e.raw(8, "at", ts(tl.at(at)))
				e.str(8, "from", from)
				e.str(8, "to", to)
				e.str(8, "purpose", pick(r, custodyPurpos))
				from = to
			}
		}
	}
}

// hexDigest spells a digest the way YAML reads back as a string: plain
// unless it happens to look like a number.
func hexDigest(sum []byte) string {
	h := hex.EncodeToString(sum)
	if strings.IndexFunc(h, func(c rune) bool { return c >= 'a' && c != 'e' }) < 0 {
		return `"` + h + `"`
	}
	return h
}

func writeEvidence(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("gen: creating evidence folder: %w", err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return fmt.Errorf("gen: writing evidence: %w", err)
	}
	return nil
}

// evidenceContent makes a log excerpt of 1 to 6 KB for an evidence item.
func (b *builder) evidenceContent(ev evidenceKind, collected time.Time) []byte {
	r := b.r
	size := 1024 + r.IntN(5*1024)
	buf := b.eb[:0]
	buf = append(buf, "# "+ev.description+"\n# "+ev.how+", "+ts(collected)+"\n"...)
	t := collected.Add(-time.Duration(1+r.IntN(48)) * time.Hour)
	for len(buf) < size {
		t = t.Add(time.Duration(1+r.IntN(300)) * time.Second)
		buf = append(buf, t.UTC().Format(time.RFC3339)...)
		buf = append(buf, ' ')
		switch ev.file {
		case "headers.eml":
			buf = append(buf, "Received: from mail"+strconv.Itoa(r.IntN(90))+"."+b.dom+" ("+b.ip+") by mx1."+domain+" with ESMTPS id "+strconv.FormatUint(r.Uint64(), 36)+"\n"...)
		case "firewall-log-excerpt.txt":
			buf = append(buf, "HAM-FW-01 deny tcp src="+b.ip+":"+strconv.Itoa(1024+r.IntN(60000))+" dst=198.51.100."+strconv.Itoa(1+r.IntN(62))+":"+strconv.Itoa(pick(r, []int{22, 80, 443, 3389, 8443}))+" rule=default-deny\n"...)
		case "access-log-excerpt.txt":
			buf = append(buf, b.ip+" \"GET /tracking/search?q="+strconv.Itoa(r.IntN(1e6))+" HTTP/1.1\" "+strconv.Itoa(pick(r, []int{200, 200, 403, 404, 429, 503}))+" "+strconv.Itoa(r.IntN(20000))+"\n"...)
		default:
			buf = append(buf, b.host+" "+b.user+" event="+strconv.Itoa(r.IntN(9000))+" src="+b.ip+" result="+pick(r, []string{"success", "failure", "blocked", "allowed"})+"\n"...)
		}
	}
	b.eb = buf
	return buf
}

func (b *builder) correctiveActions(f *facts) {
	r, e, tl, sc := b.r, &b.e, &f.tl, f.sc
	if len(sc.cas) == 0 || !tl.assessed || f.status == record.StatusRejected {
		return
	}
	var n int
	switch {
	case f.incident && f.status == record.StatusClosed:
		n = 1 + r.IntN(min(4, len(sc.cas)))
	case f.incident && tl.contained:
		n = r.IntN(3)
	case !f.incident:
		n = 1 + r.IntN(len(sc.cas))
	}
	if n == 0 {
		return
	}
	texts := pickN(r, sc.cas, n)
	e.open(0, "corrective_actions")
	start := tl.assess
	if tl.recovered {
		start = tl.recover
	} else if tl.contained {
		start = tl.contain
	}
	owners := append([]string{"it-operations@" + domain, "servicedesk@" + domain}, f.im)
	for k, text := range texts {
		e.item(2)
		e.str(4, "id", "CA-"+strconv.Itoa(k+1))
		typ := "corrective"
		if k > 0 && b.chance(40) {
			typ = "preventive"
		}
		e.str(4, "type", typ)
		e.str(4, "text", text)
		owner := pick(r, owners)
		if owner == "" {
			owner = email(pick(r, staff))
		}
		e.str(4, "owner", owner)
		span := tl.z - start
		done := start + b.between(span/10, span*6/10)
		switch {
		case tl.terminal:
			// Finished with the record: verified effective (or for a weakness
			// sometimes just done), or waived.
			due := tl.at(done).Add(time.Duration(r.IntN(21)-5) * day)
			if due.Before(tl.at(start)) {
				due = tl.at(start)
			}
			e.raw(4, "due", date(due))
			switch x := r.IntN(100); {
			case x < 12:
				e.str(4, "status", record.CAWaived)
				e.open(4, "waived")
				e.raw(6, "at", ts(tl.at(b.between(start, tl.z))))
				e.str(6, "by", securityLead)
				e.str(6, "reason", pick(r, waiveReasons))
			case x < 40 && !f.incident:
				e.str(4, "status", record.CADone)
				e.raw(4, "done_at", ts(tl.at(done)))
			default:
				e.str(4, "status", record.CAVerified)
				e.raw(4, "done_at", ts(tl.at(done)))
				e.open(4, "verified")
				e.raw(6, "at", ts(tl.at(b.between(done, tl.z))))
				e.str(6, "by", securityLead)
				e.str(6, "how", pick(r, verifyHow))
			}
		case b.chance(30):
			e.raw(4, "due", date(tl.at(done).Add(time.Duration(r.IntN(14))*day)))
			e.str(4, "status", record.CADone)
			e.raw(4, "done_at", ts(tl.at(done)))
		default:
			// Still to do: due after the end of the log, so not overdue.
			e.raw(4, "due", date(b.g.opts.Now.Add(time.Duration(7+r.IntN(120))*day)))
			e.str(4, "status", pick(r, []string{record.CAOpen, record.CAInProgress}))
		}
	}
}

// trailer writes related and tags.
func (b *builder) trailer() {
	r, e := b.r, &b.e
	if b.i > 0 && b.chance(5) {
		j := max(0, b.i-500) + r.IntN(min(b.i, 500))
		e.strs(0, "related", []string{b.g.plans[j].id})
	}
	if b.chance(50) {
		e.strs(0, "tags", pickN(r, tagsPool, 1+r.IntN(3)))
	}
}

var drillSentences = []string{
	"The exercise is part of the annual test programme approved in the management review.",
	"Participants received the scenario at the start; injects were given every twenty minutes by the facilitator.",
	"The Incident Manager on duty led the response as in a real case, using the current playbooks.",
	"An observer from internal audit took notes on decisions, timings and the use of the playbooks.",
	"The goal is to find gaps in the procedure, not to assess individuals.",
	"Results and follow-ups are recorded here and tracked like corrective actions of real incidents.",
	"External parties were simulated by the facilitator; no real notifications were sent.",
}

func (b *builder) drill() error {
	r, e, p := b.r, &b.e, b.p
	d := drillScenarios[r.IntN(len(drillScenarios))]
	end := b.g.end
	sched := 7*day + b.between(0, 50*day)
	held := sched + b.between(0, 3*time.Hour)
	closeAt := held + b.between(2*day, 30*day)
	status := record.StatusClosed
	window := time.Duration(float64(end.Sub(p.reported)) * 0.9)
	switch {
	case sched > window:
		status = record.StatusPlanned
		sched = window/2 + b.between(0, window/2)
	case closeAt > window:
		status = record.StatusHeld
	case end.Sub(p.reported) < 365*day && b.chance(3):
		status = record.StatusHeld
	}
	at := func(off time.Duration) string { return ts(p.reported.Add(off)) }
	e.raw(0, "schema_version", "1")
	e.str(0, "id", p.id)
	e.str(0, "kind", p.kind)
	e.str(0, "title", d.title+" "+strconv.Itoa(p.year))
	e.str(0, "status", status)
	e.str(0, "tlp", "green")
	e.open(0, "reported")
	e.raw(2, "at", ts(p.reported))
	e.str(2, "by", securityLead)
	e.str(2, "channel", "other")
	e.block(0, "description", b.description([]string{"Planned " + d.format + " exercise of the incident response procedure (ISO/IEC 27001 A.5.24). " + d.scenario}, drillSentences))
	im := pick(r, incidentManagers)
	var findings []string
	if status != record.StatusPlanned {
		findings = pickN(r, d.findings, 1+r.IntN(len(d.findings)))
	}
	if status == record.StatusClosed && len(findings) > 0 {
		e.open(0, "corrective_actions")
		for k := range min(len(findings), 1+r.IntN(3)) {
			e.item(2)
			e.str(4, "id", "CA-"+strconv.Itoa(k+1))
			e.str(4, "type", "preventive")
			e.str(4, "text", "Follow up on finding F-"+strconv.Itoa(k+1)+" of the exercise and update the playbook.")
			e.str(4, "owner", im)
			doneAt := held + b.between(day, closeAt-held)
			e.raw(4, "due", date(p.reported.Add(doneAt).Add(time.Duration(r.IntN(10))*day)))
			e.str(4, "status", record.CAVerified)
			e.raw(4, "done_at", at(doneAt))
			e.open(4, "verified")
			e.raw(6, "at", at(b.between(doneAt, closeAt)))
			e.str(6, "by", securityLead)
			e.str(6, "how", pick(r, verifyHow))
		}
		e.str(0, "lessons", "The exercise showed that the procedure works in principle; the findings above were fixed and verified before closure.")
	}
	e.open(0, "drill")
	e.str(2, "scenario", d.scenario)
	e.str(2, "format", d.format)
	e.raw(2, "scheduled_at", at(sched))
	if status != record.StatusPlanned {
		e.raw(2, "held_at", at(held))
		var people []string
		people = append(people, im, securityLead)
		for _, s := range pickN(r, staff, 2+r.IntN(9)) {
			if email(s) != securityLead && email(s) != im {
				people = append(people, email(s))
			}
		}
		e.strs(2, "participants", people)
	}
	e.strs(2, "objectives", d.objectives)
	if len(findings) > 0 {
		e.open(2, "findings")
		for k, text := range findings {
			e.item(4)
			e.str(6, "id", "F-"+strconv.Itoa(k+1))
			e.str(6, "text", text)
			e.str(6, "severity", pick(r, []string{"low", "medium", "medium", "high"}))
		}
	}
	if status == record.StatusClosed {
		e.open(0, "closed")
		e.raw(2, "at", at(closeAt))
		e.str(2, "by", securityLead)
		e.str(2, "reason", "Exercise report accepted and follow-ups verified.")
	}
	b.trailer()
	return nil
}
