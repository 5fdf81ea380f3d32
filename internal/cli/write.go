package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/lint"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
)

// signFlags are the signing options every write command takes.
type signFlags struct {
	key string
}

func (s *signFlags) register(f *pflag.FlagSet) {
	f.StringVar(&s.key, "sign-key", "", "signing key: a path, key::ssh-… or an armored OpenPGP key (default: git config user.signingkey, or CASEFILE_SIGNING_KEY)")
}

// writer makes signed commits of records in one repository.
type writer struct {
	env    *Env
	repo   *store.Repo
	cfg    *config.Config
	signer custody.Signer
	author custody.Identity
	commit custody.Identity
	now    time.Time
	// lastFindings are the findings of the last refused write, for edit's
	// re-open loop.
	lastFindings []string
}

// openWriter opens the repository containing the working directory, loads
// its configuration and prepares the signer before any lock is taken, so a
// passphrase prompt never holds up other writers.
func (env *Env) openWriter(sign signFlags) (*writer, error) {
	repo, cfg, err := env.openRecordsRepo()
	if err != nil {
		return nil, err
	}
	return env.newWriter(repo, cfg, sign)
}

// openRecordsRepo opens the records repository a write goes to: the git
// repository containing the working directory, with casefile.yaml at its
// root, and its configuration.
func (env *Env) openRecordsRepo() (*store.Repo, *config.Config, error) {
	repo, err := store.Open(env.Dir)
	if err != nil {
		return nil, nil, repoError(err)
	}
	root, err := env.repoRoot(".")
	if err != nil {
		return nil, nil, err
	}
	if root != repo.Root() {
		return nil, nil, usageError(fmt.Errorf("%s is not at the root of the git repository %s", config.FileName, repo.Root()))
	}
	cfg, err := env.loadConfig(root)
	if err != nil {
		return nil, nil, err
	}
	return repo, cfg, nil
}

func (env *Env) newWriter(repo *store.Repo, cfg *config.Config, sign signFlags) (*writer, error) {
	gc, err := custody.LoadGitConfig(repo.Root(), env.Getenv)
	if err != nil {
		return nil, usageError(fmt.Errorf("reading git config: %w", err))
	}
	w := &writer{env: env, repo: repo, cfg: cfg, now: env.now()}
	repo.SetNotice(func(msg string) { fmt.Fprintln(env.Stderr, "casefile: "+msg) })
	if v := env.Getenv("CASEFILE_LOCK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, usageError(fmt.Errorf("CASEFILE_LOCK_TIMEOUT=%q is not a duration like 10s", v))
		}
		repo.SetLockTimeout(d)
	}
	if w.author, err = gc.Author(); err != nil {
		return nil, usageError(fmt.Errorf("%w (set git config user.name and user.email)", err))
	}
	if w.commit, err = gc.Committer(); err != nil {
		return nil, usageError(fmt.Errorf("%w (set git config user.name and user.email)", err))
	}
	key := sign.key
	if key == "" {
		key = env.Getenv("CASEFILE_SIGNING_KEY")
	}
	signer, err := custody.NewSigner(gc, custody.Options{Key: key, Prompt: env.Prompt, Getenv: env.Getenv, Now: env.now})
	switch {
	case err == nil:
		w.signer = signer
	case errors.Is(err, custody.ErrNoSigningKey) && !cfg.SigningRequired():
		fmt.Fprintln(env.Stderr, "casefile: warning: no signing key configured; committing unsigned (signing policy is optional)")
	case errors.Is(err, custody.ErrNoSigningKey):
		return nil, &exitError{ExitSigning, fmt.Errorf("%w\nthis repository's signing policy is required; configure a key as for git commit -S:\n"+
			"  git config user.signingkey ~/.ssh/id_ed25519.pub && git config gpg.format ssh\n"+
			"or pass --sign-key (or set CASEFILE_SIGNING_KEY)", err)}
	default:
		return nil, &exitError{ExitSigning, fmt.Errorf("preparing signer: %w", err)}
	}
	return w, nil
}

// now reads the clock, or CASEFILE_NOW when set (for reproducible scripts).
func (env *Env) now() time.Time {
	if v := env.Getenv("CASEFILE_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
	}
	return env.Now()
}

