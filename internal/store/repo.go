// Package store is casefile's only door to the records repository: it finds
// and opens the Git repository, reads files at a revision from the object
// store, and writes records through a fast commit path that touches only
// the objects, index entries and work-tree files of the paths being
// changed, so a commit costs the same with ten records or 100,000.
//
// Crash safety: a writer holds git's .git/index.lock for the whole commit
// and keeps a journal in it (pid, host, and once the objects are written
// the branch, old and new commit and the paths), with an advisory lock the
// kernel drops when the process dies. A writer killed at any step leaves
// the branch either unmoved or at the complete new commit (fsck clean);
// the next writer that finds such a lock (casefile's journal, this host,
// advisory lock free, pid gone) takes it over, finishes the work-tree and
// index steps if the branch is at the new commit or else just drops the
// lock, removes the dead writer's temp files (named with its pid, see
// Repo.CreateTemp), and proceeds. A lock of a live process, or one without
// a casefile journal (a git process), is never taken: writers wait and
// then fail with ErrLocked. See Tx.Commit for the steps.
//
// Large changes (an import of thousands of records) take a bulk path with
// the same order of steps: their objects go into one pack written with
// PackWriter instead of one fsynced loose object each, and their work-tree
// files are made durable with one syncfs(2) instead of an fsync each, the
// journal covering the files until then.
//
// Only store and custody import go-git.
package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
)

// DefaultLockTimeout is how long Commit and WithLock wait for another git
// or casefile process to release .git/index.lock before giving up.
const DefaultLockTimeout = 10 * time.Second

// Errors callers may want to tell apart with errors.Is.
var (
	// ErrNotRepository reports that no work tree was found at or above the
	// directory.
	ErrNotRepository = errors.New("not a git repository")
	// ErrBareRepository reports a repository without a work tree; records
	// are edited as files, so casefile needs one.
	ErrBareRepository = errors.New("bare repository")
	// ErrDetachedHead reports that HEAD is not on a branch, so a commit
	// would be unreachable from any branch.
	ErrDetachedHead = errors.New("HEAD is detached")
	// ErrOperationInProgress reports a merge, rebase, cherry-pick or revert
	// in progress, during which a commit would be mixed into the user's
	// half-finished operation.
	ErrOperationInProgress = errors.New("git operation in progress")
	// ErrLocked reports that .git/index.lock stayed taken for the whole
	// lock timeout.
	ErrLocked = errors.New("repository is locked")
	// ErrBranchMoved reports that the branch changed between reading HEAD
	// and updating it, which only a git process ignoring index.lock can do.
	ErrBranchMoved = errors.New("branch moved during commit")
	// ErrInvalidPath reports a path that is not a clean, relative,
	// slash-separated path inside the repository.
	ErrInvalidPath = errors.New("invalid path")
	// ErrPathConflict reports a path blocked by a directory, symlink,
	// submodule or file of another kind in HEAD, the index or the work tree.
	ErrPathConflict = errors.New("path conflict")
	// ErrUncommittedChanges reports that a path to be written has staged
	// or unstaged changes of the user's that the commit would overwrite.
	ErrUncommittedChanges = errors.New("uncommitted changes")
	// ErrNothingToCommit reports a change that leaves the tree as it is.
	ErrNothingToCommit = errors.New("nothing to commit")
	// ErrWorktreeStale reports that the commit is on the branch but the work
	// tree or index could not be updated afterwards. The returned hash is
	// valid; the error says how to repair the checkout.
	ErrWorktreeStale = errors.New("work tree not updated")
	// ErrUnsupportedRepository reports repository formats go-git cannot
	// write safely (SHA-256 objects, reftable refs, split or sparse index).
	ErrUnsupportedRepository = errors.New("unsupported repository format")
)

