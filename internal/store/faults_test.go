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
	"time"

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
// points to the complete new commit, and git fsck is clean. The next
// commit then takes over the dead writer's index.lock by itself, finishes
// its checkout when the commit point had passed, and succeeds, leaving a
// clean status and no lock or temp file.
func TestCommitCrash(t *testing.T) {
	if !store.CanRecover {
		t.Skip("stale locks are not taken over on this platform")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step     string
		advanced bool
	}{
		{store.StepLocked, false},
		{store.StepObjects, false},
		{store.StepRef, true},
		{store.StepWorktree, true},
		{store.StepIndex, true},
	}
	for _, bulk := range []bool{false, true} {
		for _, tt := range tests {
			name, mode := tt.step, "crash:"+tt.step
			if bulk {
				// A large change: objects in one pack, work tree synced once.
				name, mode = "bulk-"+tt.step, "crashbulk:"+tt.step
			}
			t.Run(name, func(t *testing.T) { testCommitCrash(t, exe, mode, tt.advanced, bulk) })
		}
	}
}

// testCommitCrash kills a commit helper (mode crash:STEP or
// crashbulk:STEP) at one step and checks what it leaves and that the next
// commit recovers.
func testCommitCrash(t *testing.T, exe, mode string, advanced, bulk bool) {
	g := newGitRepo(t)
	before := g.head()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "STORE_TEST_HELPER="+mode, "STORE_TEST_DIR="+g.dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	g.fsck()
	after := g.head()
	if advanced {
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
	if !exists(lock) {
		t.Fatal("no index.lock left by the killed writer")
	}

	// The retry recovers with no human step.
	r := g.open()
	r.SetLockTimeout(2 * time.Second)
	var notes []string
	r.SetNotice(func(m string) { notes = append(notes, m) })
	h := mustCommit(t, r, change("records/retry.yaml", "retry\n", "retry"))
	if len(notes) != 1 {
		t.Errorf("notices: %q", notes)
	} else if advanced != strings.Contains(notes[0], "finished commit") {
		t.Errorf("notice %q", notes[0])
	}
	if g.head() != h || strings.TrimSpace(g.run("rev-parse", "HEAD^")) != after {
		t.Fatalf("retry not on top of %s", after)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status after the retry:\n%s", st)
	}
	if got := fileContent(t, filepath.Join(g.dir, "records", "retry.yaml")); got != "retry\n" {
		t.Errorf("retry.yaml = %q", got)
	}
	if advanced {
		if got := fileContent(t, filepath.Join(g.dir, "records", "crash.yaml")); got != "crash\n" {
			t.Errorf("crash.yaml = %q", got)
		}
	} else if exists(filepath.Join(g.dir, "records", "crash.yaml")) {
		t.Error("crash.yaml of the abandoned commit written")
	}
	if bulk && advanced {
		for i := range bulkFiles {
			p := filepath.Join(g.dir, "records", "bulk", itoa(i)+".yaml")
			if got := fileContent(t, p); got != "bulk "+itoa(i)+"\n" {
				t.Fatalf("%s = %q", p, got)
			}
		}
	}
	assertNoLeftovers(t, g)
}

// assertNoLeftovers checks for lock and temp files of casefile in .git and
// in the work tree.
func assertNoLeftovers(t *testing.T, g *gitRepo) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(g.dir, ".git", "casefile-*"))
	for _, p := range []string{"index.lock", "refs/heads/main.lock"} {
		if exists(filepath.Join(g.dir, ".git", p)) {
			left = append(left, p)
		}
	}
	_ = filepath.WalkDir(g.dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if err == nil && strings.HasSuffix(p, ".tmp") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestLiveLockNotTaken: a lock held by a running casefile process is
// waited for and never taken over; once that process is killed, the next
// commit takes it over.
func TestLiveLockNotTaken(t *testing.T) {
	if !store.CanRecover {
		t.Skip("stale locks are not taken over on this platform")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	g := newGitRepo(t)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "STORE_TEST_HELPER=hold", "STORE_TEST_DIR="+g.dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line := make([]byte, 7)
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "locked\n" {
		t.Fatalf("helper: %q %v", line, err)
	}
	lock := filepath.Join(g.dir, ".git", "index.lock")
	held, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	r := g.open()
	r.SetLockTimeout(300 * time.Millisecond)
	if _, err := r.Commit(context.Background(), change(recordPath, "x\n", "x")); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("commit under a live lock: %v", err)
	}
	if now, _ := os.ReadFile(lock); !bytes.Equal(now, held) {
		t.Fatal("the live writer's lock was touched")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // cleanup: the process may be gone already
	mustCommit(t, r, change(recordPath, "x\n", "x"))
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
	assertNoLeftovers(t, g)
}

// TestForeignLockNotTaken: an index.lock that is not casefile's (git's
// own, empty or holding an index), or a casefile lock of a process on
// another host or still running, is never removed.
func TestForeignLockNotTaken(t *testing.T) {
	tests := []struct {
		name  string
		write func(p string) error
	}{
		{"empty, as git makes it", func(p string) error { return os.WriteFile(p, nil, 0o666) }},
		{"an index being written by git", func(p string) error { return os.WriteFile(p, []byte("DIRC\x00\x00\x00\x02\x00\x00"), 0o666) }},
		{"casefile on another host", func(p string) error { return store.FakeLock(p, 1<<30, store.Hostname()+".elsewhere") }},
		{"casefile with a live pid", func(p string) error { return store.FakeLock(p, os.Getppid(), store.Hostname()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitRepo(t)
			lock := filepath.Join(g.dir, ".git", "index.lock")
			if err := tt.write(lock); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(lock)
			r := g.open()
			r.SetLockTimeout(200 * time.Millisecond)
			_, err := r.Commit(context.Background(), change(recordPath, "x\n", "x"))
			if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "remove the file") {
				t.Fatalf("err = %v", err)
			}
			if after, err := os.ReadFile(lock); err != nil || !bytes.Equal(after, before) {
				t.Fatalf("lock changed or removed: %v", err)
			}
		})
	}
}

// TestDeadWriterLockAndTempsRemoved: a casefile lock of a dead process on
// this host (killed right after taking it) is taken over, and temp files
// of dead processes are swept while those of live ones stay.
func TestDeadWriterLockAndTempsRemoved(t *testing.T) {
	if !store.CanRecover {
		t.Skip("stale locks are not taken over on this platform")
	}
	g := newGitRepo(t)
	// A process that has exited: this test binary, running no test.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dead := exec.Command(exe, "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	gitDir := filepath.Join(g.dir, ".git")
	if err := store.FakeLock(filepath.Join(gitDir, "index.lock"), dead.Process.Pid, store.Hostname()); err != nil {
		t.Fatal(err)
	}
	deadTemp := filepath.Join(gitDir, store.TempName("evidence", dead.Process.Pid))
	liveTemp := filepath.Join(gitDir, store.TempName("evidence", os.Getppid()))
	for _, p := range []string{deadTemp, liveTemp} {
		if err := os.WriteFile(p, []byte("copy"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := g.open()
	r.SetLockTimeout(2 * time.Second)
	mustCommit(t, r, change(recordPath, "x\n", "x"))
	if exists(deadTemp) {
		t.Error("temp file of a dead process kept")
	}
	if !exists(liveTemp) {
		t.Error("temp file of a live process removed")
	}
	os.Remove(liveTemp)
	g.fsck()
	assertNoLeftovers(t, g)
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
}
