package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// refLockTimeout matches git's core.filesRefLockTimeout default: the ref
// lock is only ever held for a moment, so waiting longer means trouble.
const refLockTimeout = 100 * time.Millisecond

// headState is what HEAD says: the branch it is on ("" when detached) and
// the commit that branch points to (zero when unborn).
type headState struct {
	branch string
	hash   plumbing.Hash
}

// readHead reads HEAD and the branch ref directly from the files rather
// than through go-git, so that the compare-and-swap in updateRef compares
// against exactly what was read.
func (r *Repo) readHead() (headState, error) {
	b, err := os.ReadFile(filepath.Join(r.gitDir, "HEAD"))
	if err != nil {
		return headState{}, err
	}
	s := strings.TrimSpace(string(b))
	if target, ok := strings.CutPrefix(s, "ref:"); ok {
		target = strings.TrimSpace(target)
		if !strings.HasPrefix(target, "refs/heads/") {
			return headState{}, fmt.Errorf("HEAD points to %s, not a branch", target)
		}
		h, _, err := r.resolveRef(target)
		if err != nil {
			return headState{}, err
		}
		return headState{branch: target, hash: h}, nil
	}
	if !plumbing.IsHash(s) {
		return headState{}, fmt.Errorf("HEAD is malformed: %q", abbreviate(s))
	}
	return headState{hash: plumbing.NewHash(s)}, nil
}

// resolveRef returns the hash of a branch from its loose file or, failing
// that, from packed-refs; found is false for an unborn branch.
func (r *Repo) resolveRef(name string) (hash plumbing.Hash, found bool, err error) {
	b, err := os.ReadFile(r.refPath(name))
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if strings.HasPrefix(s, "ref:") {
			return plumbing.ZeroHash, false, fmt.Errorf("%s is a symbolic ref", name)
		}
		if !plumbing.IsHash(s) {
			return plumbing.ZeroHash, false, fmt.Errorf("%s is malformed: %q", name, abbreviate(s))
		}
		return plumbing.NewHash(s), true, nil
	case errors.Is(err, fs.ErrNotExist):
	case isDirErr(r.refPath(name)):
		return plumbing.ZeroHash, false, fmt.Errorf("%s: a directory is in the way of the ref", name)
	default:
		return plumbing.ZeroHash, false, err
	}

	f, err := os.Open(filepath.Join(r.commonDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) < 42 || line[0] == '#' || line[0] == '^' {
			continue
		}
		if string(line[41:]) == name && line[40] == ' ' && plumbing.IsHash(string(line[:40])) {
			return plumbing.NewHash(string(line[:40])), true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("reading packed-refs: %w", err)
	}
	return plumbing.ZeroHash, false, nil
}

func isDirErr(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// refPath is where a branch's loose ref lives: branches are shared by all
// worktrees, so in the common directory.
func (r *Repo) refPath(name string) string {
	return filepath.Join(r.commonDir, filepath.FromSlash(name))
}

// updateRef moves a branch from old (zero for an unborn branch) to new with
// git's lock protocol: create "<ref>.lock" exclusively, verify the current
// value under the lock, write and fsync the new value, rename over the ref.
// The rename is the commit point of the whole write path. An empty
// reflogMsg writes no reflog (tags, as git does by default).
func (r *Repo) updateRef(name string, old, new plumbing.Hash, reflogMsg string, who Person) error {
	refFile := r.refPath(name)
	if err := os.MkdirAll(filepath.Dir(refFile), 0o777); err != nil {
		return fmt.Errorf("locking %s: %w", name, err)
	}
	lockName := refFile + ".lock"
	var lock *os.File
	deadline := time.Now().Add(refLockTimeout)
	for {
		f, err := os.OpenFile(lockName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			lock = f
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("locking %s: %w", name, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("locking %s: %w: %s exists; if no git process is running, remove it", name, ErrLocked, lockName)
		}
		time.Sleep(5 * time.Millisecond)
	}
	renamed := false
	defer func() {
		if !renamed {
			lock.Close()
			os.Remove(lockName)
		}
	}()

	cur, _, err := r.resolveRef(name)
	if err != nil {
		return fmt.Errorf("reading %s under lock: %w", name, err)
	}
	if cur != old {
		return fmt.Errorf("updating %s: %w: expected %s, found %s", name, ErrBranchMoved, hashOrUnborn(old), hashOrUnborn(cur))
	}
	if _, err := lock.WriteString(new.String() + "\n"); err != nil {
		return fmt.Errorf("writing %s: %w", lockName, err)
	}
	if err := lock.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", lockName, err)
	}
	if err := lock.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", lockName, err)
	}
	if err := os.Rename(lockName, refFile); err != nil {
		return fmt.Errorf("updating %s: %w", name, err)
	}
	renamed = true
	syncDir(filepath.Dir(refFile))

	if r.logRefUpdates && reflogMsg != "" {
		line := reflogLine(old, new, who, reflogMsg)
		appendReflog(filepath.Join(r.commonDir, "logs", filepath.FromSlash(name)), line)
		appendReflog(filepath.Join(r.gitDir, "logs", "HEAD"), line)
	}
	return nil
}

func hashOrUnborn(h plumbing.Hash) string {
	if h.IsZero() {
		return "no commit (unborn branch)"
	}
	return h.String()
}

// reflogLine formats an entry the way git's refs/files-backend does, so
// `git reflog` shows casefile's commits among the user's own.
func reflogLine(old, new plumbing.Hash, who Person, msg string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s <%s> %d %s\t%s\n", old, new, who.Name, who.Email,
		who.When.Unix(), who.When.Format("-0700"), strings.ReplaceAll(msg, "\n", " "))
	return b.Bytes()
}

// appendReflog is best effort, as in git: a reflog is a convenience for
// the user, the commit itself is already durable.
func appendReflog(p string, line []byte) {
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return
	}
	_, _ = f.Write(line)
	_ = f.Close()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every filesystem syncs directories
		_ = d.Close()
	}
}

func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
