package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
	"github.com/casefile/casefile/internal/validate"
)

type verifyOptions struct {
	from          string
	format        string
	allowMismatch bool
	platform      []string
	quiet         bool
}

func newVerifyCmd(env *Env) *cobra.Command {
	var opts verifyOptions
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the chain of custody of the whole history, offline",
		Long: `verify walks every commit reachable from HEAD, merges included, and checks each
commit that changes records/, evidence/, casefile.yaml or .casefile/: it is
signed, the signature is valid (SSH sshsig in namespace "git", or OpenPGP), and
the key was trusted by the trust files of its parent commit(s) for the author's
e-mail (the root commit bootstraps trust from its own tree). No record may ever
be deleted or renamed. At HEAD every record must lint without errors and every
evidence file must match its recorded sha256 and size. Every seal tag
(refs/tags/casefile-seal-*) must be signed by a trusted key and be an ancestor
of HEAD.

Every violation is reported (commit, file, rule, reason), not only the first.
A shallow clone is reported as unverifiable past its boundary.

Exit status: 0 verified, 1 violations found or history not fully verifiable
(shallow clone), 2 usage error.`,
		Example: `  casefile verify
  casefile verify --format json > verify.json
  casefile verify --from v1.0          # only commits after v1.0
  casefile verify --platform-principal noreply@github.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "check only commits not reachable from REV (trust still comes from their parents)")
	f.StringVar(&opts.format, "format", "text", "output format: text, json")
	f.BoolVar(&opts.allowMismatch, "allow-author-mismatch", false, "accept a trusted signer whatever the commit's author e-mail")
	f.StringSliceVar(&opts.platform, "platform-principal", nil, "principal of a hosting platform's key (repeatable): merges it signs pass whoever the author is")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "text: print only the violations, no summary")
	return cmd
}

func runVerify(ctx context.Context, env *Env, opts verifyOptions) error {
	if !validFormat(opts.format, []string{"text", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want text or json)", opts.format))
	}
	sr, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	rep, err := env.verifyChain(ctx, sr.Root(), env.now(), custody.VerifyOptions{
		From:                opts.from,
		AllowAuthorMismatch: opts.allowMismatch,
		PlatformPrincipals:  opts.platform,
	}, false)
	if err != nil {
		return usageError(err)
	}
	switch opts.format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	default:
		for _, v := range rep.Violations {
			fmt.Fprintln(env.Stdout, v.String())
		}
		if !opts.quiet {
			fmt.Fprintln(env.Stdout, verifySummary(rep))
		}
	}
	if !rep.OK() {
		return errFindings
	}
	return nil
}

// verifyChain is casefile verify's check of the repository at gitRoot, for
// the verify command and the stamp of every report: the custody walk, with
// each record at HEAD linted as of now under HEAD's casefile.yaml (what was
// committed, not what the work tree may have changed), and a progress line
// on a terminal. With useCache (report stamps, unless CASEFILE_CACHE=off),
// records that .git/casefile/lint-clean knows clean at this time are not
// checked again, and those whose content schema-valid knows passed the
// schema are not validated against it again; verify itself trusts nothing
// but the objects.
func (env *Env) verifyChain(ctx context.Context, gitRoot string, now time.Time, vo custody.VerifyOptions, useCache bool) (*custody.VerifyReport, error) {
	cfg, cfgData, err := headConfig(gitRoot)
	if err != nil {
		return nil, err
	}
	repo, err := custody.OpenRepository(gitRoot)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	var cache *validate.Cache
	var verdicts *lint.VerdictCache
	if useCache && env.Getenv("CASEFILE_CACHE") != "off" {
		dir := filepath.Join(repo.CommonDir(), "casefile")
		cache = validate.OpenCache(filepath.Join(dir, validate.CacheFileName))
		verdicts = lint.OpenVerdictCache(filepath.Join(dir, lint.VerdictFileName), cfgData)
	}
	linter, err := lint.New(lint.Options{Config: cfg, Now: now, SchemaCache: cache, VerdictCache: verdicts})
	if err != nil {
		return nil, err
	}
	vo.CheckRecord = lintProblems(linter)

	p := env.startProgress("verifying the chain of custody")
	vo.Progress = p.update
	defer p.stop()
	rep, err := custody.Verify(ctx, repo, vo)
	if err == nil && cache != nil {
		// A cache that cannot be written only makes the next run slower.
		_ = cache.Save()
		_ = verdicts.Save()
	}
	return rep, err
}

// headConfig reads casefile.yaml as committed at HEAD, or the defaults when
// HEAD has none, with the file's bytes (nil for the defaults).
func headConfig(gitRoot string) (*config.Config, []byte, error) {
	sr, err := store.Open(gitRoot)
	if err != nil {
		return nil, nil, repoError(err)
	}
	data, err := sr.ReadFile("HEAD", config.FileName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cfg, err := config.Default()
		return cfg, nil, err
	case err != nil:
		return nil, nil, repoError(err)
	}
	cfg, err := config.Parse("HEAD:"+config.FileName, data)
	if err != nil {
		return nil, nil, usageError(fmt.Errorf("invalid configuration:\n%w", err))
	}
	return cfg, data, nil
}

// lintProblems adapts the linter to custody's record check: error-level
// findings make a record at HEAD invalid. Through the verdict cache
// (LintCached) a record may not be decoded at all; the record handed back
// then holds only what custody reads of it, the ID and the evidence
// items' ID, path, sha256 and size.
func lintProblems(l *lint.Linter) func(path string, data []byte) (*record.Record, []custody.RecordProblem) {
	return func(path string, data []byte) (*record.Record, []custody.RecordProblem) {
		var out []custody.RecordProblem
		c := l.LintCached(path, data)
		for _, f := range c.Findings {
			if f.Severity == lint.Error {
				out = append(out, custody.RecordProblem{Line: f.Line, Rule: f.Rule, Message: f.Message})
			}
		}
		if !c.Decoded {
			return nil, out
		}
		return &record.Record{ID: c.ID, Evidence: c.Evidence}, out
	}
}

// verifySummary is the verdict line of a text report.
func verifySummary(rep *custody.VerifyReport) string {
	c := rep.Counts
	if rep.Head == "" {
		return "verified: the repository has no commits yet"
	}
	what := fmt.Sprintf("%d %s (%d touching the log, %d signed), %d %s, %d evidence %s, %d %s, HEAD %s",
		c.Commits, plural(c.Commits, "commit", "commits"), c.Checked, c.Signed,
		c.Records, plural(c.Records, "record", "records"), c.Evidence, plural(c.Evidence, "file", "files"),
		c.Seals, plural(c.Seals, "seal", "seals"), short(rep.Head))
	if rep.From != "" {
		what += ", from " + short(rep.From)
	}
	n := 0
	for _, v := range rep.Violations {
		if v.Rule != custody.RuleShallow {
			n++
		}
	}
	switch rep.Status {
	case custody.StatusVerified:
		return "verified: " + what
	case custody.StatusUnverifiable:
		return fmt.Sprintf("NOT VERIFIED: shallow clone; history before %s is missing (git fetch --unshallow): %s",
			strings.Join(shortAll(rep.Shallow), ", "), what)
	}
	return fmt.Sprintf("FAILED: %d %s: %s", n, plural(n, "violation", "violations"), what)
}

func shortAll(hs []string) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = short(h)
	}
	return out
}
