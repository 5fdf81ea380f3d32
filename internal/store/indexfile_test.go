package store

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/testtools"
)

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2026-03-02T09:14:00Z", "GIT_COMMITTER_DATE=2026-03-02T09:14:00Z",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// indexRepo makes a repository whose index has a cache tree, a v3 entry
// with intent-to-add, skip-worktree and assume-unchanged flags, and names
// long enough to exercise padding and v4 prefix compression.
func indexRepo(t *testing.T) string {
	t.Helper()
	testtools.Require(t, "git")
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	for _, p := range []string{"a", "b/c.yaml", "b/d/e.yaml", "records/2026/INC-2026-0001.yaml", "records/2026/INC-2026-0002.yaml", strings.Repeat("x", 70) + "/y"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "seed")
	if err := os.WriteFile(filepath.Join(dir, "ita"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", "-N", "ita")
	gitIn(t, dir, "update-index", "--skip-worktree", "b/c.yaml")
	gitIn(t, dir, "update-index", "--assume-unchanged", "a")
	gitIn(t, dir, "write-tree") // make sure the cache tree is populated
	return dir
}

func TestIndexRoundTrip(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			dir := indexRepo(t)
			if version == "2" {
				// Version 2 cannot hold extended flags.
				gitIn(t, dir, "update-index", "--no-skip-worktree", "b/c.yaml")
				gitIn(t, dir, "rm", "-q", "--cached", "ita")
			}
			gitIn(t, dir, "update-index", "--index-version", version)
			gitIn(t, dir, "write-tree")
			data, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
			if err != nil {
				t.Fatal(err)
			}
			idx, err := decodeIndex(data)
			if err != nil {
				t.Fatal(err)
			}
			if idx.tree == nil {
				t.Fatal("cache tree not decoded")
			}
			if got := idx.encode(); !bytes.Equal(got, data) {
				t.Fatalf("re-encoded index differs (%d vs %d bytes)", len(got), len(data))
			}
			if version != "2" {
				e, ok := idx.find("ita")
				if !ok || !idx.entries[e].intentToAdd() {
					t.Error("intent-to-add flag lost")
				}
				e, ok = idx.find("b/c.yaml")
				if !ok || !idx.entries[e].skipWorktree() {
					t.Error("skip-worktree flag lost")
				}
			}
		})
	}
}

// TestIndexAfterCommitIsValidForGit checks, for each index version, that
// the cache tree left behind is correct: `git write-tree` uses every valid
// cached subtree, so a stale one would produce a tree different from HEAD's.
func TestIndexAfterCommitIsValidForGit(t *testing.T) {
	for _, version := range []string{"2", "3", "4"} {
		t.Run("v"+version, func(t *testing.T) {
			dir := indexRepo(t)
			gitIn(t, dir, "update-index", "--no-skip-worktree", "b/c.yaml")
			gitIn(t, dir, "update-index", "--no-assume-unchanged", "a")
			gitIn(t, dir, "rm", "-q", "--cached", "ita")
			os.Remove(filepath.Join(dir, "ita"))
			gitIn(t, dir, "update-index", "--index-version", version)
			gitIn(t, dir, "write-tree")
			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			c := Change{
				Files: map[string][]byte{
					"records/2026/INC-2026-0003.yaml": []byte("new\n"),
					"b/d/e.yaml":                      []byte("changed\n"),
					"new/dir/file":                    []byte("n\n"),
				},
				Message: "x",
				Author:  Person{Name: "T", Email: "t@example.com", When: testTime},
			}
			if _, err := r.Commit(t.Context(), c); err != nil {
				t.Fatal(err)
			}
			tree := strings.TrimSpace(gitIn(t, dir, "write-tree"))
			if head := strings.TrimSpace(gitIn(t, dir, "rev-parse", "HEAD^{tree}")); tree != head {
				t.Fatalf("git write-tree = %s, HEAD tree = %s: stale cache tree", tree, head)
			}
			if st := gitIn(t, dir, "status", "--porcelain"); st != "" {
				t.Fatalf("status:\n%s", st)
			}
			data, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
			idx, err := decodeIndex(data)
			if err != nil {
				t.Fatal(err)
			}
			// git itself writes version 2 for a "3" without extended entries.
			if want := uint32(version[0] - '0'); idx.version != want && !(want == 3 && idx.version == 2) {
				t.Errorf("index version %d", idx.version)
			}
			// Untouched directories keep their cached hash.
			var b *cacheTree
			for _, s := range idx.tree.subtrees {
				if s.name == strings.Repeat("x", 70) {
					b = s
				}
			}
			if b == nil || b.count < 0 {
				t.Error("unrelated cached subtree was invalidated")
			}
		})
	}
}

func TestIndexRejects(t *testing.T) {
	dir := indexRepo(t)
	data, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
	bad := append([]byte(nil), data...)
	bad[20] ^= 0xff
	if _, err := decodeIndex(bad); !errors.Is(err, errIndexCorrupt) {
		t.Errorf("corrupt index: %v", err)
	}
	if _, err := decodeIndex(data[:30]); err == nil {
		t.Error("truncated index accepted")
	}

	gitIn(t, dir, "update-index", "--split-index")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Commit(t.Context(), Change{
		Files: map[string][]byte{"z": []byte("z")}, Message: "z",
		Author: Person{Name: "T", Email: "t@example.com", When: testTime},
	})
	if !errors.Is(err, ErrUnsupportedRepository) {
		t.Fatalf("split index: %v", err)
	}
}

func TestIndexDropsStaleOptionalExtensions(t *testing.T) {
	dir := indexRepo(t)
	gitIn(t, dir, "update-index", "--no-skip-worktree", "b/c.yaml")
	gitIn(t, dir, "-c", "core.untrackedCache=true", "status", "--porcelain")
	data, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if !bytes.Contains(data, []byte("UNTR")) {
		t.Fatal("git status -c core.untrackedCache=true wrote no untracked cache (git writes one since 2.8); the test needs it")
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b", "untracked"), []byte("u\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(t.Context(), Change{
		Files: map[string][]byte{"b/new": []byte("n\n")}, Message: "n",
		Author: Person{Name: "T", Email: "t@example.com", When: testTime},
	}); err != nil {
		t.Fatal(err)
	}
	st := gitIn(t, dir, "-c", "core.untrackedCache=true", "status", "--porcelain")
	if !strings.Contains(st, "?? b/untracked") || strings.Contains(st, "b/new") {
		t.Fatalf("status:\n%s", st)
	}
}

var testTime = time.Date(2026, 3, 2, 9, 14, 0, 0, time.UTC)
