package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/store"
)

type failingSigner struct{}

func (failingSigner) Sign(io.Reader) ([]byte, error) { return nil, errors.New("card removed") }

// snapshot captures what a failed commit must not change.
type snapshot struct {
	head  string
	index []byte
}

func takeSnapshot(t *testing.T, g *gitRepo) snapshot {
	t.Helper()
	idx, err := os.ReadFile(filepath.Join(g.dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{head: g.head(), index: idx}
}

func (s snapshot) assertUnchanged(t *testing.T, g *gitRepo, path string) {
	t.Helper()
	if h := g.head(); h != s.head {
		t.Errorf("branch moved to %s", h)
	}
	idx, _ := os.ReadFile(filepath.Join(g.dir, ".git", "index"))
	if !bytes.Equal(idx, s.index) {
		t.Error("index changed")
	}
	if exists(filepath.Join(g.dir, path)) {
		t.Errorf("%s written to the work tree", path)
	}
	if exists(filepath.Join(g.dir, ".git", "index.lock")) {
		t.Error("index.lock left behind")
	}
	tmp, _ := filepath.Glob(filepath.Join(g.dir, "records", "*", ".*.tmp"))
	if len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
}

func TestCommitFailureBeforeRefLeavesNoTrace(t *testing.T) {
	injected := errors.New("injected")
	tests := []struct {
		name   string
		setup  func(c *store.Change) (context.Context, func())
		expect error
	}{
		{"signing fails", func(c *store.Change) (context.Context, func()) {
			c.Signer = failingSigner{}
			return context.Background(), func() {}
		}, nil},
		{"context cancelled", func(c *store.Change) (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, func() {}
		}, context.Canceled},
		{"invalid path among valid ones", func(c *store.Change) (context.Context, func()) {
			c.Files["../x"] = []byte("x")
			return context.Background(), func() {}
		}, store.ErrInvalidPath},
		{"fault after objects", func(c *store.Change) (context.Context, func()) {
			return context.Background(), store.SetFaultHook(func(s string) error {
				if s == store.StepObjects {
					return injected
				}
				return nil
			})
		}, injected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitRepo(t)
			r := g.open()
			snap := takeSnapshot(t, g)
			c := change(recordPath, "x\n", "x")
			ctx, restore := tt.setup(&c)
			defer restore()
			h, err := r.Commit(ctx, c)
			if err == nil {
				t.Fatal("commit succeeded")
			}
			if h != "" {
				t.Errorf("hash %q returned with error", h)
			}
			if tt.expect != nil && !errors.Is(err, tt.expect) {
				t.Errorf("err = %v, want %v", err, tt.expect)
			}
			restore()
			snap.assertUnchanged(t, g, recordPath)
			// The repository is still usable.
			mustCommit(t, r, change(recordPath, "x\n", "x"))
		})
	}
}

func TestCommitFailureAfterRefReportsStale(t *testing.T) {
	for _, step := range []string{store.StepRef, store.StepWorktree} {
		t.Run(step, func(t *testing.T) {
			g := newGitRepo(t)
			r := g.open()
			before := g.head()
			restore := store.SetFaultHook(func(s string) error {
				if s == step {
					return errors.New("disk full")
				}
				return nil
			})
			h, err := r.Commit(context.Background(), change(recordPath, "x\n", "x"))
			restore()
			if !errors.Is(err, store.ErrWorktreeStale) {
				t.Fatalf("err = %v", err)
			}
			if h == "" || g.head() != h || strings.TrimSpace(g.run("rev-parse", "HEAD^")) != before {
				t.Fatalf("branch not fully advanced: %s (returned %q)", g.head(), h)
			}
			if exists(filepath.Join(g.dir, ".git", "index.lock")) {
				t.Error("index.lock left behind after an error")
			}
			g.fsck()
			// The error's repair hint works.
			if !strings.Contains(err.Error(), "git checkout HEAD -- "+recordPath) {
				t.Fatalf("no repair hint: %v", err)
			}
			g.run("checkout", "HEAD", "--", recordPath)
			if st := g.status(); st != "" {
				t.Errorf("status after repair:\n%s", st)
			}
		})
	}
}

// TestCommitCrash kills a helper process at each step and checks that the
// repository is consistent afterwards: the branch either did not move or
// points to the complete new commit, and git fsck is clean.
func TestCommitCrash(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step     string
		advanced bool
		lockLeft bool
	}{
		{store.StepObjects, false, true},
		{store.StepRef, true, true},
		{store.StepWorktree, true, true},
		{store.StepIndex, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			g := newGitRepo(t)
			before := g.head()
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), "STORE_TEST_HELPER=crash:"+tt.step, "STORE_TEST_DIR="+g.dir)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 7 {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			g.fsck()
			after := g.head()
			if tt.advanced {
				if after == before || strings.TrimSpace(g.run("rev-parse", "HEAD^")) != before {
					t.Fatalf("branch not advanced by exactly one commit")
				}
				if got := g.run("show", "HEAD:records/crash.yaml"); got != "crash\n" {
					t.Fatalf("commit content %q", got)
				}
			} else if after != before {
				t.Fatalf("branch moved to %s", after)
			}
			lock := filepath.Join(g.dir, ".git", "index.lock")
			if exists(lock) != tt.lockLeft {
				t.Fatalf("index.lock present = %v, want %v", exists(lock), tt.lockLeft)
			}
			// Recovery as documented: remove the stale lock, restore the paths.
			os.Remove(lock)
			if tt.advanced {
				g.run("checkout", "HEAD", "--", "records/crash.yaml")
			}
			if st := g.status(); st != "" {
				t.Errorf("status after recovery:\n%s", st)
			}
		})
	}
}
