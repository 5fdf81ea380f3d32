package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// indexLock is a held .git/index.lock. Using git's own lock file (rather
// than a casefile-specific one) means `git commit`, `git add` and other
// casefile processes all exclude each other.
type indexLock struct {
	path string
	f    *os.File
	sem  chan struct{}
	held bool
}

// acquireIndexLock takes .git/index.lock with O_CREATE|O_EXCL, retrying with
// jittered exponential backoff until the context ends or the repository's
// lock timeout passes.
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
			return &indexLock{path: p, f: f, sem: r.sem, held: true}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			<-r.sem
			return nil, fmt.Errorf("locking repository: %w", err)
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

// commit writes the new index into the lock file and renames it over
// .git/index, which both publishes the index and releases the lock, as
// git's commit_lock_file does.
func (l *indexLock) commit(data []byte) error {
	if !l.held {
		return errors.New("index lock not held")
	}
	indexPath := l.path[:len(l.path)-len(".lock")]
	if _, err := l.f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", l.path, err)
	}
	if err := os.Rename(l.path, indexPath); err != nil {
		return fmt.Errorf("replacing index: %w", err)
	}
	l.held = false
	<-l.sem
	return nil
}

// release drops the lock without touching the index. It is a no-op after
// commit, so it can be deferred: removing index.lock after it was renamed
// could delete another process's freshly taken lock.
func (l *indexLock) release() {
	if !l.held {
		return
	}
	l.held = false
	l.f.Close()
	os.Remove(l.path)
	<-l.sem
}
