package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
)

// lintGCPercent is the garbage collector's target while lint runs. The
// schema validator allocates tens of KB per record and lint keeps almost
// none of it, so at Go's default of 100 the collector runs every few
// records; 400 costs some 40 MB more heap and saves a fifth of lint's CPU
// time. GOGC in the environment overrides it.
const lintGCPercent = 400

type lintOptions struct {
	paths  []string
	format string
	strict bool
	now    string
	rules  bool
	quiet  bool
}

func newLintCmd(env *Env) *cobra.Command {
	var opts lintOptions
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check records against the schema and the procedure's rules",
		Long: `lint checks record files against the record schema and the semantic rules the
incident procedure implies. With no PATH it checks casefile.yaml and every record
under records/ of the repository that contains the working directory.

Exit status: 0 clean, 1 findings at error level (warnings too with --strict),
2 usage error or unreadable configuration.`,
		Example: `  casefile lint
  casefile lint records/2026/INC-2026-0007.yaml
  casefile lint --format github
  casefile lint --rules`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			return runLint(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "output format: "+strings.Join(lint.Formats, ", "))
	f.BoolVar(&opts.strict, "strict", false, "fail on warnings too")
	f.StringVar(&opts.now, "now", "", "the time to check against (RFC 3339), instead of the clock")
	f.BoolVar(&opts.rules, "rules", false, "list the rules and exit")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "no summary on stderr")
	return cmd
}

func runLint(_ context.Context, env *Env, opts lintOptions) error {
	if opts.rules {
		return printRules(env, opts.format)
	}
	if !validFormat(opts.format, lint.Formats) {
		return usageError(fmt.Errorf("unknown format %q (want %s)", opts.format, strings.Join(lint.Formats, ", ")))
	}
	now, err := env.parseNow(opts.now)
	if err != nil {
		return err
	}
	var (
		root  string
		paths []string
		extra []lint.Finding
	)
	if len(opts.paths) == 0 {
		if root, err = env.repoRoot("."); err != nil {
			return err
		}
		paths = []string{filepath.Join(root, config.RecordsDir)}
	} else {
		for _, p := range opts.paths {
			paths = append(paths, env.abs(p))
		}
		start := paths[0]
		if fi, serr := os.Stat(start); serr != nil || !fi.IsDir() {
			start = filepath.Dir(start)
		}
		if root, err = config.FindRoot(start); err != nil {
			return usageError(err)
		}
	}
	cfg, err := config.ForRoot(root)
	if err != nil {
		// A broken casefile.yaml is itself a finding; records are then
		// checked against the defaults so the run still says everything.
		var probs config.Problems
		var prob *record.Problem
		switch {
		case errors.As(err, &probs):
			for _, p := range probs {
				extra = append(extra, lint.Finding{File: p.File, Line: p.Line, Column: p.Column, Severity: lint.Error, Rule: lint.RuleConfig, Message: p.Msg})
			}
		case errors.As(err, &prob):
			extra = append(extra, lint.Finding{File: prob.File, Line: prob.Line, Column: prob.Column, Severity: lint.Error, Rule: lint.RuleConfig, Message: prob.Msg})
		default:
			return usageError(err)
		}
		if cfg, err = config.Default(); err != nil {
			return err
		}
	}
	files, err := lint.Collect(paths)
	if err != nil {
		return usageError(fmt.Errorf("collecting records: %w", err))
	}
	l, err := lint.New(lint.Options{Config: cfg, Now: now, Display: env.rel})
	if err != nil {
		return err
	}
	if env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(lintGCPercent))
	}
	res := l.Run(files)
	for _, f := range extra {
		f.File = env.rel(f.File)
		res.Findings = append(res.Findings, f)
	}
	lint.SortFindings(res.Findings)
	if err := lint.Write(env.Stdout, opts.format, res, version()); err != nil {
		return err
	}
	errs, warns := res.Count(lint.Error), res.Count(lint.Warning)
	if !opts.quiet {
		fmt.Fprintf(env.Stderr, "casefile lint: %d %s checked, %d %s, %d %s\n",
			res.Files, plural(res.Files, "file", "files"), errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
	}
	if errs > 0 || (opts.strict && warns > 0) {
		return errFindings
	}
	return nil
}

func printRules(env *Env, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(lint.Rules)
	case "text", "":
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		for _, r := range lint.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Doc)
		}
		return tw.Flush()
	}
	return usageError(fmt.Errorf("--rules supports --format text or json, not %q", format))
}

func validFormat(f string, allowed []string) bool {
	for _, a := range allowed {
		if f == a {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
