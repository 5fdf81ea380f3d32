package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/store"

	"github.com/casefile/casefile/internal/testtools"
)

const recordPath = "records/2026/INC-2026-0007.yaml"

func TestCommitSignedSSH(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	signer, allowed := sshKey(t)
	parent := g.head()

	c := change(recordPath, "id: INC-2026-0007\ntitle: Phishing\n", "INC-2026-0007: contain — reset credentials")
	c.Signer = signer
	c.Author.When = baseTime.In(time.FixedZone("CET", 3600))
	hash := mustCommit(t, r, c)

	if got := g.head(); got != hash {
		t.Fatalf("HEAD = %s, Commit returned %s", got, hash)
	}
	if out := g.run("-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "-v", "HEAD"); !strings.Contains(out, "Good \"git\" signature") {
		t.Errorf("verify-commit output:\n%s", out)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("git status not clean:\n%s", st)
	}
	if msg := g.run("log", "-1", "--format=%B"); msg != c.Message+"\n" {
		t.Errorf("message = %q, want %q", msg, c.Message)
	}
	if tr := g.run("log", "-1", "--format=%(trailers:key=Casefile-Record,valueonly)"); strings.TrimSpace(tr) != "INC-2026-0007" {
		t.Errorf("trailer = %q", tr)
	}
	if p := strings.TrimSpace(g.run("rev-parse", "HEAD^")); p != parent {
		t.Errorf("parent = %s, want %s", p, parent)
	}
	if a := g.run("log", "-1", "--format=%an <%ae> %aI|%cn %cI"); strings.TrimSpace(a) != "Alice Analyst <alice@example.com> 2026-03-02T10:14:00+01:00|Alice Analyst 2026-03-02T09:14:00+00:00" {
		t.Errorf("author/committer = %q", a)
	}
	if got := g.run("show", "HEAD:"+recordPath); got != "id: INC-2026-0007\ntitle: Phishing\n" {
		t.Errorf("blob = %q", got)
	}
	if got := fileContent(t, filepath.Join(g.dir, recordPath)); got != "id: INC-2026-0007\ntitle: Phishing\n" {
		t.Errorf("work tree = %q", got)
	}
	// Only the record changed; the executable bit elsewhere survived.
	if files := g.run("show", "--format=", "--name-status", "HEAD"); strings.TrimSpace(files) != "A\t"+recordPath {
		t.Errorf("changed files = %q", files)
	}
	if mode := g.run("ls-tree", "HEAD", "tools/run.sh"); !strings.HasPrefix(mode, "100755") {
		t.Errorf("tools/run.sh = %q", mode)
	}
	if rl := g.run("reflog", "-1", "--format=%gs"); strings.TrimSpace(rl) != "commit: INC-2026-0007: contain — reset credentials" {
		t.Errorf("reflog = %q", rl)
	}

	// An update of the same record, through ReadFile at HEAD.
	old, err := r.ReadFile("HEAD", recordPath)
	if err != nil {
		t.Fatal(err)
	}
	c2 := change(recordPath, string(old)+"status: contained\n", "INC-2026-0007: update")
	c2.Signer = signer
	mustCommit(t, r, c2)
	g.run("-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", "HEAD")
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("git status not clean after update:\n%s", st)
	}
	// The index is still usable by git: a normal git commit works after ours.
	g.write("notes.txt", "x\n")
	g.run("add", "notes.txt")
	g.run("commit", "-q", "-m", "user commit")
	g.fsck()
	if files := g.run("show", "--format=", "--name-only", "HEAD"); strings.TrimSpace(files) != "notes.txt" {
		t.Errorf("user commit contains %q", files)
	}
}

