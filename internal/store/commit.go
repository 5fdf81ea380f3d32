package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/faults"
)

// Person is an author or committer as recorded in a commit.
type Person struct {
	// Name is the display name; it must not contain '<', '>' or newlines.
	Name string
	// Email is the address without angle brackets.
	Email string
	// When is the time of the action; its location's offset is recorded.
	// The caller supplies it (store never reads the clock for commit data).
	When time.Time
}

// Change is one commit: new contents for a few files. Records are never
// deleted, so there is no way to remove a file.
type Change struct {
	// Files maps repository-relative slash paths (see CheckPath) to their
	// complete new content.
	Files map[string][]byte
	// Streams maps repository-relative slash paths to local files whose
	// content becomes the file at that path (evidence of any size): they
	// are read as streams, never whole into memory, once into the object
	// store and once into the work tree. The caller keeps each source
	// unchanged until Commit returns (a private copy); a path may not be in
	// both Files and Streams.
	Streams map[string]string
	// Message is the full commit message: subject, blank line, body and
	// trailers. A missing final newline is added.
	Message string
	// Author is who made the change.
	Author Person
	// Committer is who recorded it; a zero Name means the Author.
	Committer Person
	// Signer signs the commit; nil makes an unsigned commit (the caller
	// applies the repository's signing policy).
	Signer custody.Signer
	// AllowEmpty permits a commit that leaves the tree unchanged, which is
	// otherwise refused with ErrNothingToCommit.
	AllowEmpty bool
}

// faultHook, when set (only by tests via export_test.go), is called at each
// step of the commit path; a non-nil error aborts the commit there, and a
// helper process may exit instead to simulate a crash.
var faultHook func(step string) error

// Steps of the commit path, in order, as passed to faultHook and, prefixed
// with "store.", to faults.Point (which a faultinject build turns into a
// SIGKILL for the crash tests).
const (
	stepLocked   = "locked"   // index.lock taken, journal written
	stepObjects  = "objects"  // blobs, trees and commit written
	stepRef      = "ref"      // branch updated (the commit point)
	stepWorktree = "worktree" // work-tree files written
	stepIndex    = "index"    // index written, lock not yet released
)

func fault(step string) error {
	faults.Point("store." + step)
	if faultHook == nil {
		return nil
	}
	return faultHook(step)
}

// Tx is a locked view of the repository handed to the function passed to
// WithLock: HEAD cannot move while it runs, so a decision made from its
// files (such as the next record number) is still valid at Commit.
type Tx struct {
	r         *Repo
	lock      *indexLock
	head      headState
	tree      plumbing.Hash
	committed bool
}

// WithLock takes the repository lock (.git/index.lock), runs fn, and
// releases the lock. At most one Commit may be made through the Tx; reads
// see HEAD as of taking the lock (and the new commit after Commit).
func (r *Repo) WithLock(ctx context.Context, fn func(tx *Tx) error) error {
	lock, err := r.acquireIndexLock(ctx)
	if err != nil {
		return err
	}
	defer lock.release()
	r.sweepTemps()
	if err := fault(stepLocked); err != nil {
		return err
	}
	head, err := r.readHead()
	if err != nil {
		return fmt.Errorf("reading HEAD: %w", err)
	}
	tx := &Tx{r: r, lock: lock, head: head}
	if !head.hash.IsZero() {
		if tx.tree, err = r.commitTree(head.hash); err != nil {
			return err
		}
	}
	return fn(tx)
}

// Commit makes one commit under the repository lock; see Tx.Commit.
func (r *Repo) Commit(ctx context.Context, c Change) (string, error) {
	var hash string
	err := r.WithLock(ctx, func(tx *Tx) error {
		var err error
		hash, err = tx.Commit(ctx, c)
		return err
	})
	return hash, err
}

// Head returns the commit HEAD pointed to when the lock was taken (or the
// commit just made), "" for an unborn branch.
func (tx *Tx) Head() string {
	if tx.head.hash.IsZero() {
		return ""
	}
	return tx.head.hash.String()
}

