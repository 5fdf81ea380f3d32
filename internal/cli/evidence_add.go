package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/faults"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
)

type evidenceAddOptions struct {
	id          string
	files       []string
	description string
	external    string
	how         string
	at          string
	by          string
	sign        signFlags
}

func newEvidenceAddCmd(env *Env) *cobra.Command {
	var opts evidenceAddOptions
	cmd := &cobra.Command{
		Use:   "add ID FILE…",
		Short: "Hash evidence files and copy them into evidence/ID/ (or record where they are kept)",
		Long: `add hashes each FILE (sha256, streamed, any size) and copies it into
evidence/ID/ under its own name, then records it in the record's evidence list
with its size, collector and time: one signed commit for all the files. With
--external URI the files are hashed but not copied; the record keeps the hash
and the location. Symbolic links, and files inside .git, are refused; a file of
the same name already in evidence/ID/ is not overwritten.`,
		Example: `  casefile evidence add INC-2026-0007 headers.eml --description "Headers of the phishing mail"
  casefile evidence add INC-2026-0007 disk.img --external s3://forensics/INC-2026-0007/disk.img`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id, opts.files = args[0], args[1:]
			return runEvidenceAdd(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.description, "description", "", "what the evidence is (default: the file name)")
	f.StringVar(&opts.external, "external", "", "URI where the evidence is kept; the files are hashed, not copied")
	f.StringVar(&opts.how, "how", "", "how it was collected")
	f.StringVar(&opts.at, "at", "", "when it was collected (RFC 3339; default: now)")
	f.StringVar(&opts.by, "by", "", "who collected it (default: git config user.email)")
	opts.sign.register(f)
	return cmd
}

// evidenceFile is one file being added.
type evidenceFile struct {
	src    string // as given, for messages
	dest   string // repository path; "" for external evidence
	tmp    string // private copy committed from
	sha256 string
	size   int64
}

func runEvidenceAdd(ctx context.Context, env *Env, opts evidenceAddOptions) error {
	if err := checkID(opts.id); err != nil {
		return err
	}
	if opts.external != "" {
		if u, err := url.Parse(opts.external); err != nil || u.Scheme == "" {
			return usageError(fmt.Errorf("--external %q is not a URI with a scheme (s3://…, https://…, file:///…)", opts.external))
		}
		if len(opts.files) > 1 {
			return usageError(errors.New("--external names the location of one file; add one file at a time"))
		}
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	at, err := w.timeFlag(opts.at)
	if err != nil {
		return err
	}
	files, cleanup, err := prepareEvidence(env, w.repo, opts)
	defer cleanup()
	if err != nil {
		return err
	}
	faults.Point("cli.evidence-copied")
	var added []string
	hash, err := w.update(ctx, opts.id, func(doc *record.Doc, r *record.Record) (change, error) {
		c := change{verb: "evidence", action: "evidence:add", streams: map[string]string{}}
		for i, f := range files {
			ev := record.Evidence{
				ID:          nextEvidenceID(r, i),
				Description: orDefault(opts.description, filepath.Base(f.src)),
				SHA256:      f.sha256,
				Size:        f.size,
				Collected:   &record.Collected{At: at, By: orDefault(opts.by, w.userEmail()), How: opts.how},
			}
			if f.dest == "" {
				ev.Location = opts.external
			} else {
				ev.Path = f.dest
				if _, err := w.repo.FileSize("HEAD", f.dest); err == nil {
					return change{}, usageError(fmt.Errorf("%s already exists; evidence is never overwritten (rename the file)", f.dest))
				} else if !errors.Is(err, fs.ErrNotExist) {
					return change{}, err
				}
				c.streams[f.dest] = f.tmp
			}
			n, err := record.NodeOf(ev)
			if err != nil {
				return change{}, err
			}
			if err := doc.Append("evidence", n); err != nil {
				return change{}, err
			}
			added = append(added, fmt.Sprintf("%s %s sha256:%s", ev.ID, orDefault(ev.Path, ev.Location), ev.SHA256))
		}
		var ids []string
		for _, a := range added {
			ids = append(ids, strings.Fields(a)[0])
		}
		c.summary = "add " + strings.Join(ids, ", ")
		return c, nil
	})
	if err != nil {
		return err
	}
	for _, a := range added {
		fmt.Fprintln(env.Stdout, a)
	}
	fmt.Fprintf(env.Stderr, "casefile: added %d evidence %s to %s in commit %s\n", len(added), plural(len(added), "item", "items"), opts.id, short(hash))
	return nil
}

// prepareEvidence checks and hashes the files; for evidence kept in the
// repository it makes a private copy inside .git while hashing, so what
// is committed is exactly what was hashed even if the source changes. The
// work tree gets the file only through the commit (temp file and rename),
// so a failed commit leaves nothing behind; cleanup removes the copies, and
// copies left by a killed process (their names carry its pid) are removed
// by the next write to the repository.
func prepareEvidence(env *Env, repo *store.Repo, opts evidenceAddOptions) ([]evidenceFile, func(), error) {
	var files []evidenceFile
	cleanup := func() {
		for _, f := range files {
			if f.tmp != "" {
				os.Remove(f.tmp)
			}
		}
	}
	seen := map[string]bool{}
	gitDir, _ := filepath.Abs(repo.GitDir())
	for _, name := range opts.files {
		src := env.abs(name)
		if inside(src, gitDir) || inside(src, filepath.Join(repo.Root(), ".git")) {
			return files, cleanup, usageError(fmt.Errorf("%s is inside the repository's .git directory", name))
		}
		f := evidenceFile{src: name}
		if opts.external == "" {
			base := filepath.Base(src)
			f.dest = path.Join(config.EvidenceDir, opts.id, base)
			if err := store.CheckPath(f.dest); err != nil || strings.HasPrefix(base, ".") {
				return files, cleanup, usageError(fmt.Errorf("%s: the file name %q cannot be used in the repository (rename it)", name, base))
			}
			if seen[f.dest] {
				return files, cleanup, usageError(fmt.Errorf("%s: two files named %s", name, base))
			}
			seen[f.dest] = true
		}
		in, err := openRegular(src)
		if err != nil {
			return files, cleanup, usageError(fmt.Errorf("evidence %s: %w", name, err))
		}
		if f.dest == "" {
			f.sha256, f.size, err = hashStream(in, nil)
			in.Close()
		} else {
			var tmp *os.File
			tmp, err = repo.CreateTemp("evidence")
			if err == nil {
				f.tmp = tmp.Name()
				f.sha256, f.size, err = hashStream(in, tmp)
				if err == nil {
					err = tmp.Sync()
				}
				if cerr := tmp.Close(); err == nil {
					err = cerr
				}
			}
			in.Close()
		}
		files = append(files, f)
		if err != nil {
			return files, cleanup, fmt.Errorf("evidence %s: %w", name, err)
		}
	}
	return files, cleanup, nil
}

// inside reports whether p is dir or below it.
func inside(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