func TestCommitPreservesUserChanges(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()

	g.write("README.md", "# incident log\nstaged edit\n")
	g.run("add", "README.md")
	g.write("README.md", "# incident log\nstaged edit\nand an unstaged one\n")
	g.write("casefile.yaml", "version: 2\n") // unstaged only
	g.write("scratch/untracked.txt", "mine\n")
	g.write("new-staged.txt", "added\n")
	g.run("add", "new-staged.txt")
	before := g.status()
	stagedDiff := g.run("diff", "--cached")
	unstagedDiff := g.run("diff")

	mustCommit(t, r, change(recordPath, "id: INC-2026-0007\n", "INC-2026-0007: report"))

	if st := g.status(); st != before {
		t.Errorf("status changed:\nbefore:\n%s\nafter:\n%s", before, st)
	}
	if d := g.run("diff", "--cached"); d != stagedDiff {
		t.Errorf("staged diff changed:\n%s", d)
	}
	if d := g.run("diff"); d != unstagedDiff {
		t.Errorf("unstaged diff changed:\n%s", d)
	}
	if files := g.run("show", "--format=", "--name-only", "HEAD"); strings.TrimSpace(files) != recordPath {
		t.Errorf("commit contains %q", files)
	}
	if got := fileContent(t, filepath.Join(g.dir, "scratch/untracked.txt")); got != "mine\n" {
		t.Errorf("untracked file = %q", got)
	}
	g.fsck()
}

// TestCommitKeepsRacyEdit covers git's "racily clean" case: a file edited
// in the same second as the index was written, keeping its size, looks
// unchanged by stat alone. Rewriting the index with a later mtime must not
// hide that edit.
func TestCommitKeepsRacyEdit(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	f := filepath.Join(g.dir, "README.md")
	g.write("README.md", "aaaa\n")
	// A time well in the past, so that the index casefile writes is
	// clearly newer and git's own same-second racy check cannot help.
	mtime := time.Now().Add(-time.Minute).Truncate(time.Second).Add(123456789)
	if err := os.Chtimes(f, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	g.run("add", "README.md")
	// Same size, same mtime, same inode: only the content differs, and the
	// index file is exactly as old as the entry, so git must treat the
	// entry as racily clean and look at the content.
	g.write("README.md", "bbbb\n")
	for _, p := range []string{f, filepath.Join(g.dir, ".git", "index")} {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}

	mustCommit(t, r, change(recordPath, "x\n", "INC-2026-0007: report"))

	// With ctime ignored, only size and mtime tell git the file changed;
	// the commit rewrote the index with a newer mtime, so the entry must
	// have been smudged for the edit to stay visible.
	st := g.run("-c", "core.trustctime=false", "status", "--porcelain")
	if !strings.Contains(st, "MM README.md") {
		t.Errorf("racy edit lost: status\n%s", st)
	}
	if d := g.run("diff", "README.md"); !strings.Contains(d, "+bbbb") {
		t.Errorf("diff = %q", d)
	}
}

func TestCommitOnUnbornBranchAndInit(t *testing.T) {
	testtools.Require(t, "git")
	dir := filepath.Join(t.TempDir(), "log")
	r, err := store.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "gitconfig"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	g := &gitRepo{t: t, dir: dir, home: home, env: gitEnv(home)}

	if h, err := r.Head(); err != nil || h != "" {
		t.Fatalf("Head on unborn = %q, %v", h, err)
	}
	if b, err := r.Branch(); err != nil || b != "main" {
		t.Fatalf("Branch = %q, %v", b, err)
	}
	if files, err := r.ListFiles("HEAD", "records"); err != nil || len(files) != 0 {
		t.Fatalf("ListFiles on unborn = %v, %v", files, err)
	}
	if _, err := r.ReadFile("", "casefile.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile on unborn: %v", err)
	}

	c := change("casefile.yaml", "version: 1\n", "casefile: init")
	c.Files[".casefile/allowed_signers"] = []byte("")
	h := mustCommit(t, r, c)
	if got := g.head(); got != h {
		t.Fatalf("HEAD %s != %s", got, h)
	}
	if n := strings.TrimSpace(g.run("rev-list", "--count", "HEAD")); n != "1" {
		t.Errorf("commits = %s", n)
	}
	if b := strings.TrimSpace(g.run("symbolic-ref", "HEAD")); b != "refs/heads/main" {
		t.Errorf("branch %s", b)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
	if rl := g.run("reflog", "-1", "--format=%gs"); strings.TrimSpace(rl) != "commit (initial): casefile: init" {
		t.Errorf("reflog = %q", rl)
	}

	// Init adopts an existing repository.
	r2, err := store.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h2, _ := r2.Head(); h2 != h {
		t.Errorf("adopted Head = %s", h2)
	}
	// Open from a subdirectory walks up.
	r3, err := store.Open(filepath.Join(dir, ".casefile"))
	if err != nil {
		t.Fatal(err)
	}
	if r3.Root() != dir {
		t.Errorf("Root = %s, want %s", r3.Root(), dir)
	}
}

func TestReadAndList(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	first := g.head()
	mustCommit(t, r, change("records/2026/INC-2026-0001.yaml", "one\n", "one"))
	mustCommit(t, r, change("records/2026/INC-2026-0001.yaml", "two\n", "two"))

	tests := []struct {
		rev, path, want string
	}{
		{"", "records/2026/INC-2026-0001.yaml", "two\n"},
		{"HEAD", "records/2026/INC-2026-0001.yaml", "two\n"},
		{"HEAD~1", "records/2026/INC-2026-0001.yaml", "one\n"},
		{"main", "casefile.yaml", "version: 1\n"},
		{first, "records/2025/INC-2025-0001.yaml", "id: INC-2025-0001\n"},
	}
	for _, tt := range tests {
		got, err := r.ReadFile(tt.rev, tt.path)
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%q, %q) = %q, %v; want %q", tt.rev, tt.path, got, err, tt.want)
		}
	}
	if n, err := r.FileSize("HEAD", "records/2026/INC-2026-0001.yaml"); err != nil || n != 4 {
		t.Errorf("FileSize = %d, %v", n, err)
	}
	// The object store, not the work tree, is read.
	g.write("records/2026/INC-2026-0001.yaml", "dirty\n")
	if got, _ := r.ReadFile("HEAD", "records/2026/INC-2026-0001.yaml"); string(got) != "two\n" {
		t.Errorf("ReadFile saw the work tree: %q", got)
	}
	for _, p := range []string{"records/2026/missing.yaml", "records", "nope/x"} {
		if _, err := r.ReadFile("HEAD", p); err == nil {
			t.Errorf("ReadFile(%q) succeeded", p)
		}
	}
	if _, err := r.ReadFile("HEAD", "records/2026/missing.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error %v does not match fs.ErrNotExist", err)
	}
	if _, err := r.ReadFile("HEAD", "../etc/passwd"); !errors.Is(err, store.ErrInvalidPath) {
		t.Errorf("ReadFile(../) = %v", err)
	}
	if _, err := r.ReadFile("no-such-branch", "casefile.yaml"); err == nil {
		t.Error("unknown revision accepted")
	}

	all, err := r.ListFiles("HEAD", "")
	if err != nil {
		t.Fatal(err)
	}
	want := "README.md casefile.yaml records/2025/INC-2025-0001.yaml records/2026/INC-2026-0001.yaml tools/run.sh"
	if strings.Join(all, " ") != want {
		t.Errorf("ListFiles = %v", all)
	}
	for _, prefix := range []string{"records", "records/"} {
		recs, err := r.ListFiles("HEAD", prefix)
		if err != nil || strings.Join(recs, " ") != "records/2025/INC-2025-0001.yaml records/2026/INC-2026-0001.yaml" {
			t.Errorf("ListFiles(%q) = %v, %v", prefix, recs, err)
		}
	}
	if recs, err := r.ListFiles(first, "records/2026"); err != nil || len(recs) != 0 {
		t.Errorf("ListFiles(first, records/2026) = %v, %v", recs, err)
	}
}