// Repo is an open records repository with a work tree. It is safe for use
// by several goroutines; commits are serialized by the repository lock.
type Repo struct {
	root      string
	gitDir    string
	commonDir string

	repo *git.Repository
	objs storage.Storer
	// mu serializes go-git object reads, whose caches are not documented
	// as safe for concurrent use.
	mu sync.Mutex
	// sem queues goroutines of this process for the repository lock, so
	// they wait on a channel rather than poll the lock file.
	sem chan struct{}

	lockTimeout   time.Duration
	logRefUpdates bool
	// notice receives one-line reports of recoveries (see SetNotice).
	notice func(msg string)
}

// Open finds the repository whose work tree contains dir, walking up as git
// does. Linked worktrees (a .git file) are supported; bare repositories and
// directories inside .git are rejected.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("opening repository: %s is not a directory", abs)
	}
	for d := abs; ; {
		dotgit := filepath.Join(d, ".git")
		fi, err := os.Stat(dotgit) // follows a symlinked .git, as git does
		switch {
		case err == nil && fi.IsDir():
			return openAt(d, dotgit)
		case err == nil && fi.Mode().IsRegular():
			gd, err := readGitFile(dotgit)
			if err != nil {
				return nil, fmt.Errorf("opening repository: %w", err)
			}
			return openAt(d, gd)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("opening repository: %w", err)
		}
		if isGitDir(d) {
			if filepath.Base(d) == ".git" {
				return nil, fmt.Errorf("opening repository: %s is inside a .git directory, run casefile in the work tree", abs)
			}
			return nil, fmt.Errorf("opening repository %s: %w: casefile needs a work tree (git clone without --bare)", d, ErrBareRepository)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, fmt.Errorf("opening repository: %w (or any parent up to /): %s", ErrNotRepository, abs)
		}
		d = parent
	}
}

// isGitDir mirrors git's is_git_directory: HEAD, objects/ and refs/.
func isGitDir(d string) bool {
	for _, p := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(d, p)); err != nil {
			return false
		}
	}
	return true
}

func readGitFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	g, ok := strings.CutPrefix(s, "gitdir:")
	if !ok {
		return "", fmt.Errorf("%s: not a gitdir file", p)
	}
	g = strings.TrimSpace(g)
	if !filepath.IsAbs(g) {
		g = filepath.Join(filepath.Dir(p), g)
	}
	// A linked worktree's git directory has HEAD and a commondir file but
	// no objects of its own.
	if _, err := os.Stat(filepath.Join(g, "HEAD")); err != nil {
		return "", fmt.Errorf("%s: gitdir %s is not a git directory", p, g)
	}
	return filepath.Clean(g), nil
}

func openAt(root, gitDir string) (*Repo, error) {
	commonDir := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		commonDir = filepath.Clean(c)
	}
	if !isGitDir(commonDir) {
		return nil, fmt.Errorf("opening repository %s: %w: %s is not a git directory", root, ErrNotRepository, commonDir)
	}

	// go-git finds the same git directory from the work tree root, and
	// with EnableDotGitCommonDir reads objects and refs of linked
	// worktrees from the common directory.
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", root, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("reading config of %s: %w", root, err)
	}
	ext := cfg.Raw.Section("extensions")
	if f := strings.ToLower(ext.Option("objectformat")); f != "" && f != "sha1" {
		return nil, fmt.Errorf("opening repository %s: %w: object format %s", root, ErrUnsupportedRepository, f)
	}
	if f := strings.ToLower(ext.Option("refstorage")); f != "" && f != "files" {
		return nil, fmt.Errorf("opening repository %s: %w: ref storage %s", root, ErrUnsupportedRepository, f)
	}
	if cfg.Core.IsBare {
		return nil, fmt.Errorf("opening repository %s: %w (core.bare = true)", root, ErrBareRepository)
	}
	logAll := strings.ToLower(cfg.Raw.Section("core").Option("logallrefupdates"))
	return &Repo{
		root:          root,
		gitDir:        gitDir,
		commonDir:     commonDir,
		repo:          repo,
		objs:          packAwareStorer{repo.Storer},
		sem:           make(chan struct{}, 1),
		lockTimeout:   DefaultLockTimeout,
		logRefUpdates: logAll != "false" && logAll != "no" && logAll != "off" && logAll != "0",
	}, nil
}

