package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/atomicfile"
	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
	rpt "github.com/casefile/casefile/internal/report"
	"github.com/casefile/casefile/internal/store"
)

// newReportCmd is the parent of the report subcommands; each lives in its
// own file (report_log.go, report_trends.go, report_review.go,
// report_audit.go).
func newReportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the Security Incident Log, the trend analysis, the management review pack or the ISO 27001 audit pack",
		Long: `report turns the records into the documents the procedure asks for: the
Security Incident Log (report log), the analysis of types, volumes, times and
costs (report trends), the management review pack (report review) and the
ISO 27001 audit pack with evidence and gaps per control (report audit), as
Markdown, JSON, HTML (one self-contained file with inline SVG charts) and,
for the log, CSV. Every report states the commit it was made from and
whether casefile verify passed there.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("unknown report %q (want log, trends, review or audit)", args[0]))
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newReportLogCmd(env), newReportTrendsCmd(env), newReportReviewCmd(env), newReportAuditCmd(env))
	return cmd
}

// reportOutput are the flags every report subcommand has.
type reportOutput struct {
	format   string
	out      string
	now      string
	noVerify bool
}

func (o *reportOutput) flags(cmd *cobra.Command, formats []string) {
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "md", "output format: "+strings.Join(formats, ", "))
	f.StringVarP(&o.out, "out", "o", "", "write the report to this file (atomically) instead of stdout")
	f.StringVar(&o.now, "now", "", "report as of this time (RFC 3339 or a date) instead of the clock (also CASEFILE_NOW)")
	f.BoolVar(&o.noVerify, "no-verify", false, "do not run casefile verify for the stamp; the report then says the chain of custody was not verified")
}

// reportInput is what every report reads: the records, the configuration,
// the clock reading and the stamp.
type reportInput struct {
	root       string
	cfg        *config.Config
	records    []*record.Record
	unreadable int
	now        time.Time
	stamp      rpt.Stamp
}

// readReportInput validates the common flags and reads the repository.
func (env *Env) readReportInput(ctx context.Context, o reportOutput, formats []string, unused []string) (*reportInput, error) {
	if !validFormat(o.format, formats) {
		return nil, usageError(fmt.Errorf("unknown format %q (want %s)", o.format, strings.Join(formats, ", ")))
	}
	now, err := env.parseNow(o.now)
	if err != nil {
		return nil, err
	}
	if o.out != "" {
		if err := checkReportOut(env.abs(o.out)); err != nil {
			return nil, usageError(err)
		}
	}
	root, err := env.repoRoot(".")
	if err != nil {
		return nil, err
	}
	cfg, err := env.loadConfig(root)
	if err != nil {
		return nil, err
	}
	in := &reportInput{root: root, cfg: cfg, now: now}
	env.tuneReportGC()
	files, err := lint.Collect([]string{filepath.Join(root, config.RecordsDir)})
	if err != nil {
		return nil, usageError(fmt.Errorf("reading records: %w", err))
	}
	// The stamp (casefile verify's walk) runs before the records are read:
	// with 100,000 records held, the collector would rescan them all
	// through verify's allocations, tripling its cost.
	in.stamp = env.reportStamp(ctx, root, files, now, !o.noVerify)
	results := env.loadWithProgress(files, quickload.Options{Omit: unused})
	for _, r := range results {
		if r.Err != nil {
			in.unreadable++
			fmt.Fprintf(env.Stderr, "casefile: skipping %s: %v (run casefile lint)\n", env.rel(r.Path), r.Err)
			continue
		}
		in.records = append(in.records, r.Record)
	}
	if in.unreadable > 0 {
		note := fmt.Sprintf("%d record %s could not be read and %s missing from this report.", in.unreadable,
			plural(in.unreadable, "file", "files"), plural(in.unreadable, "is", "are"))
		in.stamp.Note = strings.TrimSpace(in.stamp.Note + " " + note)
	}
	return in, nil
}

// tuneReportGC trades memory for speed while a report reads a large log:
// the records stay in memory until the report is written, so collecting
// garbage less often (GOGC=400) saves about a fifth of the CPU time, and a
// soft limit of 768 MiB makes the collector work harder before the process
// grows past it. GOGC and GOMEMLIMIT, when set, win.
func (env *Env) tuneReportGC() {
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// done finishes a report run: unreadable records make the exit status 1
// after the report was written, as list does.
func (in *reportInput) done() error {
	if in.unreadable > 0 {
		return &exitError{ExitFindings, fmt.Errorf("%d %s could not be read; the report leaves %s out",
			in.unreadable, plural(in.unreadable, "record", "records"), plural(in.unreadable, "it", "them"))}
	}
	return nil
}

// reportCompareLimit caps how many record files the stamp compares with
// the commit byte for byte; beyond it only the list of files is compared.
const reportCompareLimit = 5000

// reportStamp names the commit the records were read at and, unless
// verify is false, runs casefile verify's check (custody.Verify) there.
// Reports read the work tree (it is what lint checks and what the user
// sees), so the stamp also says when the record files differ from the
// commit.
func (env *Env) reportStamp(ctx context.Context, root string, files []string, now time.Time, verify bool) rpt.Stamp {
	repo, err := store.Open(root)
	if err != nil {
		return rpt.Stamp{Note: "They are not in a git repository."}
	}
	head, err := repo.Head()
	if err != nil || head == "" {
		return rpt.Stamp{Note: "The repository has no commit yet."}
	}
	st, headRecords := env.verifyStamp(ctx, repo.Root(), root, head, now, verify)
	prefix, err := filepath.Rel(repo.Root(), filepath.Join(root, config.RecordsDir))
	if err != nil || strings.HasPrefix(prefix, "..") {
		return st.Stamp
	}
	prefix = filepath.ToSlash(prefix)
	// The record files at HEAD, and whether each is unchanged in the work
	// tree: verify proved that for every record file it read (by git
	// hash); without it, up to reportCompareLimit files are compared here.
	inCommit := map[string]bool{}
	compare := headRecords != nil || len(files) <= reportCompareLimit
	same := func(rel, f string) bool { return headRecords[rel] }
	if headRecords != nil {
		for p := range headRecords {
			inCommit[p] = true
		}
	} else {
		committed, err := repo.ListFiles("HEAD", prefix)
		if err != nil {
			st.addNote("The record files could not be compared with the commit: " + err.Error() + ".")
			return st.Stamp
		}
		for _, p := range committed {
			if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
				inCommit[p] = true
			}
		}
		same = func(rel, f string) bool {
			want, err1 := repo.ReadFile("HEAD", rel)
			got, err2 := os.ReadFile(f)
			return err1 == nil && err2 == nil && bytes.Equal(want, got)
		}
	}
	var added, changed []string
	for _, f := range files {
		rel, err := filepath.Rel(repo.Root(), f)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if !inCommit[rel] {
			added = append(added, rel)
			continue
		}
		delete(inCommit, rel)
		if compare && !same(rel, f) {
			changed = append(changed, rel)
		}
	}
	var removed []string
	for p := range inCommit {
		removed = append(removed, p)
	}
	sort.Strings(removed)
	var parts []string
	if n := len(changed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d changed (%s)", n, reportSample(changed)))
	}
	if n := len(added); n > 0 {
		parts = append(parts, fmt.Sprintf("%d not committed (%s)", n, reportSample(added)))
	}
	if n := len(removed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted (%s)", n, reportSample(removed)))
	}
	switch {
	case len(parts) > 0:
		st.addNote("The work tree differs from this commit: record files " + strings.Join(parts, ", ") +
			"; the report shows the work tree, which the commit does not vouch for.")
	case !compare:
		st.addNote(fmt.Sprintf("The work tree has the same record files as this commit; with more than %d records their content was not compared.", reportCompareLimit))
	}
	return st.Stamp
}

// stampNotes is a stamp being made, whose note grows sentence by sentence.
type stampNotes struct{ rpt.Stamp }

func (s *stampNotes) addNote(n string) { s.Note = strings.TrimSpace(s.Note + " " + n) }

// verifyStamp runs custody.Verify, the check of casefile verify, over the
// history of HEAD, and returns, when it ran, its list of the record files
// at HEAD and whether each is unchanged in the work tree. It runs only
// when the records repository is the root of its git repository: verify
// checks records/, evidence/ and the trust files at the top of the tree,
// so on a subfolder it would check nothing and pass.
func (env *Env) verifyStamp(ctx context.Context, gitRoot, root, head string, now time.Time, verify bool) (stampNotes, map[string]bool) {
	st := stampNotes{rpt.NewStamp(head, rpt.VerifyNotRun, 0)}
	if !verify {
		st.addNote("casefile verify was skipped (--no-verify).")
		return st, nil
	}
	if filepath.Clean(gitRoot) != filepath.Clean(root) {
		rel, err := filepath.Rel(gitRoot, root)
		if err != nil {
			rel = root
		}
		st.addNote(fmt.Sprintf("casefile verify was not run: the records are in the folder %s of the git repository %s, and verify checks a records repository at the root of its git repository.",
			filepath.ToSlash(rel), gitRoot))
		return st, nil
	}
	rep, err := env.verifyChain(ctx, gitRoot, now, custody.VerifyOptions{}, true)
	if err != nil {
		st.Stamp = rpt.NewStamp(head, rpt.VerifyError, 0)
		st.addNote("(" + err.Error() + ")")
		return st, nil
	}
	st.Stamp = rpt.NewStamp(rep.Head, rep.Status, len(rep.Violations))
	switch {
	case rep.Head != head:
		st.addNote("HEAD moved from " + head + " while the report was made.")
	case !rep.OK() && len(rep.Violations) > 0:
		st.addNote("The first: " + rep.Violations[0].String() + "; run casefile verify for all of them.")
	}
	return st, rep.HeadRecords
}

func reportSample(paths []string) string {
	if len(paths) <= 3 {
		return strings.Join(paths, ", ")
	}
	return strings.Join(paths[:3], ", ") + ", …"
}

// loadWithProgress reads the record files; on a terminal, a long read shows
// its progress on stderr.
func (env *Env) loadWithProgress(files []string, opts quickload.Options) []quickload.Result {
	if len(files) < 2000 {
		res, _ := quickload.Files(files, opts, nil)
		return res
	}
	p := env.startProgress("reading records")
	var n atomic.Int64
	res, _ := quickload.Files(files, opts, func() { p.update(int(n.Add(1)), len(files)) })
	p.stop()
	return res
}

// checkReportOut refuses an output path inside a .git directory (it would
// write into the repository's own data) and one that names a directory.
func checkReportOut(p string) error {
	for d := p; ; d = filepath.Dir(d) {
		if filepath.Base(d) == ".git" {
			return fmt.Errorf("refusing to write the report to %s: it is inside a .git directory", p)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	// A symlinked folder may lead into .git too.
	if real, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		for d := real; filepath.Dir(d) != d; d = filepath.Dir(d) {
			if filepath.Base(d) == ".git" {
				return fmt.Errorf("refusing to write the report to %s: it is inside a .git directory (%s)", p, real)
			}
		}
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return fmt.Errorf("cannot write the report to %s: it is a directory", p)
	}
	return nil
}

// writeReport writes a report to stdout, or atomically to the --out file
// (atomicfile), so readers never see half a report.
func (env *Env) writeReport(out string, write func(io.Writer) error) error {
	if out == "" {
		return write(env.Stdout)
	}
	p := env.abs(out)
	if err := atomicfile.Write(p, 0o644, true, write); err != nil {
		return fmt.Errorf("writing %s: %w", env.rel(p), err)
	}
	fmt.Fprintf(env.Stderr, "casefile: wrote %s\n", env.rel(p))
	return nil
}

// parseRange reads --from and --to: RFC 3339 timestamps or dates (2026,
// 2026-07, 2026-07-01). --to is inclusive: a date runs to its end.
func parseReportRange(from, to string) (rpt.Range, error) {
	var r rpt.Range
	if from != "" {
		t, err := record.ParseTime(from)
		if err != nil {
			return r, usageError(fmt.Errorf("invalid --from: %w", err))
		}
		r.From = t.Start().UTC()
	}
	if to != "" {
		t, err := record.ParseTime(to)
		if err != nil {
			return r, usageError(fmt.Errorf("invalid --to: %w", err))
		}
		r.To = t.End().Add(time.Nanosecond).UTC()
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return r, usageError(errors.New("--from must be before --to"))
	}
	return r, nil
}

// writeIn renders rep in the chosen format.
func writeReportAs(env *Env, o reportOutput, md, js, html func(io.Writer) error, csv func(io.Writer) error) error {
	var w func(io.Writer) error
	switch o.format {
	case "md":
		w = md
	case "json":
		w = js
	case "html":
		w = html
	case "csv":
		w = csv
	}
	return env.writeReport(o.out, w)
}
