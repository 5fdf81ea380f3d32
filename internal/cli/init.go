package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"
	"github.com/casefile/casefile/templates"
)

// TrustFile is the allowed-signers file of a records repository.
const TrustFile = ".casefile/allowed_signers"

type initOptions struct {
	dir  string
	org  string
	sign signFlags
}

func newInitCmd(env *Env) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create (or adopt) a records repository, in one signed commit",
		Long: `init makes DIR (default: the working directory) a casefile records repository:
a git repository (created, or an existing one adopted) with casefile.yaml and its
commented defaults, records/, evidence/, .casefile/allowed_signers trusting your
signing key for your git user.email, a README, example CI configs (GitHub
Actions, GitLab CI) and a pre-commit config. It never overwrites an existing
file. Everything is committed in one signed commit.`,
		Example: `  casefile init incident-log --org "Example Ltd"
  cd existing-repo && casefile init`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = "."
			if len(args) == 1 {
				opts.dir = args[0]
			}
			return runInit(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.org, "org", "", "organisation name for casefile.yaml")
	opts.sign.register(cmd.Flags())
	return cmd
}

func runInit(ctx context.Context, env *Env, opts initOptions) error {
	dir := env.abs(opts.dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError(fmt.Errorf("creating %s: %w", opts.dir, err))
	}
	repo, err := store.Init(dir)
	if err != nil {
		return repoError(err)
	}
	if repo.Root() != dir {
		return usageError(fmt.Errorf("%s is inside the git repository %s; run init at its root", opts.dir, repo.Root()))
	}
	cfg, err := config.Default()
	if err != nil {
		return err
	}
	w, err := env.newWriter(repo, cfg, opts.sign)
	if err != nil {
		return err
	}
	files, err := initFiles(w, opts.org)
	if err != nil {
		return err
	}
	var kept []string
	for p := range files {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			kept = append(kept, p)
			delete(files, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	sort.Strings(kept)
	for _, p := range kept {
		fmt.Fprintf(env.Stderr, "casefile: kept the existing %s\n", p)
	}
	if len(files) == 0 {
		fmt.Fprintf(env.Stderr, "casefile: %s is already a records repository; nothing to add\n", env.rel(dir))
		return nil
	}
	hash, err := repo.Commit(ctx, store.Change{
		Files:     files,
		Message:   "casefile: initialise the Security Incident Log\n\nCasefile-Action: init\n",
		Author:    store.Person{Name: w.author.Name, Email: w.author.Email, When: w.now},
		Committer: store.Person{Name: w.commit.Name, Email: w.commit.Email, When: w.now},
		Signer:    w.signer,
	})
	if err != nil {
		return repoError(err)
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fmt.Fprintf(env.Stderr, "casefile: created %s\n", p)
	}
	fmt.Fprintf(env.Stderr, "casefile: initialised %s in commit %s\n", env.rel(dir), short(hash))
	return nil
}

// initFiles returns every file init would write, keyed by slash path.
func initFiles(w *writer, org string) (map[string][]byte, error) {
	cfgText := string(templates.Config)
	if org != "" {
		cfgText = strings.Replace(cfgText, "  name: Example Ltd\n", "  name: "+yamlScalar(org)+"\n", 1)
	}
	files := map[string][]byte{
		config.FileName:                  []byte(cfgText),
		config.RecordsDir + "/.gitkeep":  nil,
		config.EvidenceDir + "/.gitkeep": nil,
	}
	err := fs.WalkDir(templates.Init, "init", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templates.Init.ReadFile(p)
		files[strings.TrimPrefix(p, "init/")] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	trust := "# Keys trusted to sign this Security Incident Log, in git's allowed-signers format\n" +
		"# (ssh-keygen(1), ALLOWED SIGNERS). OpenPGP keys live in .casefile/keys/*.asc.\n" +
		"# Change this file only with casefile trust or a commit signed by a trusted key.\n"
	if ks, ok := w.signer.(custody.KeySigner); ok {
		pub, err := ks.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("reading the signing key's public half: %w", err)
		}
		switch ks.Format() {
		case custody.FormatSSH:
			trust += w.author.Email + " namespaces=\"git\" " + strings.TrimSpace(pub) + "\n"
		case custody.FormatOpenPGP:
			files[path.Join(".casefile", "keys", ks.Fingerprint()+".asc")] = []byte(pub)
		}
	}
	files[TrustFile] = []byte(trust)
	return files, nil
}

// yamlScalar quotes s for a YAML line when it needs it.
func yamlScalar(s string) string {
	if strings.ContainsAny(s, ":#'\"{}[],&*!|>%@`\n") || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}
