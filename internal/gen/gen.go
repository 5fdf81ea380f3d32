// Package gen writes synthetic records repositories for benchmarks and tests:
// a casefile.yaml and N records of every kind and status, with the
// distributions, text lengths and structure of a real Security Incident Log,
// each record lint-clean (also with --strict) against the built-in defaults at
// Options.Now and written in casefile's canonical style. The output depends
// only on the options: the same seed gives the same bytes on every machine and
// with any number of workers.
package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// DefaultNow is the instant every generated time lies before unless
// Options.Now says otherwise; lint generated repositories with
// --now 2026-12-01T00:00:00Z.
var DefaultNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// FirstYear is the year the generated log starts.
const FirstYear = 2019

// Options configure Generate.
type Options struct {
	// Records is the number of records to write; 0 means 1000.
	Records int
	// Seed selects the log; the same seed and options give the same files.
	Seed uint64
	// EvidenceFiles writes every evidence item that has a path as a file of
	// a few KB under evidence/<ID>/, matching the sha256 and size the
	// record states. Without it the records still carry the digests of the
	// content that would have been written.
	EvidenceFiles bool
	// Organisation is the name written to casefile.yaml.
	Organisation string
	// Now is the instant every time in the records lies before (by at least
	// an hour); zero means DefaultNow. Records start in 2019.
	Now time.Time
	// Workers is the number of goroutines that write records; 0 means
	// GOMAXPROCS.
	Workers int
}

// Kind shares of the generated log, in per mille: 55% events, 15%
// weaknesses, 25% incidents, 5% drills.
var kindShare = []struct {
	kind   string
	permil int
}{
	{record.KindEvent, 550},
	{record.KindWeakness, 150},
	{record.KindIncident, 250},
	{record.KindDrill, 50},
}

// plan is what is fixed for a record before its content is drawn.
type plan struct {
	id       string
	kind     string
	year     int
	reported time.Time
}

type generator struct {
	dir   string
	opts  Options
	end   time.Time // no generated time lies after this
	plans []plan

	mu    sync.Mutex
	evErr error // the first evidence file that could not be written
}

func (g *generator) evidenceErr(err error) {
	g.mu.Lock()
	if g.evErr == nil {
		g.evErr = err
	}
	g.mu.Unlock()
}

