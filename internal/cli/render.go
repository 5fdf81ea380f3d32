package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/atomicfile"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/render"
	"github.com/casefile/casefile/internal/store"
)

type renderOptions struct {
	id, template, format, out, tz string
	strict                        bool
}

func newRenderCmd(env *Env) *cobra.Command {
	var opts renderOptions
	cmd := &cobra.Command{
		Use:   "render ID --template NAME",
		Short: "Render a record (as committed at HEAD) through a report or communication template",
		Long: `render fills a template with one record as committed at HEAD: an incident
report, a management briefing, a supervisory-authority notification (GDPR Art.
33(3)), a data-subject or customer notice, a law-enforcement referral, a
post-incident review form or a drill report. casefile templates list shows them;
a repository's templates/comms/NAME.md.tmpl or NAME.html.tmpl overrides or adds one.

Data the document needs and the record lacks shows as [MISSING: field]; the
fields are listed on stderr, and --strict refuses to produce the document.`,
		Example: `  casefile render INC-2026-0007 --template briefing
  casefile render INC-2026-0007 --template authority-notice --format html --out notice.html
  casefile render DRL-2026-0001 --template drill-report --strict --tz UTC`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runRender(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.template, "template", "t", "", "template name (casefile templates list)")
	f.StringVar(&opts.format, "format", render.FormatMarkdown, "output format: md, html")
	f.StringVarP(&opts.out, "out", "o", "", "write to FILE (atomically) instead of stdout")
	f.BoolVar(&opts.strict, "strict", false, "fail (exit 1, nothing written) when the document has [MISSING: …] markers")
	f.StringVar(&opts.tz, "tz", "", "time zone for dates, e.g. UTC or Europe/Berlin (default: organisation.timezone)")
	return cmd
}

func runRender(ctx context.Context, env *Env, opts renderOptions) error {
	if !validFormat(opts.format, render.Formats) {
		return usageError(fmt.Errorf("unknown format %q (want md or html)", opts.format))
	}
	if opts.template == "" {
		return usageError(errors.New("missing --template NAME (casefile templates list shows them)"))
	}
	if err := render.ValidName(opts.template); err != nil {
		return usageError(err)
	}
	if err := checkID(opts.id); err != nil {
		return err
	}
	var zone *time.Location
	if opts.tz != "" {
		var err error
		if zone, err = time.LoadLocation(opts.tz); err != nil {
			return usageError(fmt.Errorf("unknown time zone %q (want an IANA name like Europe/Berlin, or UTC)", opts.tz))
		}
	}
	repo, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	root := repo.Root()
	cfg, err := env.loadConfig(root)
	if err != nil {
		return err
	}
	var outPath string
	if opts.out != "" {
		// Checked before rendering, so a bad path fails fast.
		if outPath, err = renderOutPath(env.abs(opts.out), repo); err != nil {
			return usageError(err)
		}
	}
	p, data, err := findRecord(revReader{repo, "HEAD"}, opts.id)
	if err != nil {
		return err
	}
	doc, err := record.Parse(p, data)
	if err != nil {
		return fmt.Errorf("reading %s: %w", opts.id, err)
	}
	head, err := repo.Head()
	if err != nil {
		return err
	}
	d, err := render.NewData(doc, cfg, render.Options{
		Path: p, Now: env.now(), Zone: zone, Commit: head,
		Generator: "casefile " + version(),
	})
	if err != nil {
		return err
	}
	lib := render.NewLibrary(root, env.rel(root))
	res, err := lib.Render(ctx, opts.template, opts.format, d)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return usageError(fmt.Errorf("rendering %s with %s: %w", opts.id, opts.template, err))
	}
	for _, f := range res.Missing {
		prefix := "warning: "
		if opts.strict {
			prefix = ""
		}
		fmt.Fprintf(env.Stderr, "casefile: %smissing: %s\n", prefix, f)
	}
	if n := len(res.Missing); n > 0 {
		if opts.strict {
			return &exitError{ExitFindings, fmt.Errorf("%s (%s %s) has %d [MISSING] %s; nothing written (--strict)",
				opts.template, res.Source.Origin(), res.Source.Path, n, plural(n, "field", "fields"))}
		}
		fmt.Fprintf(env.Stderr, "casefile: warning: %s has %d [MISSING] %s; fill them in the record or the document\n",
			opts.template, n, plural(n, "field", "fields"))
	}
	if outPath == "" {
		_, err := env.Stdout.Write(res.Output)
		return err
	}
	if err := writeFileAtomic(outPath, res.Output); err != nil {
		return fmt.Errorf("writing %s: %w", opts.out, err)
	}
	fmt.Fprintf(env.Stderr, "casefile: wrote %s (%s, %s)\n", opts.out, res.Source.Path, res.Source.Origin())
	return nil
}

// renderOutPath refuses output paths inside a .git directory (anywhere, or
// the repository's git directories through symbolic links) and paths that
// are directories. It returns the path to write.
func renderOutPath(p string, repo *store.Repo) (string, error) {
	p = filepath.Clean(p)
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if strings.EqualFold(part, ".git") {
			return "", fmt.Errorf("refusing to write %s: it is inside a .git directory", p)
		}
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return "", fmt.Errorf("cannot write %s: %w", p, err)
	}
	for _, g := range []string{repo.GitDir(), filepath.Join(repo.Root(), ".git")} {
		if real, err := filepath.EvalSymlinks(g); err == nil && pathWithin(dir, real) {
			return "", fmt.Errorf("refusing to write %s: it is inside the git directory %s", p, g)
		}
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return "", fmt.Errorf("cannot write %s: it is a directory", p)
	}
	return filepath.Join(dir, filepath.Base(p)), nil
}

// pathWithin reports whether p is dir or below it.
func pathWithin(p, dir string) bool {
	if p == dir {
		return true
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writeFileAtomic replaces the file at p with data (atomicfile), keeping
// the mode of a file it replaces; a new file is 0644.
func writeFileAtomic(p string, data []byte) error {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	return atomicfile.WriteBytes(p, mode, true, data)
}
