// Package lint checks records: schema validation plus the semantic rules the
// incident procedure implies, each finding with a stable rule ID and a file
// position.
package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
	"github.com/casefile/casefile/internal/validate"
)

// Finding is one problem at a position in a file.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
}

// Result is the outcome of a lint run.
type Result struct {
	Files    int       `json:"files"`
	Findings []Finding `json:"findings"`
}

// Count returns the number of findings of a severity.
func (r *Result) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Options configure a Linter.
type Options struct {
	Config  *config.Config
	Now     time.Time
	Workers int
	// Display turns a file path into the form findings show; nil shows
	// paths as given.
	Display func(string) string
	// SchemaCache, when set, is consulted and filled by LintData: content
	// it knows passed the schema is not validated again. The semantic
	// rules, which depend on the clock and the configuration, always run.
	SchemaCache *validate.Cache
	// VerdictCache, when set, is consulted and filled by LintCached.
	VerdictCache *VerdictCache
}

// Linter runs the rules with one configuration. It is safe for concurrent
// use.
type Linter struct {
	cfg      *config.Config
	now      time.Time
	workers  int
	schema   *validate.Validator
	display  func(string) string
	cache    *validate.Cache
	verdicts *VerdictCache
}

// New returns a Linter. A zero Now is refused: the caller owns the clock.
func New(opts Options) (*Linter, error) {
	if opts.Config == nil {
		return nil, errors.New("lint: no configuration")
	}
	if opts.Now.IsZero() {
		return nil, errors.New("lint: no clock")
	}
	v, err := validate.Record()
	if err != nil {
		return nil, err
	}
	w := opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	display := opts.Display
	if display == nil {
		display = func(p string) string { return p }
	}
	return &Linter{cfg: opts.Config, now: opts.Now, workers: w, schema: v, display: display, cache: opts.SchemaCache, verdicts: opts.VerdictCache}, nil
}

// FileResult is what linting one file yields: its findings and, when the
// record could be read, its ID for the cross-record rules.
type FileResult struct {
	Findings []Finding
	ID       string
	IDLine   int
	IDColumn int
}

// LintDoc checks one parsed document.
func (l *Linter) LintDoc(doc *record.Doc) FileResult {
	res, _ := l.lintDoc(doc, nil)
	return res
}

// lintDoc is LintDoc, also returning the record when the document converts
// to one. A schema pass is added to the cache under digest when one is
// given.
func (l *Linter) lintDoc(doc *record.Doc, digest *[32]byte) (FileResult, *record.Record) {
	var res FileResult
	for _, w := range doc.Warnings {
		res.Findings = append(res.Findings, fromProblem(w))
	}
	if id, ok := doc.Data["id"].(string); ok {
		res.ID = id
		res.IDLine, res.IDColumn = doc.Pos("/id")
	}
	probs := l.schema.Validate(doc)
	for _, p := range probs {
		res.Findings = append(res.Findings, fromProblem(p))
	}
	if len(probs) == 0 && digest != nil {
		l.cache.Add(*digest)
	}
	rec, err := doc.Record()
	if err != nil {
		if len(probs) == 0 {
			// The schema should have caught any type mismatch; say so rather
			// than pass silently.
			res.Findings = append(res.Findings, Finding{
				File: doc.Path, Line: 1, Column: 1, Severity: Error,
				Rule: validate.RuleSchema, Message: err.Error(),
			})
		}
		return res, nil
	}
	if len(probs) > 0 {
		// Semantic rules assume a schema-valid record; run only those whose
		// inputs are well-formed by skipping the rest to avoid noise.
		return res, rec
	}
	c := &checker{doc: doc, rec: rec, cfg: l.cfg, now: l.now}
	res.Findings = append(res.Findings, c.run()...)
	return res, rec
}

// lintFast checks a file on the fast path: the fast decoder, the schema and
// the semantic rules, without the YAML node tree that positions come from.
// It answers only for a file without findings; false sends the file to
// LintFile, which finds the same findings, if any, with their positions.
// The ID is copied out of the Reader's buffer; its position is left zero
// (Run asks LintFile for it when a cross-record rule needs it).
func (l *Linter) lintFast(r *quickload.Reader, path string) (FileResult, bool) {
	rec, tree, ok := r.ReadTree(path)
	if !ok || !l.clean(path, rec, tree, nil) {
		return FileResult{}, false
	}
	return FileResult{ID: strings.Clone(rec.ID)}, true
}

// clean reports whether a record decoded by the fast decoder passes the
// schema and every semantic rule. A schema pass is added to the cache
// under digest when one is given.
func (l *Linter) clean(path string, rec *record.Record, tree map[string]any, digest *[32]byte) bool {
	doc := &record.Doc{Path: path, Data: tree}
	if !l.schema.Valid(doc) {
		return false
	}
	if digest != nil {
		l.cache.Add(*digest)
	}
	return l.semanticClean(doc, rec)
}

// semanticClean reports whether a record passes every semantic rule
// (those besides the schema).
func (l *Linter) semanticClean(doc *record.Doc, rec *record.Record) bool {
	c := &checker{doc: doc, rec: rec, cfg: l.cfg, now: l.now}
	return len(c.run()) == 0
}