func TestCommitRefusesBadPaths(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(g.dir, "linked")); err != nil {
		t.Fatal(err)
	}
	g.write("plainfile", "x\n")
	before := g.head()

	tests := []struct {
		path string
		want error
	}{
		{"../escape.yaml", store.ErrInvalidPath},
		{"/etc/passwd", store.ErrInvalidPath},
		{"records/../../x", store.ErrInvalidPath},
		{"records//x.yaml", store.ErrInvalidPath},
		{"records/./x.yaml", store.ErrInvalidPath},
		{"records/x.yaml/", store.ErrInvalidPath},
		{".git/config", store.ErrInvalidPath},
		{"records/.GIT/hooks/pre-commit", store.ErrInvalidPath},
		{".git./x", store.ErrInvalidPath},
		{"records\\x.yaml", store.ErrInvalidPath},
		{"records/x\x00.yaml", store.ErrInvalidPath},
		{"records/x\n.yaml", store.ErrInvalidPath},
		{"", store.ErrInvalidPath},
		{"linked/x.yaml", store.ErrPathConflict},    // symlink in the way
		{"linked", store.ErrPathConflict},           // would replace a symlink
		{"plainfile/x.yaml", store.ErrPathConflict}, // file in the way in the work tree
		{"records", store.ErrPathConflict},          // directory in HEAD
		{"README.md/x", store.ErrPathConflict},      // file in HEAD
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.path, "/", "_"), func(t *testing.T) {
			_, err := r.Commit(context.Background(), change(tt.path, "x\n", "bad"))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if g.head() != before {
		t.Fatal("branch moved")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote through symlink: %v", entries)
	}
	if exists(filepath.Join(g.dir, ".git", "index.lock")) {
		t.Fatal("index.lock left behind")
	}
	g.fsck()
}

