package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// indexLock is a held .git/index.lock. Using git's own lock file (rather
// than a casefile-specific one) means `git commit`, `git add` and other
// casefile processes all exclude each other. While casefile holds it, the
// file contains casefile's journal (see journal) and carries an advisory
// lock that dies with the process, so a lock left by a killed casefile can
// be recognised and taken over (see takeOver).
type indexLock struct {
	path string
	f    *os.File
	sem  chan struct{}
	held bool
	j    *journal
}

// acquireIndexLock takes .git/index.lock with O_CREATE|O_EXCL, retrying with
// jittered exponential backoff until the context ends or the repository's
// lock timeout passes. A lock left by a casefile process that was killed is
// taken over: the interrupted commit is finished (or abandoned if its ref
// update never happened) and the lock freed, then taken as usual.
func (r *Repo) acquireIndexLock(ctx context.Context) (*indexLock, error) {
	timeout := r.lockTimeout
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for repository lock: %w", ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("waiting for repository lock: %w: another casefile commit in this process took longer than %s", ErrLocked, timeout)
	}

	p := filepath.Join(r.gitDir, "index.lock")
	delay := 2 * time.Millisecond
	for {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			l := &indexLock{path: p, f: f, sem: r.sem, held: true, j: newJournal()}
			tryLockFile(f)
			if _, err := f.Write(l.j.header()); err != nil {
				l.release()
				return nil, fmt.Errorf("locking repository: writing %s: %w", p, err)
			}
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			<-r.sem
			return nil, fmt.Errorf("locking repository: %w", err)
		}
		if f, j := takeOver(p); f != nil {
			err := r.finishInterrupted(j)
			if err != nil {
				// Keep the lock and journal (now naming this process) for
				// the next writer to try again once this one has exited.
				f.Close()
				<-r.sem
				return nil, err
			}
			f.Close()
			os.Remove(p)
			continue
		}
		wait := delay/2 + rand.N(delay)
		select {
		case <-ctx.Done():
			<-r.sem
			return nil, fmt.Errorf("waiting for %s: %w", p, ctx.Err())
		case <-timer.C:
			<-r.sem
			return nil, fmt.Errorf("waiting for %s: %w: another git process seems to be running in this repository; if not, remove the file", p, ErrLocked)
		case <-time.After(wait):
		}
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
}

// takeOver claims index.lock at p if it was left by a casefile process of
// this host that no longer runs: its journal is complete, its advisory
// lock is free (the kernel drops it when the holder dies) and its pid is
// gone. Holding the advisory lock excludes other processes trying the
// same, and rewriting the pid makes the lock this process's own. A lock
// held by a live process, or one without a casefile journal (git's own),
// is never taken: f is nil.
func takeOver(p string) (*os.File, *journal) {
	if !canRecover {
		return nil, nil
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return nil, nil
	}
	if !tryLockFile(f) {
		f.Close()
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	j, ok := parseJournal(data)
	if err != nil || !ok || !j.stale() {
		f.Close()
		return nil, nil
	}
	// The file may have been removed (and a new lock made) between open
	// and the advisory lock: only the file still at p counts.
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, nil
	} else if cur, err := os.Stat(p); err != nil || !os.SameFile(fi, cur) {
		f.Close()
		return nil, nil
	}
	if _, err := f.WriteAt([]byte(pidField(os.Getpid())), int64(pidOffset)); err != nil {
		f.Close()
		return nil, nil
	}
	return f, j
}

// finishInterrupted completes the commit a killed casefile process was
// making, as recorded in its journal, while holding its index.lock. If the
// branch was already moved to the new commit (the commit point passed),
// the work-tree files and index entries of the journal's paths are brought
// to that commit; otherwise the new objects are merely unreachable and
// nothing needs doing. Temp files of the dead writer are removed either way.
func (r *Repo) finishInterrupted(j *journal) error {
	for _, p := range j.paths {
		removeWorktreeTemps(r.root, p)
	}
	r.sweepTemps()
	if j.new.IsZero() {
		r.note(fmt.Sprintf("removed the lock of casefile process %d, killed before it committed", j.pid))
		return nil
	}
	removeStaleRefLock(r.refPath(j.branch), j.new)
	cur, _, err := r.resolveRef(j.branch)
	if err != nil {
		return fmt.Errorf("recovering an interrupted commit: %w", err)
	}
	head, err := r.readHead()
	if err != nil {
		return fmt.Errorf("recovering an interrupted commit: reading HEAD: %w", err)
	}
	if cur != j.new || head.branch != j.branch {
		r.note(fmt.Sprintf("removed the lock of casefile process %d, killed before its commit %s reached %s", j.pid, j.new.String()[:12], j.branch))
		return nil
	}
	if err := r.checkoutInterrupted(j); err != nil {
		return fmt.Errorf("recovering commit %s of casefile process %d: %w: %w", j.new.String()[:12], j.pid, ErrWorktreeStale, err)
	}
	r.note(fmt.Sprintf("finished commit %s of casefile process %d, killed after the commit point: updated %d %s in the work tree and index",
		j.new.String()[:12], j.pid, len(j.paths), pluralS(len(j.paths), "path", "paths")))
	return nil
}

