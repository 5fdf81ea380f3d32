package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/testtools"
)

func testHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{
		work: t.TempDir(), sizes: []int{30, 300}, repos: map[int]string{}, genTime: map[int]time.Duration{},
		repoMB: map[int]float64{}, skipped: map[string]string{}, cells: map[cellKey]*cell{},
		facts: map[string]string{}, fixtureTime: map[string]time.Duration{},
		log: func(string, ...any) {},
	}
}

// runCommand runs the command id in dir the way measure does and applies
// its check for n.
func runCommand(t *testing.T, h *harness, id, dir string, n int) error {
	t.Helper()
	c := commandByID(id)
	r, err := h.execute(dir, c.Args(h))
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(n, r)
}

// TestHistoryFixturePeers: on the signed history fixture, git's side of the
// verify and history pairs does the whole job and passes its checks, and
// the checks notice a history of another length.
func TestHistoryFixturePeers(t *testing.T) {
	testtools.Require(t, "git", "ssh-keygen")
	h := testHarness(t)
	const n = 30
	dir, err := h.historyRepo(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := runCommand(t, h, "git-verify", dir, n); err != nil {
		t.Errorf("git log --show-signature: %v", err)
	}
	if err := runCommand(t, h, "git-verify", dir, n+1); err == nil {
		t.Error("git log --show-signature check passed for the wrong number of commits")
	}
	if err := runCommand(t, h, "git-history", dir, n); err != nil {
		t.Errorf("git log -- path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, h.facts["history-path"])); err != nil {
		t.Errorf("the history record is not in the work tree: %v", err)
	}
}

// TestCasefileCommands builds casefile and runs, in the fixtures they use,
// the commands of the write pairs and report trends, several times as the
// rounds do, each passing its check; a subcommand casefile lacks is
// reported as not run, with the reason.
func TestCasefileCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds casefile")
	}
	testtools.Require(t, "git", "ssh-keygen")
	h := testHarness(t)
	h.casefile = filepath.Join(h.work, "casefile")
	build := exec.Command("go", "build", "-o", h.casefile, "github.com/casefile/casefile/cmd/casefile")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building casefile: %v\n%s", err, out)
	}
	if why := needsCommand("lint")(h); why != "" {
		t.Errorf("lint: %q, want it available", why)
	}
	if why, want := needsCommand("no-such-command")(h), "this casefile has no no-such-command command"; why != want {
		t.Errorf("no-such-command: %q, want %q", why, want)
	}

	const n = 30
	dir, err := h.committedRepo(n)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for _, id := range []string{"new", "git-new", "act", "git-act", "trends"} {
			if err := runCommand(t, h, id, dir, n); err != nil {
				t.Errorf("round %d, %s: %v", round, id, err)
			}
		}
	}
	// Every write made a commit signed with the session's key, which git
	// accepts: the fixture's import, new's record for act, and 2 × 4 writes.
	log := exec.Command("git", "log", "--show-signature", "--format=%H")
	log.Dir, log.Env = dir, benchEnv()
	out, err := log.CombinedOutput()
	if err != nil {
		t.Fatalf("git log: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), `Good "git" signature for analyst@example.com`); got != 10 {
		t.Errorf("%d good signatures, want 10:\n%s", got, out)
	}
	lint := exec.Command(h.casefile, "lint", "--now", "2027-01-01T00:00:00Z")
	lint.Dir, lint.Env = dir, benchEnv()
	if out, err := lint.CombinedOutput(); err != nil {
		t.Errorf("the records lint with findings after the writes: %v\n%s", err, out)
	}
}
