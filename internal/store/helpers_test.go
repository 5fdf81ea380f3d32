package store_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"

	"github.com/casefile/casefile/internal/testtools"
)

var baseTime = time.Date(2026, 3, 2, 9, 14, 0, 0, time.UTC)

// TestMain doubles as a helper process for the multi-process and crash
// tests: the test binary re-executes itself with STORE_TEST_HELPER set.
func TestMain(m *testing.M) {
	if mode := os.Getenv("STORE_TEST_HELPER"); mode != "" {
		os.Exit(runHelper(mode, os.Getenv("STORE_TEST_DIR")))
	}
	os.Exit(m.Run())
}

func runHelper(mode, dir string) int {
	r, err := store.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	switch {
	case mode == "next":
		if err := commitNext(context.Background(), r, os.Getenv("STORE_TEST_WHO")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case mode == "hold":
		// Hold the lock until stdin closes (or the process is killed).
		err := r.WithLock(context.Background(), func(*store.Tx) error {
			fmt.Println("locked")
			_, err := io.Copy(io.Discard, os.Stdin)
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case strings.HasPrefix(mode, "crash:"), strings.HasPrefix(mode, "crashbulk:"):
		kind, step, _ := strings.Cut(mode, ":")
		store.SetFaultHook(func(s string) error {
			if s == step {
				os.Exit(7) // no deferred cleanup: as close to a kill as Go gets
			}
			return nil
		})
		c := change("records/crash.yaml", "crash\n", "crash test")
		if kind == "crashbulk" {
			addBulk(c)
		}
		_, err := r.Commit(context.Background(), c)
		fmt.Fprintln(os.Stderr, "helper did not crash:", err)
		return 3
	}
	return 4
}

// bulkFiles is the number of files addBulk adds to a change: enough for
// the pack and batched work-tree path of a large commit.
const bulkFiles = 100

// addBulk adds bulkFiles records (records/bulk/N.yaml) to c.
func addBulk(c store.Change) {
	for i := range bulkFiles {
		c.Files["records/bulk/"+itoa(i)+".yaml"] = []byte("bulk " + itoa(i) + "\n")
	}
}

// commitNext allocates the next record number under the lock and commits
// it, the way `casefile new` will.
func commitNext(ctx context.Context, r *store.Repo, who string) error {
	return r.WithLock(ctx, func(tx *store.Tx) error {
		files, err := tx.ListFiles("records/2026")
		if err != nil {
			return err
		}
		id := fmt.Sprintf("INC-2026-%04d", len(files)+1)
		c := change("records/2026/"+id+".yaml", "id: "+id+"\nby: "+who+"\n", id+": report")
		_, err = tx.Commit(ctx, c)
		return err
	})
}

func change(path, content, subject string) store.Change {
	return store.Change{
		Files:     map[string][]byte{path: []byte(content)},
		Message:   subject + "\n\nCasefile-Record: " + strings.TrimSuffix(filepath.Base(path), ".yaml") + "\nCasefile-Action: update\n",
		Author:    store.Person{Name: "Alice Analyst", Email: "alice@example.com", When: baseTime},
		Committer: store.Person{Name: "Alice Analyst", Email: "alice@example.com", When: baseTime},
	}
}

// gitEnv isolates git from the user's configuration and keys.
func gitEnv(home string) []string {
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, "gitconfig"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GNUPGHOME=" + filepath.Join(home, "gnupg"),
		"LC_ALL=C",
		"GIT_AUTHOR_NAME=Setup", "GIT_AUTHOR_EMAIL=setup@example.com",
		"GIT_COMMITTER_NAME=Setup", "GIT_COMMITTER_EMAIL=setup@example.com",
		"GIT_AUTHOR_DATE=2026-03-01T08:00:00Z", "GIT_COMMITTER_DATE=2026-03-01T08:00:00Z",
	}
}

type gitRepo struct {
	t    testing.TB
	dir  string
	home string
	env  []string
}

func (g *gitRepo) run(args ...string) string {
	g.t.Helper()
	out, err := g.try(args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (g *gitRepo) try(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (g *gitRepo) write(rel, content string) {
	g.t.Helper()
	p := filepath.Join(g.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gitRepo) head() string {
	g.t.Helper()
	return strings.TrimSpace(g.run("rev-parse", "HEAD"))
}

func (g *gitRepo) fsck() {
	g.t.Helper()
	g.run("fsck", "--strict", "--no-dangling")
}

func (g *gitRepo) status() string {
	g.t.Helper()
	return g.run("status", "--porcelain", "--untracked-files=all")
}

// newGitRepo makes a repository with the git CLI: one commit with a few
// unrelated files, like a records repository with some history.
func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	testtools.Require(t, "git")
	home := t.TempDir()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "gitconfig"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	g := &gitRepo{t: t, dir: dir, home: home, env: gitEnv(home)}
	g.run("init", "-q", "-b", "main")
	g.write("casefile.yaml", "version: 1\n")
	g.write("README.md", "# incident log\n")
	g.write("records/2025/INC-2025-0001.yaml", "id: INC-2025-0001\n")
	g.write("tools/run.sh", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(dir, "tools", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	g.run("add", "-A")
	g.run("commit", "-q", "-m", "initial")
	return g
}

func (g *gitRepo) open() *store.Repo {
	g.t.Helper()
	r, err := store.Open(g.dir)
	if err != nil {
		g.t.Fatal(err)
	}
	return r
}

// sshKey makes an in-process SSH signer and the allowed_signers file git
// needs to verify it.
func sshKey(t testing.TB) (custody.KeySigner, string) {
	t.Helper()
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "alice")
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := custody.NewSigner(&custody.GitConfig{Format: "ssh", SigningKey: keyPath}, custody.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(allowed, []byte("alice@example.com namespaces=\"git\" "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s, allowed
}

func mustCommit(t *testing.T, r *store.Repo, c store.Change) string {
	t.Helper()
	h, err := r.Commit(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func fileContent(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, os.ErrNotExist)
}

func itoa(i int) string { return strconv.Itoa(i) }

func openRepo(dir string) (*store.Repo, error) { return store.Open(dir) }