// Init creates a repository with an unborn "main" branch in dir, creating
// dir if needed, or opens the repository if dir is already a work tree root.
func Init(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("initializing repository: %w", err)
	}
	if _, err := os.Lstat(filepath.Join(abs, ".git")); err == nil {
		return Open(abs)
	}
	if isGitDir(abs) {
		return nil, fmt.Errorf("initializing repository %s: %w", abs, ErrBareRepository)
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return nil, fmt.Errorf("initializing repository: %w", err)
	}
	_, err = git.PlainInitWithOptions(abs, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return nil, fmt.Errorf("initializing repository %s: %w", abs, err)
	}
	return Open(abs)
}

// Root returns the absolute path of the work tree's top directory.
func (r *Repo) Root() string { return r.root }

// GitDir returns the repository's git directory (the worktree-specific
// one for linked worktrees), where HEAD and the index live.
func (r *Repo) GitDir() string { return r.gitDir }

// SetLockTimeout changes how long commits wait for the repository lock;
// zero or negative means DefaultLockTimeout.
func (r *Repo) SetLockTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultLockTimeout
	}
	r.lockTimeout = d
}

// SetNotice sets where one-line reports go when a writer recovers from a
// casefile process killed mid-commit (see Tx.Commit); nil discards them.
func (r *Repo) SetNotice(f func(msg string)) { r.notice = f }

func (r *Repo) note(msg string) {
	if r.notice != nil {
		r.notice(msg)
	}
}

// Head returns the commit hash the current branch points to, or "" when
// the branch is unborn (a new repository). A detached HEAD is reported as
// its commit; only Commit refuses it.
func (r *Repo) Head() (string, error) {
	h, err := r.readHead()
	if err != nil {
		return "", fmt.Errorf("reading HEAD: %w", err)
	}
	if h.hash.IsZero() {
		return "", nil
	}
	return h.hash.String(), nil
}

// Branch returns the short name of the current branch ("main"), or "" when
// HEAD is detached.
func (r *Repo) Branch() (string, error) {
	h, err := r.readHead()
	if err != nil {
		return "", fmt.Errorf("reading HEAD: %w", err)
	}
	return strings.TrimPrefix(h.branch, "refs/heads/"), nil
}

// resolveTree returns the root tree of rev ("" or "HEAD" for the current
// branch), or a zero hash for an unborn branch.
func (r *Repo) resolveTree(rev string) (plumbing.Hash, error) {
	var commit plumbing.Hash
	if rev == "" || rev == "HEAD" {
		h, err := r.readHead()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h.hash.IsZero() {
			return plumbing.ZeroHash, nil
		}
		commit = h.hash
	} else {
		r.mu.Lock()
		h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
		r.mu.Unlock()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("resolving %s: %w", rev, err)
		}
		commit = *h
	}
	return r.commitTree(commit)
}

func (r *Repo) commitTree(commit plumbing.Hash) (plumbing.Hash, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := object.GetCommit(r.objs, commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading commit %s: %w", commit, err)
	}
	return c.TreeHash, nil
}

func (r *Repo) getTree(h plumbing.Hash) (*object.Tree, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := object.GetTree(r.objs, h)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	return t, nil
}

// lookup finds the tree entry for a slash path below root; ok is false when
// the path does not exist.
func (r *Repo) lookup(root plumbing.Hash, p string) (object.TreeEntry, bool, error) {
	if root.IsZero() {
		return object.TreeEntry{}, false, nil
	}
	cur := root
	parts := strings.Split(p, "/")
	for i, name := range parts {
		t, err := r.getTree(cur)
		if err != nil {
			return object.TreeEntry{}, false, err
		}
		e, found := findEntry(t, name)
		if !found {
			return object.TreeEntry{}, false, nil
		}
		if i == len(parts)-1 {
			return e, true, nil
		}
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, false, nil
		}
		cur = e.Hash
	}
	return object.TreeEntry{}, false, nil
}