// repoError maps store errors to exit codes with advice.
func repoError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotRepository):
		return usageError(fmt.Errorf("%w: run casefile init first", err))
	case errors.Is(err, store.ErrUncommittedChanges):
		return &exitError{ExitRepoState, fmt.Errorf("%w: commit or discard them first (git checkout -- PATH), or use casefile edit", err)}
	case errors.Is(err, store.ErrLocked):
		return &exitError{ExitRepoState, fmt.Errorf("%w: another casefile or git is writing; try again", err)}
	case errors.Is(err, store.ErrBareRepository), errors.Is(err, store.ErrDetachedHead),
		errors.Is(err, store.ErrOperationInProgress), errors.Is(err, store.ErrBranchMoved),
		errors.Is(err, store.ErrPathConflict), errors.Is(err, store.ErrUnsupportedRepository),
		errors.Is(err, store.ErrWorktreeStale):
		return &exitError{ExitRepoState, err}
	}
	return err
}

// recordPath is where a record with this ID lives: records/<year>/<ID>.yaml.
func recordPath(id string) string {
	parts := strings.Split(id, "-")
	year := ""
	if len(parts) >= 3 {
		year = parts[len(parts)-2]
	}
	return path.Join(config.RecordsDir, year, id+".yaml")
}

// fileReader reads files of one revision: a *store.Tx (HEAD under the lock)
// or a revReader.
type fileReader interface {
	ReadFile(p string) ([]byte, error)
	ListFiles(dirPrefix string) ([]string, error)
}

// revReader reads a repository at a revision without the lock.
type revReader struct {
	repo *store.Repo
	rev  string
}

func (r revReader) ReadFile(p string) ([]byte, error)         { return r.repo.ReadFile(r.rev, p) }
func (r revReader) ListFiles(prefix string) ([]string, error) { return r.repo.ListFiles(r.rev, prefix) }

// findRecord locates a record: its usual path, or anywhere under records/
// (imported records may sit elsewhere).
func findRecord(tx fileReader, id string) (string, []byte, error) {
	if err := checkID(id); err != nil {
		return "", nil, err
	}
	p := recordPath(id)
	data, err := tx.ReadFile(p)
	if err == nil {
		return p, data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", nil, err
	}
	files, err := tx.ListFiles(config.RecordsDir)
	if err != nil {
		return "", nil, err
	}
	for _, f := range files {
		if path.Base(f) == id+".yaml" {
			data, err := tx.ReadFile(f)
			return f, data, err
		}
	}
	return "", nil, usageError(fmt.Errorf("no record %s in this repository", id))
}

// checkID refuses an ID given on the command line that record.CheckID
// refuses, as a usage error.
func checkID(id string) error {
	if err := record.CheckID(id); err != nil {
		return usageError(err)
	}
	return nil
}

// change is one edit of one record.
type change struct {
	id      string
	verb    string // subject verb: report, classify, contain, …
	summary string
	action  string // Casefile-Action trailer
	extra   map[string][]byte
	// streams are files committed from local copies, streamed (evidence).
	streams map[string]string
}

// commitDoc validates doc with the lint rules and commits it. Nothing
// invalid is ever committed: error findings abort the write.
func (w *writer) commitDoc(ctx context.Context, tx *store.Tx, p string, doc *record.Doc, c change) (string, error) {
	data, err := doc.Encode()
	if err != nil {
		return "", err
	}
	// Lint the bytes that will be committed, parsed afresh, so positions in
	// findings match the file.
	fresh, err := record.Parse(p, data)
	if err != nil {
		return "", err
	}
	if err := w.check(fresh); err != nil {
		return "", err
	}
	files := map[string][]byte{p: data}
	for k, v := range c.extra {
		files[k] = v
	}
	subject := c.id + ": " + c.verb
	if c.summary != "" {
		subject += " — " + oneLine(c.summary, 72)
	}
	msg := subject + "\n\nCasefile-Record: " + c.id + "\nCasefile-Action: " + c.action + "\n"
	hash, err := tx.Commit(ctx, store.Change{
		Files:     files,
		Streams:   c.streams,
		Message:   msg,
		Author:    store.Person{Name: w.author.Name, Email: w.author.Email, When: w.now},
		Committer: store.Person{Name: w.commit.Name, Email: w.commit.Email, When: w.now},
		Signer:    w.signer,
	})
	if err != nil {
		if errors.Is(err, store.ErrNothingToCommit) {
			return "", usageError(fmt.Errorf("%s: nothing changed", c.id))
		}
		return hash, repoError(err)
	}
	return hash, nil
}

