package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
	"github.com/casefile/casefile/internal/veris"
)

type importOptions struct {
	paths   []string
	dryRun  bool
	strict  bool
	format  string
	manager string
	tlp     string
	sign    signFlags
}

func newImportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import FORMAT",
		Short: "Import records from another format: veris (one signed commit per batch)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("import needs a format: casefile import veris FILE|DIR…"))
		},
	}
	cmd.AddCommand(newImportVerisCmd(env))
	return cmd
}

func newImportVerisCmd(env *Env) *cobra.Command {
	var opts importOptions
	cmd := &cobra.Command{
		Use:   "veris FILE|DIR…",
		Short: "Import VERIS 1.3/1.4 incidents (e.g. from the VERIS Community Database) in one signed commit",
		Long: `import veris maps VERIS incident files to records and commits them, with
the ID mapping .casefile/veris-ids.yaml, in one signed commit. A DIR is searched
for *.json files (any case). An incident imported before (same incident_id,
plus.master_id or file content) is reported and left alone, as is the second of
two files with one incident_id. A file that cannot be read or mapped to a record
that passes lint is skipped with the reason; with --strict any skipped file fails
the run (exit 1) and nothing is committed. What VERIS says that casefile has no field for is kept under
source.veris in the record.`,
		Example: `  casefile import veris VCDB/data/json/validated/
  casefile import veris --dry-run --format json incident.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			return runImportVeris(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.dryRun, "dry-run", false, "map and check everything, report what would be imported, commit nothing")
	f.BoolVar(&opts.strict, "strict", false, "all or nothing: when any file is skipped, commit nothing and exit 1")
	f.StringVar(&opts.format, "format", "text", "summary format on stdout: text (summary on stderr only), json")
	f.StringVar(&opts.manager, "manager", "", "Incident Manager of the imported incidents (default: git config user.email)")
	f.StringVar(&opts.tlp, "tlp", "amber", "TLP label of the imported records: clear, green, amber, amber+strict, red")
	opts.sign.register(f)
	return cmd
}

// Outcomes of one file of an import.
const (
	outcomeImported = "imported"
	outcomeKnown    = "already-imported"
	outcomeSkipped  = "skipped"
)

// importFile is what happened to one file; the JSON summary lists them.
type importFile struct {
	File       string   `json:"file"`
	Outcome    string   `json:"outcome"`
	ID         string   `json:"id,omitempty"`
	IncidentID string   `json:"incident_id,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Status     string   `json:"status,omitempty"`
	Category   string   `json:"category,omitempty"`
	Line       int      `json:"line,omitempty"`
	Column     int      `json:"column,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Notes      []string `json:"notes,omitempty"`

	abs    string
	mapped *veris.Mapped
	path   string // record path in the repository
	data   []byte // the record as committed
}

// importSummary is the --format json output.
type importSummary struct {
	Source          string `json:"source"`
	Files           int    `json:"files"`
	Imported        int    `json:"imported"`
	AlreadyImported int    `json:"already_imported"`
	Skipped         int    `json:"skipped"`
	DryRun          bool   `json:"dry_run"`
	Commit          string `json:"commit,omitempty"`
	// Held is set when --strict kept a batch with skipped files from
	// being committed.
	Held    bool         `json:"held,omitempty"`
	Results []importFile `json:"results"`
}

func runImportVeris(ctx context.Context, env *Env, opts importOptions) error {
	if !validFormat(opts.format, []string{"text", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want text or json)", opts.format))
	}
	if !validFormat(opts.tlp, []string{"clear", "green", "amber", "amber+strict", "red"}) {
		return usageError(fmt.Errorf("unknown TLP label %q (want clear, green, amber, amber+strict or red)", opts.tlp))
	}
	files, walkSkips, err := collectVerisFiles(env, opts.paths)
	if err != nil {
		return err
	}
	w, err := env.openImporter(opts.dryRun, opts.sign)
	if err != nil {
		return err
	}
	l, err := lint.New(lint.Options{Config: w.cfg, Now: w.now})
	if err != nil {
		return err
	}
	importer := w.userEmail()
	manager := opts.manager
	if manager == "" {
		manager = importer
	}
	mopts := veris.Options{Config: w.cfg, Now: w.now, Importer: importer, Manager: manager, TLP: opts.tlp}

	results := make([]*importFile, len(files))
	for i, f := range files {
		results[i] = &importFile{File: env.rel(f), abs: f}
	}
	// Reading and mapping need no lock: only the IDs depend on HEAD.
	parallel(len(results), func(i int) { prepareImport(results[i], mopts) })
	if err := ctx.Err(); err != nil {
		return err
	}

	sum := importSummary{Source: "veris", Files: len(files) + len(walkSkips), DryRun: opts.dryRun}
	run := func(tx fileReader, head string, commit func(store.Change) (string, error)) error {
		ix, err := loadVerisIndex(tx)
		if err != nil {
			return err
		}
		todo := dedupeImports(results, ix)
		if len(todo) == 0 {
			return nil
		}
		alloc := &idAllocator{w: w, tx: tx, head: head}
		if err := assignIDs(todo, alloc, l); err != nil {
			return err
		}
		changed := map[string][]byte{}
		for _, r := range results {
			if r.Outcome != outcomeImported {
				continue
			}
			changed[r.path] = r.data
			ix.Add(veris.IndexEntry{IncidentID: r.mapped.Key.IncidentID, MasterID: r.mapped.Key.MasterID, SHA256: r.mapped.Key.SHA256, Record: r.ID})
		}
		if len(changed) == 0 || commit == nil {
			return nil
		}
		if opts.strict && anySkipped(results, walkSkips) {
			// All or nothing: a strict import commits no part of a batch
			// it could not take whole.
			sum.Held = true
			return nil
		}
		idx, err := ix.Encode()
		if err != nil {
			return err
		}
		changed[veris.IndexPath] = idx
		sum.Commit, err = commit(store.Change{
			Files:     changed,
			Message:   importMessage(results, sum.Files),
			Author:    store.Person{Name: w.author.Name, Email: w.author.Email, When: w.now},
			Committer: store.Person{Name: w.commit.Name, Email: w.commit.Email, When: w.now},
			Signer:    w.signer,
		})
		return err
	}
	if opts.dryRun {
		head, _ := w.repo.Head()
		err = run(revReader{repo: w.repo, rev: "HEAD"}, head, nil)
	} else {
		err = w.repo.WithLock(ctx, func(tx *store.Tx) error {
			return run(tx, tx.Head(), func(c store.Change) (string, error) { return tx.Commit(ctx, c) })
		})
	}
	if err != nil {
		return repoError(err)
	}

	sum.Results = append(sum.Results, walkSkips...)
	for _, r := range results {
		sum.Results = append(sum.Results, *r)
	}
	for _, r := range sum.Results {
		switch r.Outcome {
		case outcomeImported:
			sum.Imported++
		case outcomeKnown:
			sum.AlreadyImported++
		default:
			sum.Skipped++
		}
	}
	printImportSummary(env, &sum)
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	}
	if opts.strict && sum.Skipped > 0 {
		return &exitError{ExitFindings, fmt.Errorf("--strict: %d %s skipped", sum.Skipped, plural(sum.Skipped, "file", "files"))}
	}
	return nil
}

func anySkipped(results []*importFile, walkSkips []importFile) bool {
	if len(walkSkips) > 0 {
		return true
	}
	for _, r := range results {
		if r.Outcome == outcomeSkipped {
			return true
		}
	}
	return false
}

// openImporter is openWriter, except that a dry run needs no signing key
// (and asks for no passphrase): it commits nothing.
func (env *Env) openImporter(dryRun bool, sign signFlags) (*writer, error) {
	if !dryRun {
		return env.openWriter(sign)
	}
	repo, cfg, err := env.openRecordsRepo()
	if err != nil {
		return nil, err
	}
	w := &writer{env: env, repo: repo, cfg: cfg, now: env.now()}
	if gc, err := custody.LoadGitConfig(repo.Root(), env.Getenv); err == nil {
		if a, err := gc.Author(); err == nil {
			w.author = a
		}
	}
	return w, nil
}

// collectVerisFiles expands the arguments: a file is taken as given, a
// directory is walked for *.json in any case (hidden folders skipped;
// symbolic links inside it are reported, not followed).
func collectVerisFiles(env *Env, args []string) ([]string, []importFile, error) {
	seen := map[string]bool{}
	var files []string
	var skips []importFile
	for _, a := range args {
		p := env.abs(a)
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, usageError(fmt.Errorf("reading %s: %w", a, errors.Unwrap(err)))
		}
		if !fi.IsDir() {
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				skips = append(skips, importFile{File: env.rel(q), Outcome: outcomeSkipped, Reason: err.Error()})
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if q != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.EqualFold(filepath.Ext(q), ".json") {
				return nil
			}
			if !d.Type().IsRegular() {
				skips = append(skips, importFile{File: env.rel(q), Outcome: outcomeSkipped, Reason: "not a regular file (a symbolic link?); name it on the command line to import it"})
				return nil
			}
			if !seen[q] {
				seen[q] = true
				files = append(files, q)
			}
			return nil
		})
		if err != nil {
			return nil, nil, usageError(fmt.Errorf("reading %s: %w", a, err))
		}
	}
	if len(files) == 0 && len(skips) == 0 {
		return nil, nil, usageError(fmt.Errorf("no VERIS files (*.json) in %s", strings.Join(args, ", ")))
	}
	return files, skips, nil
}

// parallel runs fn for 0..n-1 on every CPU.
func parallel(n int, fn func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < runtime.GOMAXPROCS(0); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// prepareImport reads, decodes and maps one file.
func prepareImport(r *importFile, opts veris.Options) {
	skip := func(err error) { r.skip(err) }
	data, err := readLimited(r.abs, veris.MaxFileSize)
	if err != nil {
		skip(err)
		return
	}
	f, err := veris.Decode(r.File, data)
	if err != nil {
		skip(err)
		return
	}
	m, err := veris.Map(f, opts)
	if err != nil {
		skip(err)
		return
	}
	r.mapped, r.Notes = m, m.Notes
	r.IncidentID = firstOf(m.Key.IncidentID, m.Key.MasterID)
	r.Kind, r.Status, r.Category = m.Kind, m.Status, m.Category
}

// skip marks the file skipped, with the position of the problem when the
// error has one.
func (r *importFile) skip(err error) {
	r.Outcome, r.ID, r.path, r.data = outcomeSkipped, "", "", nil
	var ve *veris.Error
	var pe *record.Problem
	switch {
	case errors.As(err, &ve):
		r.Line, r.Column, r.Reason = ve.Line, ve.Column, ve.Msg
	case errors.As(err, &pe):
		r.Reason = "the record would not load: " + pe.Msg
	default:
		r.Reason = err.Error()
	}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// readLimited reads a file, refusing one larger than limit before reading
// it.
func readLimited(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("file is %d bytes; a VERIS file may be at most %d bytes", fi.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is more than %d bytes; a VERIS file may be at most %d bytes", limit, limit)
	}
	return data, nil
}

// renderChecked renders the record under id and lints the exact bytes,
// as every write does; an error finding refuses it.
func renderChecked(r *importFile, id string, l *lint.Linter) error {
	p := recordPath(id)
	doc, data, err := r.mapped.Render(id, p)
	if err != nil {
		return err
	}
	res := l.LintDoc(doc)
	var errs []string
	for _, f := range res.Findings {
		if f.Severity == lint.Error {
			errs = append(errs, f.Rule+": "+f.Message)
		}
	}
	if len(errs) > 0 {
		if len(errs) > 3 {
			errs = append(errs[:3], fmt.Sprintf("and %d more", len(errs)-3))
		}
		return fmt.Errorf("the record would not pass lint: %s", strings.Join(errs, "; "))
	}
	r.ID, r.path, r.data = id, p, data
	return nil
}

// loadVerisIndex reads the ID mapping at HEAD, or rebuilds it from the
// source.veris blocks of the records when the file is missing (a log
// imported into before the mapping existed, or a lost file).
func loadVerisIndex(tx fileReader) (*veris.Index, error) {
	data, err := tx.ReadFile(veris.IndexPath)
	if err == nil {
		return veris.ParseIndex(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ix := veris.NewIndex()
	files, err := tx.ListFiles(config.RecordsDir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") {
			continue
		}
		data, err := tx.ReadFile(f)
		if err != nil || !strings.Contains(string(data), "\n  veris:\n") {
			continue
		}
		doc, err := record.Parse(f, data)
		if err != nil {
			continue
		}
		if e, ok := veris.EntryOf(doc.Data); ok {
			ix.Add(e)
		}
	}
	return ix, nil
}

// dedupeImports marks files whose incident is already in the log, or
// already earlier in this batch, and returns the rest in the order their
// IDs are given: by report time, then file.
func dedupeImports(results []*importFile, ix *veris.Index) []*importFile {
	batch := veris.NewIndex()
	byRecord := map[string]*importFile{}
	var todo []*importFile
	for _, r := range results {
		if r.Outcome != "" {
			continue
		}
		k := r.mapped.Key
		if e, field, ok := ix.Lookup(k); ok {
			if e.SHA256 != "" && strings.EqualFold(e.SHA256, k.SHA256) {
				r.Outcome, r.ID = outcomeKnown, e.Record
				r.Reason = "already imported as " + e.Record
			} else {
				r.Outcome = outcomeSkipped
				r.Reason = fmt.Sprintf("%s %s was already imported as %s from a different file; re-importing does not update records (edit %s instead)",
					field, keyValue(k, field), e.Record, e.Record)
			}
			continue
		}
		if e, field, ok := batch.Lookup(k); ok {
			first := byRecord[e.Record]
			r.Outcome = outcomeSkipped
			r.Reason = fmt.Sprintf("%s %s is also in %s, which is imported instead", field, keyValue(k, field), first.File)
			if field == "sha256" {
				r.Reason = "same content as " + first.File + ", which is imported instead"
			}
			continue
		}
		token := strconv.Itoa(len(todo))
		batch.Add(veris.IndexEntry{IncidentID: k.IncidentID, MasterID: k.MasterID, SHA256: k.SHA256, Record: token})
		byRecord[token] = r
		todo = append(todo, r)
	}
	sort.SliceStable(todo, func(i, j int) bool {
		a, b := todo[i].mapped.ReportedAt, todo[j].mapped.ReportedAt
		if !a.Equal(b) {
			return a.Before(b)
		}
		return todo[i].File < todo[j].File
	})
	return todo
}

func keyValue(k veris.Key, field string) string {
	switch field {
	case "incident_id":
		return oneLine(k.IncidentID, 80)
	case "plus.master_id":
		return oneLine(k.MasterID, 80)
	}
	return k.SHA256[:12]
}

// idAllocator finds where record numbers continue, with nextID's rules
// (HEAD and the tips of every local and remote-tracking branch), but for
// the year each record was reported in: an imported incident's own year,
// which lint's id-year rule checks, rather than the clock's.
type idAllocator struct {
	w    *writer
	tx   fileReader
	head string
}

// highest is the highest sequence number of prefix and year at HEAD and
// at the tip of any local or remote-tracking branch.
func (a *idAllocator) highest(prefix, year string) (int, error) {
	dir := path.Join(config.RecordsDir, year)
	maxSeq := 0
	scan := func(files []string) {
		for _, f := range files {
			rest, ok := strings.CutPrefix(strings.TrimSuffix(path.Base(f), ".yaml"), prefix+"-"+year+"-")
			if !ok {
				continue
			}
			if n, err := strconv.Atoi(rest); err == nil && n > maxSeq {
				maxSeq = n
			}
		}
	}
	files, err := a.tx.ListFiles(dir)
	if err != nil {
		return 0, err
	}
	scan(files)
	tips, err := a.w.repo.BranchTips()
	if err != nil {
		return 0, err
	}
	for _, tip := range tips {
		if tip == a.head {
			continue
		}
		files, err := a.w.repo.ListFiles(tip, dir)
		if err != nil {
			return 0, err
		}
		scan(files)
	}
	return maxSeq, nil
}

// assignIDs numbers the records per prefix and year, in the order given,
// after the highest number in use, renders each under its ID and lints the
// bytes that will be committed, as every write does. A record with an
// error finding is skipped with the findings, and the IDs after it are
// given again (only those records are rendered anew), so the batch leaves
// no gaps.
func assignIDs(todo []*importFile, alloc *idAllocator, l *lint.Linter) error {
	cfg := alloc.w.cfg
	base := map[string]int{}
	keyOf := func(r *importFile) (prefix, year string) {
		return cfg.Prefix(r.mapped.Kind), fmt.Sprintf("%04d", r.mapped.ReportedAt.Year())
	}
	for _, r := range todo {
		prefix, year := keyOf(r)
		if _, ok := base[prefix+"-"+year]; ok {
			continue
		}
		n, err := alloc.highest(prefix, year)
		if err != nil {
			return err
		}
		base[prefix+"-"+year] = n
	}
	for {
		next := map[string]int{}
		for k, v := range base {
			next[k] = v
		}
		ids := make([]string, len(todo))
		for i, r := range todo {
			if r.Outcome == outcomeSkipped {
				continue
			}
			prefix, year := keyOf(r)
			next[prefix+"-"+year]++
			ids[i] = fmt.Sprintf("%s-%s-%0*d", prefix, year, cfg.IDs.Digits, next[prefix+"-"+year])
		}
		var mu sync.Mutex
		failed := false
		parallel(len(todo), func(i int) {
			r := todo[i]
			if r.Outcome == outcomeSkipped || r.ID == ids[i] {
				return
			}
			if err := renderChecked(r, ids[i], l); err != nil {
				mu.Lock()
				failed = true
				mu.Unlock()
				r.skip(err)
			}
		})
		if !failed {
			break
		}
	}
	for _, r := range todo {
		if r.Outcome != outcomeSkipped {
			r.Outcome = outcomeImported
		}
	}
	return nil
}

// maxMessageFiles bounds the file list in the commit message.
const maxMessageFiles = 200

// importMessage is the batch commit's message: a subject, the files and
// the records they became (bounded), the files skipped, and the trailers
// naming the source.
func importMessage(results []*importFile, files int) string {
	var imported, skipped []*importFile
	for _, r := range results {
		switch r.Outcome {
		case outcomeImported:
			imported = append(imported, r)
		case outcomeSkipped:
			skipped = append(skipped, r)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "import veris — %d %s from %d %s\n\n", len(imported), plural(len(imported), "record", "records"), files, plural(files, "file", "files"))
	fmt.Fprintf(&b, "Imported (file → record):\n")
	for i, r := range imported {
		if i == maxMessageFiles {
			fmt.Fprintf(&b, "  … and %d more\n", len(imported)-maxMessageFiles)
			break
		}
		fmt.Fprintf(&b, "  %s → %s\n", oneLine(r.File, 120), r.ID)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "Skipped:\n")
		for i, r := range skipped {
			if i == maxMessageFiles/4 {
				fmt.Fprintf(&b, "  … and %d more\n", len(skipped)-maxMessageFiles/4)
				break
			}
			fmt.Fprintf(&b, "  %s: %s\n", oneLine(r.File, 120), oneLine(r.Reason, 160))
		}
	}
	fmt.Fprintf(&b, "\nCasefile-Action: import\nCasefile-Source: veris (%d %s)\n", files, plural(files, "file", "files"))
	return b.String()
}

// printImportSummary reports on stderr: each file skipped or already
// imported, then one line of totals.
func printImportSummary(env *Env, s *importSummary) {
	for _, r := range s.Results {
		switch r.Outcome {
		case outcomeSkipped:
			pos := r.File
			if r.Line > 0 {
				pos = fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Column)
			}
			fmt.Fprintf(env.Stderr, "casefile: skipped %s: %s\n", pos, r.Reason)
		case outcomeKnown:
			fmt.Fprintf(env.Stderr, "casefile: %s: %s\n", r.File, r.Reason)
		}
	}
	verb := "imported"
	if s.DryRun || s.Held {
		verb = "would import"
	}
	line := fmt.Sprintf("casefile: %s %d of %d VERIS %s", verb, s.Imported, s.Files, plural(s.Files, "file", "files"))
	if s.AlreadyImported > 0 {
		line += fmt.Sprintf(", %d already imported", s.AlreadyImported)
	}
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	switch {
	case s.Commit != "":
		line += " in commit " + short(s.Commit)
	case s.DryRun:
		line += " (dry run: nothing committed)"
	case s.Held:
		line += "; nothing committed (--strict)"
	case s.Imported == 0:
		line += "; nothing to commit"
	}
	fmt.Fprintln(env.Stderr, line)
}