func findEntry(t *object.Tree, name string) (object.TreeEntry, bool) {
	for _, e := range t.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return object.TreeEntry{}, false
}

func (r *Repo) readBlob(h plumbing.Hash) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := object.GetBlob(r.objs, h)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	return data, nil
}

// ReadFile returns the content of path at rev ("" or "HEAD" for the
// current branch, otherwise anything `git rev-parse` accepts that go-git
// understands: a branch, tag or hash) from the object store, never from
// the work tree, so uncommitted edits cannot leak into a commit. A missing
// path (or an unborn branch) yields an error matching fs.ErrNotExist.
func (r *Repo) ReadFile(rev, p string) ([]byte, error) {
	tree, err := r.resolveTree(rev)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return r.readFileAt(tree, p)
}

func (r *Repo) readFileAt(tree plumbing.Hash, p string) ([]byte, error) {
	if err := CheckPath(p); err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	e, ok, err := r.lookup(tree, p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", p, fs.ErrNotExist)
	}
	if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
		return nil, fmt.Errorf("reading %s: %w: not a regular file (mode %o)", p, ErrPathConflict, uint32(e.Mode))
	}
	return r.readBlob(e.Hash)
}

// FileSize returns the size in bytes of path at rev without reading its
// content, so callers can refuse huge files before loading them.
func (r *Repo) FileSize(rev, p string) (int64, error) {
	tree, err := r.resolveTree(rev)
	if err != nil {
		return 0, fmt.Errorf("sizing %s: %w", p, err)
	}
	if err := CheckPath(p); err != nil {
		return 0, fmt.Errorf("sizing %s: %w", p, err)
	}
	e, ok, err := r.lookup(tree, p)
	if err != nil {
		return 0, fmt.Errorf("sizing %s: %w", p, err)
	}
	if !ok {
		return 0, fmt.Errorf("sizing %s: %w", p, fs.ErrNotExist)
	}
	if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
		return 0, fmt.Errorf("sizing %s: %w: not a regular file (mode %o)", p, ErrPathConflict, uint32(e.Mode))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.objs.EncodedObject(plumbing.BlobObject, e.Hash)
	if err != nil {
		return 0, fmt.Errorf("sizing %s: %w", p, err)
	}
	return o.Size(), nil
}

// ListFiles returns the sorted repository-relative paths of all files
// (regular files, executables and symlinks, but not submodules) at rev
// below dirPrefix ("" for the whole tree, "records" or "records/" for a
// directory). A missing directory yields an empty list.
func (r *Repo) ListFiles(rev, dirPrefix string) ([]string, error) {
	tree, err := r.resolveTree(rev)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dirPrefix, err)
	}
	return r.listFilesAt(tree, dirPrefix)
}

func (r *Repo) listFilesAt(tree plumbing.Hash, dirPrefix string) ([]string, error) {
	prefix := strings.TrimSuffix(dirPrefix, "/")
	if tree.IsZero() {
		return nil, nil
	}
	start := tree
	if prefix != "" {
		if err := CheckPath(prefix); err != nil {
			return nil, fmt.Errorf("listing %s: %w", dirPrefix, err)
		}
		e, ok, err := r.lookup(tree, prefix)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", dirPrefix, err)
		}
		if !ok || e.Mode != filemode.Dir {
			return nil, nil
		}
		start = e.Hash
	}
	var out []string
	var walk func(h plumbing.Hash, dir string) error
	walk = func(h plumbing.Hash, dir string) error {
		t, err := r.getTree(h)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			p := path.Join(dir, e.Name)
			switch e.Mode {
			case filemode.Dir:
				if err := walk(e.Hash, p); err != nil {
					return err
				}
			case filemode.Submodule:
			default:
				out = append(out, p)
			}
		}
		return nil
	}
	if err := walk(start, prefix); err != nil {
		return nil, fmt.Errorf("listing %s: %w", dirPrefix, err)
	}
	sort.Strings(out)
	return out, nil
}