// ReadFile returns the content of p in the locked HEAD; see Repo.ReadFile.
func (tx *Tx) ReadFile(p string) ([]byte, error) {
	return tx.r.readFileAt(tx.tree, p)
}

// ListFiles lists files below dirPrefix in the locked HEAD; see
// Repo.ListFiles.
func (tx *Tx) ListFiles(dirPrefix string) ([]string, error) {
	return tx.r.listFilesAt(tx.tree, dirPrefix)
}

// Commit records c on the current branch without scanning the work tree.
//
// The steps, in the order chosen for crash safety, all under
// .git/index.lock, which holds casefile's journal (pid, host, and from step
// 2 on the branch, old and new commit and the paths):
//
//  1. Validate everything (paths, identities, repository state, the user's
//     uncommitted changes on these paths, symlinks) and write the blobs,
//     trees and the signed commit as loose objects (each fsynced), or, for
//     a change of packThreshold (64) or more files in c.Files (an import),
//     into one pack and v2 index (PackWriter) that are fsynced once and
//     then renamed into objects/pack. A failure or crash here leaves only
//     unreachable objects (or a tmp_pack_ file, which git prune removes),
//     which git ignores and eventually prunes: branch, index and work tree
//     are unchanged.
//  2. Append the new commit and the paths to the journal, then
//     compare-and-swap the branch ref (ref.lock, verify old value, rename).
//     This rename is the single commit point: before it nothing visible
//     changed, after it the commit is in history.
//  3. Write each work-tree file atomically (temp file, fsync, rename). For
//     a change of packThreshold files or more, on Linux, the files are
//     written by a few goroutines without an fsync each and made durable
//     by one syncfs(2) of the work tree's filesystem before step 4, so
//     the index never describes files that are not durable. No fsync per
//     file is needed for crash safety: until the lock is removed, its
//     journal makes the next writer rewrite these paths from the (already
//     durable) commit.
//  4. Write the index (only the changed entries differ) into a temp file
//     and rename it over .git/index; then remove index.lock.
//
// The work tree is written before the index, as git's own checkout does,
// so that the index can carry the stat data of the final files and
// `git status` is clean without re-hashing.
//
// Crash safety: a process killed at any step leaves index.lock with its
// journal, and an advisory lock on it that the kernel drops with the
// process. The next writer (WithLock, Commit) that finds index.lock takes
// it over only when it is casefile's, on this host, its advisory lock is
// free and its pid no longer runs; it then finishes the interrupted commit
// if the branch already points to it (the journal's paths are written from
// that commit into the work tree and index, a file with someone's other
// content excepted) or else just drops the lock, removes the dead writer's
// temp files, and goes on with its own commit. A lock held by a live
// process, or one without a casefile journal (git's own), is never taken:
// the writer waits and fails with ErrLocked as before. Where advisory
// locks or pid checks are unavailable (Windows), nothing is taken over.
//
// An error (rather than a crash) after step 2 returns the new hash
// together with an error wrapping ErrWorktreeStale and releases the lock;
// `git checkout HEAD -- <paths>` repairs the checkout.
//
// Unrelated staged and unstaged changes are preserved: only the entries of
// c.Files are replaced in the index, and racily-clean entries are smudged
// as git does so their pending edits stay visible. Hooks are not run.
func (tx *Tx) Commit(ctx context.Context, c Change) (string, error) {
	if tx.committed {
		return "", errors.New("committing: transaction already made its commit")
	}
	r := tx.r
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	msg, author, committer, paths, err := validateChange(c)
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if err := r.checkNoOperationInProgress(); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if tx.head.branch == "" {
		return "", fmt.Errorf("committing: %w: check out a branch first (git switch main)", ErrDetachedHead)
	}

	li, err := r.readIndex()
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}

	leaves := make([]*leafChange, 0, len(paths))
	for _, p := range paths {
		if err := checkWorktreePath(r.root, p); err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		if err := li.checkIndexConflicts(p); err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		headEntry, inHead, err := r.lookup(tx.tree, p)
		if err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		var newHash plumbing.Hash
		if src, ok := c.Streams[p]; ok {
			// Written now: the hash of a stream is known only once it is
			// read. An unreachable object is all a later failure leaves.
			if newHash, err = r.writeBlobFromFile(src); err != nil {
				return "", fmt.Errorf("committing %s: %w", p, err)
			}
		} else {
			newHash = plumbing.ComputeHash(plumbing.BlobObject, c.Files[p])
		}
		if err := r.checkClean(li, p, headEntry, inHead, newHash); err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		leaves = append(leaves, &leafChange{path: p, hash: newHash})
	}

	var sink objectSink = looseSink{r}
	var pack *packSink
	if len(c.Files) >= packThreshold {
		if pack, err = r.newPackSink(); err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		defer pack.w.Abort() // a no-op once the pack is finished
		sink = pack
	}
	for _, l := range leaves {
		if _, ok := c.Streams[l.path]; ok {
			continue
		}
		h, err := sink.put(plumbing.BlobObject, c.Files[l.path])
		if err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
		l.hash = h
	}
	root, err := r.rebuildTree(sink, tx.tree, buildPathTree(leaves), "")
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if root == tx.tree && !tx.head.hash.IsZero() && !c.AllowEmpty {
		return "", fmt.Errorf("committing: %w: the files already have this content", ErrNothingToCommit)
	}

	commit := &object.Commit{
		Author:    object.Signature{Name: author.Name, Email: author.Email, When: author.When},
		Committer: object.Signature{Name: committer.Name, Email: committer.Email, When: committer.When},
		Message:   msg,
		TreeHash:  root,
	}
	if !tx.head.hash.IsZero() {
		commit.ParentHashes = []plumbing.Hash{tx.head.hash}
	}
	if c.Signer != nil {
		payload := &plumbing.MemoryObject{}
		if err := commit.EncodeWithoutSignature(payload); err != nil {
			return "", fmt.Errorf("committing: encoding commit: %w", err)
		}
		rd, err := payload.Reader()
		if err != nil {
			return "", fmt.Errorf("committing: encoding commit: %w", err)
		}
		sig, err := c.Signer.Sign(rd)
		rd.Close()
		if err != nil {
			return "", fmt.Errorf("signing commit: %w", err)
		}
		if len(sig) == 0 {
			return "", errors.New("signing commit: signer returned an empty signature")
		}
		commit.PGPSignature = string(sig)
	}
	enc := &plumbing.MemoryObject{}
	if err := commit.Encode(enc); err != nil {
		return "", fmt.Errorf("committing: encoding commit: %w", err)
	}
	content, err := readAllObject(enc)
	if err != nil {
		return "", fmt.Errorf("committing: encoding commit: %w", err)
	}
	hash, err := sink.put(plumbing.CommitObject, content)
	if err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if pack != nil {
		if err := pack.finish(); err != nil {
			return "", fmt.Errorf("committing: %w", err)
		}
	}
	if err := fault(stepObjects); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}

	// Last chance to back out cleanly: after the ref update the commit is
	// in history and cancelling would only leave the checkout stale.
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	if err := tx.lock.record(tx.head.branch, tx.head.hash, hash, paths); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	reflogMsg := "commit: " + subject(msg)
	if tx.head.hash.IsZero() {
		reflogMsg = "commit (initial): " + subject(msg)
	}
	if err := r.updateRef(tx.head.branch, tx.head.hash, hash, reflogMsg, committer); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	tx.committed = true
	tx.head.hash = hash
	tx.tree = root
	if err := fault(stepRef); err != nil {
		return hash.String(), staleError(hash, paths, err)
	}

	// From here on the commit exists; keep going on errors so that as much
	// of the checkout as possible matches it, and report what did not.
	stats, wtErrs := r.writeLeaves(leaves, c)
	if err := fault(stepWorktree); err != nil {
		return hash.String(), staleError(hash, paths, err)
	}

	if err := r.updateIndex(li, leaves, stats); err != nil {
		return hash.String(), staleError(hash, paths, err)
	}
	if err := fault(stepIndex); err != nil {
		return hash.String(), staleError(hash, paths, err)
	}
	if len(wtErrs) > 0 {
		return hash.String(), staleError(hash, paths, errors.Join(wtErrs...))
	}
	return hash.String(), nil
}