// Generate writes a records repository of opts.Records records to dir,
// creating it if needed. Existing files with the same names are overwritten;
// nothing else in dir is touched.
func Generate(dir string, opts Options) error {
	if opts.Records < 0 {
		return fmt.Errorf("gen: negative record count %d", opts.Records)
	}
	if opts.Records == 0 {
		opts.Records = 1000
	}
	if opts.Organisation == "" {
		opts.Organisation = "Example Freight Ltd"
	}
	if opts.Now.IsZero() {
		opts.Now = DefaultNow
	}
	opts.Now = opts.Now.UTC()
	if opts.Now.Year() <= FirstYear {
		return fmt.Errorf("gen: now %s is not after %d", opts.Now.Format(time.RFC3339), FirstYear)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if err := checkVocabulary(); err != nil {
		return err
	}
	g := &generator{dir: dir, opts: opts, end: opts.Now.Add(-time.Hour)}
	g.planRecords()
	if err := g.writeConfig(); err != nil {
		return err
	}
	years := map[int]bool{}
	for _, p := range g.plans {
		years[p.year] = true
	}
	for y := range years {
		if err := os.MkdirAll(filepath.Join(dir, config.RecordsDir, strconv.Itoa(y)), 0o755); err != nil {
			return fmt.Errorf("gen: creating records folder: %w", err)
		}
	}
	return g.writeRecords()
}

// checkVocabulary makes sure every category and severity the generator uses
// is in the built-in configuration, so generated records stay lint-clean if
// the defaults change.
func checkVocabulary() error {
	cfg, err := config.Default()
	if err != nil {
		return fmt.Errorf("gen: loading the default configuration: %w", err)
	}
	for _, list := range [][]scenario{incidentScenarios, eventScenarios, weaknessScenarios} {
		for _, s := range list {
			if !cfg.HasCategory(s.category) {
				return fmt.Errorf("gen: category %q is not in the default taxonomy", s.category)
			}
		}
	}
	for _, s := range severities {
		if !cfg.HasSeverity(s) {
			return fmt.Errorf("gen: severity %q is not in the default scale", s)
		}
	}
	for _, k := range record.Kinds {
		if cfg.Prefix(k) == "" {
			return fmt.Errorf("gen: no default ID prefix for kind %s", k)
		}
	}
	return nil
}

var severities = [4]string{"SEV1", "SEV2", "SEV3", "SEV4"}

var prefixes = map[string]string{
	record.KindEvent: "EVT", record.KindWeakness: "WKN", record.KindIncident: "INC", record.KindDrill: "DRL",
}

// planRecords draws every record's report time and kind, sorts them in time
// and numbers them per prefix and year, as a log filled over the years would
// be.
func (g *generator) planRecords() {
	r := rand.New(rand.NewPCG(g.opts.Seed, 0x6361736566696c65))
	start := time.Date(FirstYear, 1, 1, 0, 0, 0, 0, time.UTC)
	last := g.opts.Now.Add(-36 * time.Hour)
	span := last.Sub(start)
	days := int(span / (24 * time.Hour))
	g.plans = make([]plan, g.opts.Records)
	for i := range g.plans {
		// More reports in later years: half uniform, half with a density
		// rising linearly over the span.
		u := r.Float64()
		if r.IntN(2) == 0 {
			u = math.Sqrt(u)
		}
		day := start.AddDate(0, 0, int(u*float64(days)))
		var tod time.Duration
		if r.IntN(10) < 7 { // office hours, UTC
			tod = 6*time.Hour + time.Duration(r.IntN(11*60))*time.Minute
		} else {
			tod = time.Duration(r.IntN(24*60)) * time.Minute
		}
		t := day.Add(tod)
		if t.After(last) {
			t = last.Add(-time.Duration(r.IntN(24*60)) * time.Minute)
		}
		k := r.IntN(1000)
		kind := record.KindDrill
		for _, s := range kindShare {
			if k < s.permil {
				kind = s.kind
				break
			}
			k -= s.permil
		}
		g.plans[i] = plan{kind: kind, reported: t, year: t.Year()}
	}
	sort.SliceStable(g.plans, func(i, j int) bool { return g.plans[i].reported.Before(g.plans[j].reported) })
	type key struct {
		prefix string
		year   int
	}
	count := map[key]int{}
	for _, p := range g.plans {
		count[key{prefixes[p.kind], p.year}]++
	}
	seq := map[key]int{}
	for i := range g.plans {
		p := &g.plans[i]
		k := key{prefixes[p.kind], p.year}
		seq[k]++
		// Four digits, more where a year holds more records than that, the
		// same width for the whole year so IDs sort.
		width := max(4, len(strconv.Itoa(count[k])))
		p.id = fmt.Sprintf("%s-%d-%0*d", k.prefix, p.year, width, seq[k])
	}
}

func (g *generator) writeConfig() error {
	var e emitter
	e.b = append(e.b, "# yaml-language-server: $schema=https://casefile.dev/schema/config/v1.json\n"...)
	e.b = append(e.b, "# casefile.yaml: Security Incident Log of "+g.opts.Organisation+" (synthetic, written by casefile's benchmark generator).\n"...)
	e.b = append(e.b, "# Sections left out take the built-in defaults: ENISA RSIT taxonomy, SEV1-SEV4, EVT/WKN/INC/DRL IDs.\n"...)
	e.raw(0, "schema_version", "1")
	e.open(0, "organisation")
	e.str(2, "name", g.opts.Organisation)
	e.str(2, "timezone", "Europe/Berlin")
	e.open(0, "roles")
	e.str(2, "senior_security_lead", securityLead)
	e.strs(2, "incident_managers", incidentManagers)
	e.strs(2, "management", management)
	e.open(0, "signing")
	e.str(2, "policy", "required")
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return fmt.Errorf("gen: creating %s: %w", g.dir, err)
	}
	if err := os.WriteFile(filepath.Join(g.dir, config.FileName), e.b, 0o644); err != nil {
		return fmt.Errorf("gen: writing config: %w", err)
	}
	return nil
}

func (g *generator) writeRecords() error {
	jobs := make(chan int, 64)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for w := 0; w < g.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &builder{g: g}
			for i := range jobs {
				if err := b.write(i); err != nil {
					fail(err)
				}
			}
		}()
	}
	for i := range g.plans {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = g.evErr
	}
	return firstErr
}