func TestCommitRefusesRepositoryStates(t *testing.T) {
	t.Run("detached HEAD", func(t *testing.T) {
		g := newGitRepo(t)
		g.run("checkout", "-q", "--detach")
		_, err := g.open().Commit(context.Background(), change(recordPath, "x\n", "x"))
		if !errors.Is(err, store.ErrDetachedHead) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("merge in progress", func(t *testing.T) {
		g := newGitRepo(t)
		g.run("checkout", "-q", "-b", "other")
		g.write("README.md", "other\n")
		g.run("commit", "-q", "-am", "other")
		g.run("checkout", "-q", "main")
		g.write("README.md", "main\n")
		g.run("commit", "-q", "-am", "main")
		if _, err := g.try("merge", "other"); err == nil {
			t.Fatal("setup: merge did not conflict")
		}
		head := g.head()
		_, err := g.open().Commit(context.Background(), change(recordPath, "x\n", "x"))
		if !errors.Is(err, store.ErrOperationInProgress) {
			t.Fatalf("err = %v", err)
		}
		if g.head() != head || exists(filepath.Join(g.dir, recordPath)) {
			t.Fatal("repository changed")
		}
	})
	t.Run("uncommitted changes to the record", func(t *testing.T) {
		g := newGitRepo(t)
		r := g.open()
		mustCommit(t, r, change(recordPath, "v1\n", "v1"))
		g.write(recordPath, "hand edit\n")
		_, err := r.Commit(context.Background(), change(recordPath, "v2\n", "v2"))
		if !errors.Is(err, store.ErrUncommittedChanges) {
			t.Fatalf("unstaged: err = %v", err)
		}
		if got := fileContent(t, filepath.Join(g.dir, recordPath)); got != "hand edit\n" {
			t.Fatalf("user's edit overwritten: %q", got)
		}
		g.run("add", recordPath)
		g.write(recordPath, "v1\n")
		if _, err := r.Commit(context.Background(), change(recordPath, "v2\n", "v2")); !errors.Is(err, store.ErrUncommittedChanges) {
			t.Fatalf("staged: err = %v", err)
		}
		g.run("reset", "-q", recordPath)
		// The edit is exactly what is being committed: fine.
		g.write(recordPath, "v2\n")
		mustCommit(t, r, change(recordPath, "v2\n", "v2"))
		if st := g.status(); st != "" {
			t.Fatalf("status %q", st)
		}
		// An untracked file at a new record's path.
		g.write("records/2026/INC-2026-0099.yaml", "stray\n")
		if _, err := r.Commit(context.Background(), change("records/2026/INC-2026-0099.yaml", "new\n", "new")); !errors.Is(err, store.ErrUncommittedChanges) {
			t.Fatalf("untracked: err = %v", err)
		}
	})
	t.Run("nothing to commit", func(t *testing.T) {
		g := newGitRepo(t)
		_, err := g.open().Commit(context.Background(), change("casefile.yaml", "version: 1\n", "noop"))
		if !errors.Is(err, store.ErrNothingToCommit) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bare repository", func(t *testing.T) {
		g := newGitRepo(t)
		bare := filepath.Join(t.TempDir(), "bare.git")
		g.run("clone", "-q", "--bare", g.dir, bare)
		if _, err := store.Open(bare); !errors.Is(err, store.ErrBareRepository) {
			t.Fatalf("err = %v", err)
		}
		if _, err := store.Open(filepath.Join(bare, "refs")); !errors.Is(err, store.ErrBareRepository) {
			t.Fatalf("inside bare: err = %v", err)
		}
		if _, err := store.Open(filepath.Join(g.dir, ".git", "refs")); err == nil {
			t.Fatal("opened from inside .git")
		}
	})
	t.Run("not a repository", func(t *testing.T) {
		if _, err := store.Open(t.TempDir()); !errors.Is(err, store.ErrNotRepository) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad identity and message", func(t *testing.T) {
		g := newGitRepo(t)
		r := g.open()
		for name, mutate := range map[string]func(*store.Change){
			"empty message":   func(c *store.Change) { c.Message = " \n" },
			"latin-1 message": func(c *store.Change) { c.Message = "caf\xe9" },
			"no files":        func(c *store.Change) { c.Files = nil },
			"angle in name":   func(c *store.Change) { c.Author.Name = "Eve <evil>" },
			"newline in mail": func(c *store.Change) { c.Author.Email = "a@b\nc" },
			"no time":         func(c *store.Change) { c.Author.When = time.Time{} },
		} {
			c := change(recordPath, "x\n", "x")
			mutate(&c)
			if _, err := r.Commit(context.Background(), c); err == nil {
				t.Errorf("%s accepted", name)
			}
		}
	})
}

func TestCommitWaitsForIndexLock(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	r.SetLockTimeout(150 * time.Millisecond)
	lock := filepath.Join(g.dir, ".git", "index.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := r.Commit(context.Background(), change(recordPath, "x\n", "x"))
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Error("gave up without waiting")
	}
	if !exists(lock) {
		t.Fatal("removed somebody else's index.lock")
	}

	// Released while we wait: the commit goes through.
	r.SetLockTimeout(5 * time.Second)
	go func() {
		time.Sleep(50 * time.Millisecond)
		os.Remove(lock)
	}()
	mustCommit(t, r, change(recordPath, "x\n", "x"))

	// A cancelled context stops the wait.
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := r.Commit(ctx, change(recordPath, "y\n", "y")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	os.Remove(lock)
}

func TestCommitInLinkedWorktree(t *testing.T) {
	g := newGitRepo(t)
	wtDir := filepath.Join(t.TempDir(), "wt")
	g.run("worktree", "add", "-q", "-b", "feature", wtDir)
	mainHead := g.head()
	r, err := store.Open(filepath.Join(wtDir, "records"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Root() != wtDir {
		t.Errorf("Root = %s", r.Root())
	}
	h := mustCommit(t, r, change(recordPath, "wt\n", "in worktree"))
	wt := &gitRepo{t: t, dir: wtDir, home: g.home, env: g.env}
	if wt.head() != h {
		t.Fatal("worktree HEAD not advanced")
	}
	if g.head() != mainHead {
		t.Fatal("main moved")
	}
	if st := wt.status(); st != "" {
		t.Errorf("worktree status:\n%s", st)
	}
	if st := g.status(); st != "" {
		t.Errorf("main status:\n%s", st)
	}
	if exists(filepath.Join(g.dir, recordPath)) {
		t.Error("file written to the main work tree")
	}
	g.fsck()
}

func TestCommitWithPackedRefs(t *testing.T) {
	g := newGitRepo(t)
	g.run("pack-refs", "--all")
	if exists(filepath.Join(g.dir, ".git", "refs", "heads", "main")) {
		t.Fatal("setup: loose ref remains")
	}
	r := g.open()
	before := g.head()
	h := mustCommit(t, r, change(recordPath, "x\n", "x"))
	if g.head() != h || strings.TrimSpace(g.run("rev-parse", "HEAD^")) != before {
		t.Fatal("packed ref not advanced correctly")
	}
	g.fsck()
}

func TestCommitSeveralFiles(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	c := change(recordPath, "rec\n", "INC-2026-0007: add evidence")
	c.Files["evidence/INC-2026-0007/headers.eml"] = []byte("Received: x\r\n")
	c.Files["evidence/INC-2026-0007/deep/er/file.bin"] = []byte{0, 1, 2, 255}
	c.Files["records/2025/INC-2025-0001.yaml"] = []byte("id: INC-2025-0001\nstatus: closed\n")
	mustCommit(t, r, c)
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
	for p, want := range c.Files {
		if got := g.run("show", "HEAD:"+p); got != string(want) {
			t.Errorf("%s = %q", p, got)
		}
	}
	if n := len(strings.Fields(g.run("show", "--format=", "--name-only", "HEAD"))); n != 4 {
		t.Errorf("%d files changed", n)
	}
}