// updateIndex sets the index entries of the written leaves (with the stat
// data of the files, nil for one not written), smudges racily-clean
// entries and writes .git/index.
func (r *Repo) updateIndex(li *loadedIndex, leaves []*leafChange, stats map[string]fs.FileInfo) error {
	skip := make(map[string]bool, len(leaves))
	for _, l := range leaves {
		li.setEntry(l.path, l.hash, l.mode, stats[l.path])
		skip[l.path] = true
	}
	r.smudgeRacyEntries(li, skip)
	return r.writeIndexFile(li.idx.encode())
}

// worktreeWriters is how many goroutines write the files of a large
// change into the work tree: file creation and rename wait on the
// filesystem more than on the CPU.
const worktreeWriters = 4

// writeLeaves writes the changed files into the work tree and returns the
// stat data of those written and the errors of the others. A few files
// are written one by one, each fsynced; from packThreshold files on
// (where syncfs(2) exists) they are written by worktreeWriters goroutines
// without an fsync each, and one syncFS makes them all durable before the
// index is written and the lock released. A crash before that sync loses
// nothing: the journal in index.lock names the paths, and the next writer
// rewrites them from the commit, which is durable already.
func (r *Repo) writeLeaves(leaves []*leafChange, c Change) (map[string]fs.FileInfo, []error) {
	stats := make(map[string]fs.FileInfo, len(leaves))
	errs := make([]error, len(leaves))
	if len(leaves) < packThreshold || !canSyncFS {
		for i, l := range leaves {
			fi, err := r.writeLeaf(l, c, true)
			if err != nil {
				errs[i] = err
				continue
			}
			stats[l.path] = fi
		}
		return stats, nonNil(errs)
	}
	infos := make([]fs.FileInfo, len(leaves))
	next := make(chan int)
	var wg sync.WaitGroup
	for range worktreeWriters {
		wg.Go(func() {
			for i := range next {
				infos[i], errs[i] = r.writeLeaf(leaves[i], c, false)
			}
		})
	}
	for i := range leaves {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := syncFS(r.root); err != nil {
		// Nothing written is known to be durable: report every file and
		// leave the index entries unset (nil stat data).
		return stats, []error{fmt.Errorf("syncing the work tree: %w", err)}
	}
	for i, l := range leaves {
		if errs[i] == nil {
			stats[l.path] = infos[i]
		}
	}
	return stats, nonNil(errs)
}

func nonNil(errs []error) []error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// writeLeaf writes one changed file into the work tree, from memory or
// streamed from its source file; durable fsyncs it.
func (r *Repo) writeLeaf(l *leafChange, c Change, durable bool) (fs.FileInfo, error) {
	exec := l.mode == filemode.Executable
	src, ok := c.Streams[l.path]
	if !ok {
		return writeWorktreeFile(r.root, l.path, bytes.NewReader(c.Files[l.path]), exec, durable)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", l.path, err)
	}
	defer f.Close()
	return writeWorktreeFile(r.root, l.path, f, exec, durable)
}

func staleError(hash plumbing.Hash, paths []string, cause error) error {
	return fmt.Errorf("committed %s but %w: %w; repair with: git checkout HEAD -- %s",
		hash.String()[:12], ErrWorktreeStale, cause, strings.Join(paths, " "))
}

func subject(msg string) string {
	s, _, _ := strings.Cut(msg, "\n")
	return s
}

// validateChange normalizes and checks everything that does not need the
// repository, so that bad input fails before any object is written.
func validateChange(c Change) (msg string, author, committer Person, paths []string, err error) {
	if len(c.Files)+len(c.Streams) == 0 {
		return "", Person{}, Person{}, nil, errors.New("no files in change")
	}
	for p := range c.Files {
		if err := CheckPath(p); err != nil {
			return "", Person{}, Person{}, nil, err
		}
		paths = append(paths, p)
	}
	for p := range c.Streams {
		if err := CheckPath(p); err != nil {
			return "", Person{}, Person{}, nil, err
		}
		if _, dup := c.Files[p]; dup {
			return "", Person{}, Person{}, nil, fmt.Errorf("%s is both in Files and in Streams", p)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	msg = c.Message
	if strings.TrimSpace(msg) == "" {
		return "", Person{}, Person{}, nil, errors.New("empty commit message")
	}
	if strings.ContainsRune(msg, 0) {
		return "", Person{}, Person{}, nil, errors.New("commit message contains a NUL byte")
	}
	// Commits carry no encoding header, which declares them UTF-8.
	if !utf8.ValidString(msg) {
		return "", Person{}, Person{}, nil, errors.New("commit message is not valid UTF-8")
	}
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	author = c.Author
	committer = c.Committer
	if committer.Name == "" && committer.Email == "" {
		if committer.When.IsZero() {
			committer = author
		} else {
			committer.Name, committer.Email = author.Name, author.Email
		}
	}
	if err := checkPerson("author", author); err != nil {
		return "", Person{}, Person{}, nil, err
	}
	if err := checkPerson("committer", committer); err != nil {
		return "", Person{}, Person{}, nil, err
	}
	return msg, author, committer, paths, nil
}

func checkPerson(role string, p Person) error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return fmt.Errorf("%s name is empty", role)
	case strings.TrimSpace(p.Email) == "":
		return fmt.Errorf("%s email is empty", role)
	case strings.ContainsAny(p.Name+p.Email, "<>\n\r\x00"):
		return fmt.Errorf("%s %q <%s> contains <, > or a line break", role, p.Name, p.Email)
	case p.When.IsZero():
		return fmt.Errorf("%s time is not set", role)
	}
	return nil
}

// checkNoOperationInProgress refuses to commit into a half-finished merge,
// rebase, cherry-pick or revert, where a commit would either be swallowed
// by the operation or break it.
func (r *Repo) checkNoOperationInProgress() error {
	for _, f := range []struct{ name, what string }{
		{"MERGE_HEAD", "a merge"},
		{"rebase-merge", "a rebase"},
		{"rebase-apply", "a rebase or git am"},
		{"CHERRY_PICK_HEAD", "a cherry-pick"},
		{"REVERT_HEAD", "a revert"},
		{"sequencer", "a cherry-pick or revert sequence"},
	} {
		if _, err := os.Lstat(filepath.Join(r.gitDir, f.name)); err == nil {
			return fmt.Errorf("%w: %s is in progress; finish or abort it first", ErrOperationInProgress, f.what)
		}
	}
	return nil
}

// checkClean refuses to overwrite the user's own pending changes to a path
// being committed: a staged version that is neither HEAD's nor the new one,
// or a work-tree file whose content is neither. Writing the content the
// user already has (for example after editing the record in place) is fine.
func (r *Repo) checkClean(li *loadedIndex, p string, headEntry object.TreeEntry, inHead bool, newHash plumbing.Hash) error {
	ok := func(h plumbing.Hash) bool {
		return h == newHash || (inHead && h == headEntry.Hash)
	}
	if e, staged := li.entry(p); staged && !e.intentToAdd() {
		if !ok(e.hash()) {
			return fmt.Errorf("%w: %s has staged changes; commit, unstage or stash them first", ErrUncommittedChanges, p)
		}
	} else if inHead && !staged {
		return fmt.Errorf("%w: %s is staged for deletion; restore it first (git restore --staged %s)", ErrUncommittedChanges, p, p)
	}
	full := filepath.Join(r.root, filepath.FromSlash(p))
	data, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", p, err)
	}
	if !ok(plumbing.ComputeHash(plumbing.BlobObject, data)) {
		if inHead {
			return fmt.Errorf("%w: %s has unstaged changes; commit, discard or stash them first", ErrUncommittedChanges, p)
		}
		return fmt.Errorf("%w: %s exists in the work tree but is not committed; move it away first", ErrUncommittedChanges, p)
	}
	return nil
}
