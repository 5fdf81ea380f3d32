package lint

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/gen"
)

// TestVerdictSpans is the cache's soundness check: on a generated log,
// every verdict lint caches as clean at one time is, at every other time
// its span says it holds for, what a fresh lint finds (no findings); and
// the spans are not vacuous: outside them lint does find something, for
// some of the records.
func TestVerdictSpans(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := gen.Generate(dir, gen.Options{Records: 400, Seed: 7, Now: now}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ForRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Collect([]string{filepath.Join(dir, "records")})
	if err != nil {
		t.Fatal(err)
	}
	cache := OpenVerdictCache(filepath.Join(t.TempDir(), VerdictFileName), nil)
	l, err := New(Options{Config: cfg, Now: now, VerdictCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		contents[f] = data
		want, rec := l.LintData(f, data)
		got := l.LintCached(f, data)
		if !reflect.DeepEqual(got.Findings, want.Findings) || got.Decoded != (rec != nil) {
			t.Fatalf("%s: LintCached %+v, LintData %+v", f, got.Findings, want.Findings)
		}
	}
	if len(cache.used) < len(files)/2 {
		t.Fatalf("only %d of %d generated records were cached as clean", len(cache.used), len(files))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	linters := map[time.Time]*Linter{}
	inside, outsideDirty, pastUntil := 0, 0, 0
	for trial := 0; trial < 3000; trial++ {
		f := files[rng.IntN(len(files))]
		v, ok := cache.used[verdictKey(f, contents[f])]
		if !ok {
			continue
		}
		// A time up to three years either side, to the minute.
		at := now.Add(time.Duration(rng.IntN(6*365*24*60)-3*365*24*60) * time.Minute)
		fresh := linters[at]
		if fresh == nil {
			if fresh, err = New(Options{Config: cfg, Now: at}); err != nil {
				t.Fatal(err)
			}
			linters[at] = fresh
		}
		res, _ := fresh.LintData(f, contents[f])
		switch {
		case v.holds(at) && len(res.Findings) > 0:
			t.Errorf("%s at %s: the cached verdict holds (%s to %s) but lint finds %+v", f, at, v.From, v.Until, res.Findings)
		case v.holds(at):
			inside++
		case len(res.Findings) > 0:
			outsideDirty++
			if !v.Until.IsZero() && !at.Before(v.Until) {
				pastUntil++ // an open due date or deadline passed
			}
		}
	}
	t.Logf("%d of %d records cached clean; %d trials inside a span, %d outside with findings (%d past an open due date or deadline)", len(cache.used), len(files), inside, outsideDirty, pastUntil)
	if inside == 0 || outsideDirty == 0 || pastUntil == 0 {
		t.Errorf("%d trials inside a span, %d outside one with findings, %d of them past its end: the test proves nothing", inside, outsideDirty, pastUntil)
	}
}

// TestVerdictCacheFile: verdicts survive Save and a reopen for the same
// configuration; another configuration, or a file that does not read
// back, is an empty cache; a cached verdict is LintCached's answer only at
// a time it holds for.
func TestVerdictCacheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "casefile", VerdictFileName)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	data := []byte("schema_version: 1\nid: EVT-2026-0001\nkind: event\ntitle: Phishing mail reported\nstatus: reported\nreported:\n  at: 2026-03-02T09:14:00Z\n  by: alice@example.com\n")
	name := "records/2026/EVT-2026-0001.yaml"
	cfgYAML := []byte("schema_version: 1\norganisation: {name: Example Ltd}\n")
	first := OpenVerdictCache(path, cfgYAML)
	l, err := New(Options{Config: mustDefault(t), Now: now, VerdictCache: first})
	if err != nil {
		t.Fatal(err)
	}
	if c := l.LintCached(name, data); !c.Decoded || c.ID != "EVT-2026-0001" || len(c.Findings) != 0 {
		t.Fatalf("first check: %+v", c)
	}
	if err := first.Save(); err != nil {
		t.Fatal(err)
	}
	again := OpenVerdictCache(path, cfgYAML)
	if _, ok := again.get(verdictKey(name, data), now); !ok {
		t.Fatal("the saved verdict is not read back")
	}
	// Before the record was reported, it would be in the future: the
	// verdict does not hold there.
	if _, ok := again.get(verdictKey(name, data), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("the verdict holds before the record's own times")
	}
	if _, ok := OpenVerdictCache(path, []byte("schema_version: 1\norganisation: {name: Other}\n")).get(verdictKey(name, data), now); ok {
		t.Error("a verdict is reused under another configuration")
	}
	if _, ok := again.get(verdictKey("records/2026/EVT-2026-0002.yaml", data), now); ok {
		t.Error("a verdict is reused for the same content under another file name")
	}
	if err := os.WriteFile(path, []byte("casefile lint verdicts 1 garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := OpenVerdictCache(path, cfgYAML).get(verdictKey(name, data), now); ok {
		t.Error("a foreign file is read as verdicts")
	}
}