// LintData checks one record file's content read from elsewhere (a git
// tree, for verify), the fast path first as Run does; path names the file
// in findings. It returns the record too, nil when the content does not
// convert to one, so that the caller need not decode it again. With a
// schema cache, content the cache knows skips the schema on the fast path.
func (l *Linter) LintData(path string, data []byte) (FileResult, *record.Record) {
	var digest *[32]byte
	known := false
	if l.cache != nil {
		d := validate.Digest(data)
		digest, known = &d, l.cache.Known(d)
	}
	if known {
		// The schema passed before: only the semantic rules run, and a
		// record with findings goes straight to the full loader, which
		// positions them.
		if rec, ok := quickload.Decode(data); ok && l.semanticClean(&record.Doc{Path: path}, rec) {
			return FileResult{ID: rec.ID}, rec
		}
	} else if rec, tree, ok := quickload.DecodeTree(data); ok && l.clean(path, rec, tree, digest) {
		return FileResult{ID: rec.ID}, rec
	}
	doc, err := record.Parse(path, data)
	if err != nil {
		return unreadable(path, err), nil
	}
	return l.lintDoc(doc, digest)
}

// LintFile loads and checks one file with the full loader.
func (l *Linter) LintFile(path string) FileResult {
	fi, err := os.Lstat(path)
	if err != nil {
		return unreadable(path, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		what := "record"
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			what = "folder of records"
		}
		return FileResult{Findings: []Finding{{
			File: path, Line: 1, Column: 1, Severity: Error, Rule: RuleSymlink,
			Message: what + " is a symbolic link; records must be regular files inside the repository",
		}}}
	}
	doc, err := record.Load(path)
	if err != nil {
		return unreadable(path, err)
	}
	return l.LintDoc(doc)
}

// unreadable is the finding for a file the loader refused: its problem
// with position, or an encoding error at the top of the file.
func unreadable(path string, err error) FileResult {
	var p *record.Problem
	if errors.As(err, &p) {
		return FileResult{Findings: []Finding{fromProblem(p)}}
	}
	return FileResult{Findings: []Finding{{File: path, Line: 1, Column: 1, Severity: Error, Rule: record.RuleEncoding, Message: err.Error()}}}
}

func fromProblem(p *record.Problem) Finding {
	sev := Error
	if !p.Fatal {
		sev = Warning
	}
	if r, ok := ruleByID[p.Rule]; ok && p.Fatal {
		sev = r.Severity
	}
	return Finding{File: p.File, Line: p.Line, Column: p.Column, Severity: sev, Rule: p.Rule, Message: p.Msg}
}

// Run lints the files, in parallel, then applies the cross-record rules.
// Memory per record beyond its findings is its ID and position. A file
// goes through the fast path first (lintFast) and through LintFile when it
// has findings or the fast path does not take it, so the findings are
// LintFile's in every case.
func (l *Linter) Run(files []string) *Result {
	return l.run(files, true)
}

func (l *Linter) run(files []string, fast bool) *Result {
	results := make([]FileResult, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(l.workers, max(1, len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := quickload.NewReader()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				if fast {
					if fr, ok := l.lintFast(r, files[i]); ok {
						results[i] = fr
						continue
					}
				}
				results[i] = l.LintFile(files[i])
			}
		}()
	}
	wg.Wait()

	// The fast path leaves an ID's position out; the files whose ID is
	// used twice go through the full loader for it.
	count := make(map[string]int, len(results))
	for _, fr := range results {
		if fr.ID != "" {
			count[fr.ID]++
		}
	}
	for i, fr := range results {
		if fr.ID != "" && count[fr.ID] > 1 && fr.IDLine == 0 {
			results[i] = l.LintFile(files[i])
		}
	}
	res := &Result{Files: len(files)}
	first := make(map[string]int, len(count))
	for i, fr := range results {
		l.displayPaths(fr.Findings)
		res.Findings = append(res.Findings, fr.Findings...)
		if fr.ID == "" {
			continue
		}
		if j, dup := first[fr.ID]; dup {
			o := results[j]
			res.Findings = append(res.Findings, Finding{
				File: l.display(files[i]), Line: fr.IDLine, Column: fr.IDColumn, Severity: Error,
				Rule: RuleIDUnique, Message: fmt.Sprintf("id %s is also used by %s:%d", fr.ID, l.display(files[j]), o.IDLine),
			})
			continue
		}
		first[fr.ID] = i
	}
	SortFindings(res.Findings)
	return res
}

func (l *Linter) displayPaths(fs []Finding) {
	for i := range fs {
		fs[i].File = l.display(fs[i].File)
	}
}

// SortFindings orders findings by file, line, column, rule and message, so
// output is the same on every run.
func SortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// Collect expands paths into the record files to lint: a file is taken as
// given, a directory is walked for *.yaml and *.yml files (hidden folders
// skipped). The result is sorted and free of duplicates.
func Collect(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.Type()&fs.ModeSymlink != 0 {
				// WalkDir does not follow a linked folder; name it, so lint
				// refuses it rather than skip the records behind it.
				if fi, err := os.Stat(path); err == nil && fi.IsDir() {
					add(path)
					return nil
				}
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if name != config.FileName && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
