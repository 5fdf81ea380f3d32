package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

func generate(t *testing.T, opts Options) string {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(dir, opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

func recordFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := lint.Collect([]string{filepath.Join(dir, config.RecordsDir)})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGenerateLintClean lints a generated repository the way `casefile lint
// --now 2026-12-01T00:00:00Z --strict` does and expects no finding at all.
func TestGenerateLintClean(t *testing.T) {
	dir := generate(t, Options{Records: 300, Seed: 7, EvidenceFiles: true})
	root, err := config.FindRoot(dir)
	if err != nil || root == "" {
		t.Fatalf("no repository root found in %s: %v", dir, err)
	}
	cfg, err := config.ForRoot(root)
	if err != nil {
		t.Fatalf("generated casefile.yaml: %v", err)
	}
	if cfg.Path == "" {
		t.Fatal("generated casefile.yaml was not loaded")
	}
	files := recordFiles(t, dir)
	if len(files) != 300 {
		t.Fatalf("%d record files, want 300", len(files))
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: DefaultNow})
	if err != nil {
		t.Fatal(err)
	}
	res := l.Run(files)
	for _, f := range res.Findings {
		t.Errorf("%s", f)
	}
	if res.Files != 300 {
		t.Errorf("linted %d files, want 300", res.Files)
	}
}

// TestGenerateCanonical checks every record is in the form casefile writes:
// it loads and encodes back to the same bytes, starts with the schema
// comment, and is named after its ID in the folder of its year.
func TestGenerateCanonical(t *testing.T) {
	dir := generate(t, Options{Records: 300, Seed: 11})
	kinds := map[string]int{}
	statuses := map[string]bool{}
	escalated := 0
	for _, path := range recordFiles(t, dir) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(record.SchemaComment+"\n")) {
			t.Errorf("%s does not start with the schema comment", path)
		}
		doc, err := record.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := doc.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s is not canonical:\n%s", path, firstDiff(string(data), string(out)))
		}
		rec, err := doc.Record()
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, config.RecordsDir, strconv.Itoa(rec.Reported.At.T.Year()), rec.ID+".yaml"); path != want {
			t.Errorf("%s holds record %s", path, rec.ID)
		}
		if n := len(rec.Description); n < 200 || n > 1500 {
			t.Errorf("%s: description of %d bytes, want 200 to 1500", path, n)
		}
		kinds[rec.Kind]++
		statuses[rec.Status] = true
		if rec.Kind != record.KindIncident && rec.IsIncident() {
			escalated++
		}
	}
	for _, k := range record.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s records among %v", k, kinds)
		}
	}
	if kinds[record.KindEvent] < kinds[record.KindIncident] || kinds[record.KindIncident] < kinds[record.KindDrill] {
		t.Errorf("kind distribution %v is not events > incidents > drills", kinds)
	}
	for _, s := range []string{record.StatusResolved, record.StatusClosed, record.StatusRejected} {
		if !statuses[s] {
			t.Errorf("no record with status %s", s)
		}
	}
	if escalated == 0 {
		t.Error("no escalated event or weakness")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "file: " + al[i] + "\n out: " + bl[i]
		}
	}
	return "lengths differ"
}

// TestGenerateDeterministic: the seed alone fixes the output, whatever the
// number of workers.
func TestGenerateDeterministic(t *testing.T) {
	a := generate(t, Options{Records: 120, Seed: 3, Workers: 1, EvidenceFiles: true})
	b := generate(t, Options{Records: 120, Seed: 3, Workers: 4, EvidenceFiles: true})
	c := generate(t, Options{Records: 120, Seed: 4, Workers: 1, EvidenceFiles: true})
	if ta, tb := tree(t, a), tree(t, b); ta != tb {
		t.Error("same seed, different output")
	}
	if tree(t, a) == tree(t, c) {
		t.Error("different seeds, same output")
	}
}

// tree hashes every file of dir with its relative path.
func tree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(filepath.ToSlash(rel) + "\x00"))
		h.Write(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestGenerateEvidenceFiles checks that each evidence path names a file whose
// digest and size are the ones the record states.
func TestGenerateEvidenceFiles(t *testing.T) {
	dir := generate(t, Options{Records: 300, Seed: 5, EvidenceFiles: true})
	checked := 0
	for _, l := range record.LoadFiles(recordFiles(t, dir)) {
		if l.Err != nil {
			t.Fatal(l.Err)
		}
		for _, ev := range l.Record.Evidence {
			if ev.Path == "" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ev.Path)))
			if err != nil {
				t.Errorf("%s %s: %v", l.Record.ID, ev.ID, err)
				continue
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != ev.SHA256 || int64(len(data)) != ev.Size {
				t.Errorf("%s %s: file has sha256 %s and %d bytes, record says %s and %d", l.Record.ID, ev.ID, got, len(data), ev.SHA256, ev.Size)
			}
			if len(data) < 1024 || len(data) > 8<<10 {
				t.Errorf("%s %s: evidence file of %d bytes, want a few KB", l.Record.ID, ev.ID, len(data))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no evidence file was written")
	}
}

func TestPlainSafe(t *testing.T) {
	for v, want := range map[string]bool{
		"plain text":             true,
		"INC-2026-0001":          true,
		"a.khan@freight.example": true,
		"key: value":             false,
		"text #comment":          false,
		"- item":                 false,
		"@start":                 false,
		"true":                   false,
		"1234":                   false,
		"1e5":                    false,
		"12 users":               true,
		"trailing ":              false,
		"":                       false,
		"ends with colon:":       false,
		"caf\u00e9":              false,
	} {
		if got := plainSafe(v); got != want {
			t.Errorf("plainSafe(%q) = %v, want %v", v, got, want)
		}
	}
}
