package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/validate"
)

// TestReportSchemaCache: a report's stamp keeps the schema results and the
// lint verdicts of the records at HEAD in .git/casefile (schema-valid,
// lint-clean) and gives the same verdict with them; CASEFILE_CACHE=off
// neither reads nor writes them; and casefile verify, the auditor's check,
// never reads them, so a forged entry cannot make verify pass a record
// that fails the schema.
func TestReportSchemaCache(t *testing.T) {
	env, git := verisRepo(t)
	cachePath := filepath.Join(env.Dir, ".git", "casefile", validate.CacheFileName)
	verdictPath := filepath.Join(env.Dir, ".git", "casefile", lint.VerdictFileName)
	if code, _, errOut := runCLI(env, "new", "event", "--title", "Phishing mail reported", "--description", "A phishing mail", "--channel", "email"); code != 0 {
		t.Fatalf("new: exit %d: %s", code, errOut)
	}
	stampOf := func(extra ...string) string {
		t.Helper()
		_, out, errOut := runCLI(env, append([]string{"report", "log"}, extra...)...)
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "Made from commit ") {
				return line
			}
		}
		t.Fatalf("report log: no stamp line in %q (stderr %s)", out, errOut)
		return ""
	}
	first := stampOf()
	if !strings.Contains(first, "casefile verify passed") {
		t.Fatalf("stamp: %s", first)
	}
	for _, p := range []string{cachePath, verdictPath} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("the report left no cache %s: %v", filepath.Base(p), err)
		}
	}
	if again := stampOf(); again != first {
		t.Errorf("with the cache the stamp is %q, without it it was %q", again, first)
	}

	// CASEFILE_CACHE=off: the stamp neither reads nor writes the caches.
	for _, p := range []string{cachePath, verdictPath} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	getenv := env.Getenv
	env.Getenv = func(k string) string {
		if k == "CASEFILE_CACHE" {
			return "off"
		}
		return getenv(k)
	}
	if off := stampOf(); off != first {
		t.Errorf("CASEFILE_CACHE=off: stamp %q, want %q", off, first)
	}
	for _, p := range []string{cachePath, verdictPath} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("CASEFILE_CACHE=off wrote %s (%v)", filepath.Base(p), err)
		}
	}
	env.Getenv = getenv

	// A signed commit of a record that the fast decoder reads but the
	// schema refuses (a reporter of 250 characters), and a cache forged
	// to list it.
	files, _ := filepath.Glob(filepath.Join(env.Dir, "records", "*", "*.yaml"))
	if len(files) != 1 {
		t.Fatalf("records: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "by: alice@example.com", "by: "+strings.Repeat("a", 250), 1)
	if bad == string(data) {
		t.Fatalf("no reporter line to lengthen in:\n%s", data)
	}
	if err := os.WriteFile(files[0], []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-S", "-am", "a reporter too long for the schema")
	if s := stampOf(); !strings.Contains(s, "FAILED") || !strings.Contains(s, "schema") {
		t.Fatalf("stamp after the bad commit: %s", s)
	}
	forged := validate.OpenCache(cachePath)
	forged.Add(validate.Digest([]byte(bad)))
	if err := forged.Save(); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(env, "verify")
	if code != ExitFindings || !strings.Contains(out, "reported.by: length must be <= 200") {
		t.Errorf("verify with a forged cache: exit %d:\n%s", code, out)
	}
}
