package genhistory

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"

	"github.com/casefile/casefile/internal/testtools"
)

// git runs the stock git CLI in dir with no user or system configuration.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestGenerateHistory: a generated history is a sound git repository whose
// every commit git accepts as signed by the trusted key, and which
// casefile's custody library verifies completely; the history of a record
// is the commit git log names for its path.
func TestGenerate(t *testing.T) {
	testtools.Require(t, "git")
	testtools.Require(t, "ssh-keygen")
	dir := filepath.Join(t.TempDir(), "log")
	const commits = 40
	h, err := Generate(dir, Options{Commits: commits, Seed: 3, KeyFile: filepath.Join(t.TempDir(), "id_ed25519")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Records) != commits-1 {
		t.Fatalf("%d records, want %d", len(h.Records), commits-1)
	}
	git(t, dir, "fsck", "--strict", "--no-dangling")
	git(t, dir, "reset", "-q")
	if st := git(t, dir, "status", "--porcelain", "--untracked-files=all"); st != "" {
		t.Errorf("work tree differs from HEAD:\n%s", st)
	}
	if n := strings.Count(git(t, dir, "rev-list", "HEAD"), "\n"); n != commits {
		t.Errorf("%d commits, want %d", n, commits)
	}
	log := git(t, dir, "-c", "gpg.ssh.allowedSignersFile="+h.AllowedSigners, "log", "--show-signature", "--format=%H")
	if n := strings.Count(log, `Good "git" signature for analyst@example.com`); n != commits {
		t.Errorf("git log --show-signature: %d good signatures, want %d:\n%s", n, commits, log)
	}

	repo, err := custody.OpenRepository(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	rep, err := custody.Verify(context.Background(), repo, custody.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Counts.Commits != commits {
		t.Errorf("custody.Verify: status %s, %d commits walked, violations %v", rep.Status, rep.Counts.Commits, rep.Violations)
	}
	ids := slices.Sorted(maps.Keys(h.Records))
	for _, id := range []string{ids[0], ids[len(ids)-1]} {
		p := h.Records[id]
		hist, err := custody.History(context.Background(), repo, p, custody.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(git(t, dir, "log", "--format=%H", "--", p))
		if len(hist) != 1 || hist[0].Commit != want || !hist[0].Signature.OK() || hist[0].Record != id {
			t.Errorf("custody.History(%s) = %+v, want one signed commit %s", p, hist, want)
		}
	}
}
