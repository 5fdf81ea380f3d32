package gen

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"
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
func TestGenerateHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("needs ssh-keygen (git verifies SSH signatures with it)")
	}
	dir := filepath.Join(t.TempDir(), "log")
	const commits = 40
	h, err := GenerateHistory(dir, HistoryOptions{Commits: commits, Seed: 3, KeyFile: filepath.Join(t.TempDir(), "id_ed25519")})
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

// TestVERIS: the generated VERIS files are the source incidents with IDs of
// their own, distinct and stable for a seed.
func TestVERIS(t *testing.T) {
	src := t.TempDir()
	for i, text := range []string{
		`{"incident_id": "A", "summary": "one", "plus": {"master_id": "M"}}`,
		`{"incident_id": "B", "summary": "two"}`,
	} {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("%d.json", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(dir string) map[string]map[string]any {
		names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		out := map[string]map[string]any{}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			out[filepath.Base(n)] = m
		}
		return out
	}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := VERIS(dir, src, 5, 9); err != nil {
			t.Fatal(err)
		}
	}
	got := read(a)
	if len(got) != 5 || !reflect.DeepEqual(got, read(b)) {
		t.Fatalf("%d files, or not the same for one seed", len(got))
	}
	masters := map[any]bool{}
	summaries := map[any]int{}
	for name, m := range got {
		if name != m["incident_id"].(string)+".json" {
			t.Errorf("%s holds incident_id %v", name, m["incident_id"])
		}
		summaries[m["summary"]]++
		if plus, ok := m["plus"].(map[string]any); ok {
			if plus["master_id"] == "M" || masters[plus["master_id"]] {
				t.Errorf("%s: master_id %v not new", name, plus["master_id"])
			}
			masters[plus["master_id"]] = true
		}
	}
	if summaries["one"] != 3 || summaries["two"] != 2 {
		t.Errorf("summaries %v, want one ×3 and two ×2", summaries)
	}
}