func pluralS(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkoutInterrupted writes the journal's paths from the new commit into
// the work tree (a file already holding the new content is kept; one
// holding neither the old nor the new content is someone's edit and is
// left alone, with a zeroed index entry so git shows it as modified) and
// updates their index entries.
func (r *Repo) checkoutInterrupted(j *journal) error {
	tree, err := r.commitTree(j.new)
	if err != nil {
		return err
	}
	var oldTree plumbing.Hash
	if !j.old.IsZero() {
		if oldTree, err = r.commitTree(j.old); err != nil {
			return err
		}
	}
	li, err := r.readIndex()
	if err != nil {
		return err
	}
	var leaves []*leafChange
	stats := map[string]fs.FileInfo{}
	for _, p := range j.paths {
		e, ok, err := r.lookup(tree, p)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		l := &leafChange{path: p, hash: e.Hash, mode: e.Mode}
		leaves = append(leaves, l)
		full := filepath.Join(r.root, filepath.FromSlash(p))
		wt, exists, err := hashWorktreeFile(full)
		if err != nil {
			return err
		}
		if exists && wt == l.hash {
			if stats[p], err = os.Lstat(full); err != nil {
				return err
			}
			continue
		}
		if exists {
			if oe, inOld, err := r.lookup(oldTree, p); err != nil {
				return err
			} else if oldTree.IsZero() || !inOld || oe.Hash != wt {
				continue // not ours to overwrite
			}
		}
		fi, err := r.writeLeafFromObject(l)
		if err != nil {
			return err
		}
		stats[p] = fi
	}
	return r.updateIndex(li, leaves, stats)
}

// writeLeafFromObject streams a committed blob into the work tree.
func (r *Repo) writeLeafFromObject(l *leafChange) (fs.FileInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.objs.EncodedObject(plumbing.BlobObject, l.hash)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", l.hash, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", l.hash, err)
	}
	defer rd.Close()
	return writeWorktreeFile(r.root, l.path, rd, l.mode == filemode.Executable, true)
}

// hashWorktreeFile returns the blob hash of a regular file, streamed.
func hashWorktreeFile(full string) (plumbing.Hash, bool, error) {
	f, err := os.Open(full)
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if !fi.Mode().IsRegular() {
		return plumbing.ZeroHash, true, nil
	}
	h := plumbing.NewHasher(plumbing.BlobObject, fi.Size())
	if _, err := io.Copy(h, f); err != nil {
		return plumbing.ZeroHash, false, err
	}
	return h.Sum(), true, nil
}

// removeStaleRefLock removes "<ref>.lock" when it holds exactly the commit
// the killed writer was installing: its ref update was cut short.
func removeStaleRefLock(refFile string, new plumbing.Hash) {
	lock := refFile + ".lock"
	b, err := os.ReadFile(lock)
	if err == nil && string(b) == new.String()+"\n" {
		os.Remove(lock)
	}
}

// record appends the commit section to the journal: from now on a killed
// process's lock tells the next writer which commit to finish.
func (l *indexLock) record(branch string, old, new plumbing.Hash, paths []string) error {
	l.j.branch, l.j.old, l.j.new, l.j.paths = branch, old, new, paths
	if _, err := l.f.Write(l.j.commitSection()); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	return nil
}

// writeIndexFile replaces .git/index with data through a temp file and a
// rename, while index.lock (and its journal) stays held: a crash after the
// rename still leaves the journal for the next writer.
func (r *Repo) writeIndexFile(data []byte) error {
	dir := r.gitDir
	tmp, err := createTemp(dir, "index")
	if err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing index: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "index")); err != nil {
		return fmt.Errorf("replacing index: %w", err)
	}
	ok = true
	return nil
}

// release drops the lock: the descriptor (and the advisory lock) is
// closed, then the lock file and with it the journal removed. In between,
// a writer looking at the lock finds a live pid and waits.
func (l *indexLock) release() {
	if !l.held {
		return
	}
	l.held = false
	l.f.Close()
	os.Remove(l.path)
	<-l.sem
}