// commitFiles commits files that are not records (the trust files) under
// the lock, after prepare has read HEAD and built them.
func (w *writer) commitFiles(ctx context.Context, subject, action string, prepare func(tx *store.Tx) (map[string][]byte, error)) (string, error) {
	var hash string
	err := w.repo.WithLock(ctx, func(tx *store.Tx) error {
		files, err := prepare(tx)
		if err != nil {
			return err
		}
		hash, err = tx.Commit(ctx, store.Change{
			Files:     files,
			Message:   subject + "\n\nCasefile-Action: " + action + "\n",
			Author:    store.Person{Name: w.author.Name, Email: w.author.Email, When: w.now},
			Committer: store.Person{Name: w.commit.Name, Email: w.commit.Email, When: w.now},
			Signer:    w.signer,
		})
		if errors.Is(err, store.ErrNothingToCommit) {
			return usageError(errors.New("nothing changed"))
		}
		return err
	})
	if err != nil {
		return "", repoError(err)
	}
	return hash, nil
}

// check lints one document the way casefile lint would; error findings are
// printed and refuse the write, warnings are printed.
func (w *writer) check(doc *record.Doc) error {
	l, err := lint.New(lint.Options{Config: w.cfg, Now: w.now})
	if err != nil {
		return err
	}
	res := l.LintDoc(doc)
	errs := 0
	w.lastFindings = nil
	for _, f := range res.Findings {
		fmt.Fprintln(w.env.Stderr, f.String())
		w.lastFindings = append(w.lastFindings, f.String())
		if f.Severity == lint.Error {
			errs++
		}
	}
	if errs > 0 {
		return &exitError{ExitFindings, fmt.Errorf("not committed: the record would have %d %s", errs, plural(errs, "error", "errors"))}
	}
	return nil
}

// update loads a record at HEAD under the repository lock, lets mutate
// change it, and commits the result.
func (w *writer) update(ctx context.Context, id string, mutate func(doc *record.Doc, r *record.Record) (change, error)) (string, error) {
	var hash string
	err := w.repo.WithLock(ctx, func(tx *store.Tx) error {
		p, data, err := findRecord(tx, id)
		if err != nil {
			return err
		}
		doc, err := record.Parse(p, data)
		if err != nil {
			return fmt.Errorf("reading %s: %w (fix it with casefile edit)", id, err)
		}
		r, err := doc.Record()
		if err != nil {
			return fmt.Errorf("reading %s: %w (fix it with casefile edit)", id, err)
		}
		c, err := mutate(doc, r)
		if err != nil {
			return err
		}
		c.id = id
		hash, err = w.commitDoc(ctx, tx, p, doc, c)
		return err
	})
	if err != nil {
		return "", repoError(err)
	}
	return hash, nil
}

// nextID allocates the next ID of a kind for the year of now. It looks at
// HEAD and at the tips of every local and remote-tracking branch, so a
// record filed on another branch (an open pull request) keeps its number;
// lint's id-unique rule catches a duplicate that still slips through.
func (w *writer) nextID(tx *store.Tx, kind string) (string, error) {
	prefix := w.cfg.Prefix(kind)
	year := strconv.Itoa(w.now.UTC().Year())
	dir := path.Join(config.RecordsDir, year)
	maxSeq := 0
	scan := func(files []string) {
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".yaml")
			rest, ok := strings.CutPrefix(name, prefix+"-"+year+"-")
			if !ok {
				continue
			}
			if n, err := strconv.Atoi(rest); err == nil && n > maxSeq {
				maxSeq = n
			}
		}
	}
	files, err := tx.ListFiles(dir)
	if err != nil {
		return "", err
	}
	scan(files)
	tips, err := w.repo.BranchTips()
	if err != nil {
		return "", err
	}
	for _, tip := range tips {
		if tip == tx.Head() {
			continue
		}
		files, err := w.repo.ListFiles(tip, dir)
		if err != nil {
			return "", err
		}
		scan(files)
	}
	return fmt.Sprintf("%s-%s-%0*d", prefix, year, w.cfg.IDs.Digits, maxSeq+1), nil
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// userEmail is who the commit is by: the default for reporter and decider
// fields.
func (w *writer) userEmail() string { return w.author.Email }
