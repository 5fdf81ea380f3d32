package lint

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/validate"
)

// TestLintDataSchemaCache: with a schema cache, LintData gives what it
// gives without one, on the example log and every broken record, the
// first time (filling the cache) and the second (from it); only content
// that passed the schema is added; and the semantic rules, which depend on
// the clock, still run on cached content.
func TestLintDataSchemaCache(t *testing.T) {
	cfg, files := exampleLog(t)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	plain, err := New(Options{Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	cache := validate.OpenCache(filepath.Join(t.TempDir(), validate.CacheFileName))
	cached, err := New(Options{Config: cfg, Now: now, SchemaCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	schemaFailures, added := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a symbolic link to nowhere, among the broken ones
		}
		want, wantRec := plain.LintData(f, data)
		for pass := 1; pass <= 2; pass++ {
			got, rec := cached.LintData(f, data)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(rec, wantRec) {
				t.Errorf("%s, pass %d: with the cache %+v, without %+v", f, pass, got.Findings, want.Findings)
			}
		}
		hasSchema := false
		for _, fd := range want.Findings {
			hasSchema = hasSchema || fd.Rule == validate.RuleSchema
		}
		known := cache.Known(validate.Digest(data))
		switch {
		case hasSchema && known:
			t.Errorf("%s fails the schema and is in the cache", f)
		case hasSchema:
			schemaFailures++
		case known:
			added++
		}
	}
	if schemaFailures == 0 || added < 10 {
		t.Fatalf("%d files failed the schema and %d were cached; the examples should give both", schemaFailures, added)
	}

	// Cached content is still checked by the clock: a year later the
	// example log has overdue work that a cached schema pass hides nothing of.
	later, err := New(Options{Config: cfg, Now: now.AddDate(1, 0, 0), SchemaCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	plainLater, err := New(Options{Config: cfg, Now: now.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	differs := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || !cache.Known(validate.Digest(data)) {
			continue
		}
		got, _ := later.LintData(f, data)
		want, _ := plainLater.LintData(f, data)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s a year later: with the cache %+v, without %+v", f, got.Findings, want.Findings)
		}
		if first, _ := cached.LintData(f, data); !reflect.DeepEqual(first.Findings, got.Findings) {
			differs++
		}
	}
	if differs == 0 {
		t.Error("no cached record has other findings a year later; the clock test proves nothing")
	}
}

// TestLintDataTrustsTheCache pins the limit the cache's documentation
// states: content listed in it is not validated against the schema, so a
// forged entry lets a record that fails the schema through (which is why
// casefile verify never reads the cache).
func TestLintDataTrustsTheCache(t *testing.T) {
	// Canonical (the fast decoder takes it), semantically clean, and too
	// long a reporter for the schema (at most 200 characters).
	data := []byte("schema_version: 1\nid: EVT-2026-0001\nkind: event\ntitle: Phishing mail reported\nstatus: reported\nreported:\n  at: 2026-03-02T09:14:00Z\n  by: " + strings.Repeat("a", 250) + "\n")
	cache := validate.OpenCache(filepath.Join(t.TempDir(), validate.CacheFileName))
	l, err := New(Options{Config: mustDefault(t), Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), SchemaCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	before, rec := l.LintData("EVT-2026-0001.yaml", data)
	if len(before.Findings) != 1 || before.Findings[0].Rule != validate.RuleSchema || rec == nil {
		t.Fatalf("findings %+v, want the one schema finding", before.Findings)
	}
	if cache.Known(validate.Digest(data)) {
		t.Fatal("content that fails the schema was cached")
	}
	cache.Add(validate.Digest(data))
	if after, _ := l.LintData("EVT-2026-0001.yaml", data); len(after.Findings) != 0 {
		t.Errorf("with a forged cache entry: %+v, want no findings", after.Findings)
	}
}

func mustDefault(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
