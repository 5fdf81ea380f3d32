package custody_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"
)

const (
	rec1 = "records/2026/INC-2026-0001.yaml"
	rec2 = "records/2026/INC-2026-0002.yaml"
	ev1  = "evidence/INC-2026-0001/headers.eml"
)

// cleanLog builds a history that must verify: bootstrap by alice, records
// by alice and bob (SSH) and carol (OpenPGP), evidence, a branch merged
// with a signed merge, a commit made by stock `git commit -S`, and a seal.
type cleanLog struct {
	*testLog
	alice, bob, carol *testKey
	root, merge       string
}

func newCleanLog(t *testing.T) *cleanLog {
	t.Helper()
	l := &cleanLog{
		testLog: newTestLog(t),
		alice:   newSSHKey(t, "Alice Analyst", "alice@example.com"),
		bob:     newSSHKey(t, "Bob Responder", "bob@example.com"),
		carol:   newPGPKey(t, "Carol Lead", "carol@example.com"),
	}
	allowed := "# trusted signers\n" + l.alice.allowedLine(`namespaces="git"`) + l.bob.allowedLine("")
	l.root = l.commit(nil, l.alice, "casefile: initialise log", map[string]string{
		"casefile.yaml":                "version: 1\n",
		custody.AllowedSignersFile:     allowed,
		custody.KeysDir + "/carol.asc": l.carol.pub,
		"README.md":                    "# log\n",
	})
	l.commit(nil, l.alice, "INC-2026-0001: report", map[string]string{rec1: recordYAML("INC-2026-0001", "reported", nil)})
	l.commit(nil, l.bob, "INC-2026-0001: contain", map[string]string{rec1: recordYAML("INC-2026-0001", "contained", []string{"reset credentials"})})
	l.commit(nil, l.carol, "INC-2026-0001: evidence", map[string]string{
		ev1:  "Received: from evil\n",
		rec1: recordYAML("INC-2026-0001", "contained", []string{"reset credentials"}, evidenceItem("EV-1", ev1, "Received: from evil\n")),
	})
	// A side branch with its own record, merged back with a signed merge.
	l.git(nil, "checkout", "-q", "-b", "side")
	l.commit(nil, l.bob, "INC-2026-0002: report", map[string]string{rec2: recordYAML("INC-2026-0002", "reported", nil)})
	l.git(nil, "checkout", "-q", "main")
	l.commit(nil, l.alice, "docs only", map[string]string{"README.md": "# log\n\nunsigned docs are fine\n"})
	l.git(l.alice, "merge", "-q", "--no-ff", "-S", "-m", "Merge branch side", "side")
	l.merge = l.git(nil, "rev-parse", "HEAD")
	// Stock git, signing with the key from the user's configuration.
	l.write(rec2, recordYAML("INC-2026-0002", "assessed", nil))
	l.git(l.bob, "commit", "-q", "-S", "-am", "INC-2026-0002: assess")
	// An unsigned commit outside the custody paths is not checked.
	l.write("notes.txt", "n\n")
	l.git(nil, "add", "notes.txt")
	l.git(nil, "commit", "-q", "-m", "notes")
	l.git(l.alice, "tag", "-s", "-m", "review 2026-Q1", "casefile-seal-2026-q1")
	return l
}

func TestVerifyCleanHistory(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	var calls, lastDone, lastTotal int
	rep := l.verify(custody.VerifyOptions{Progress: func(done, total int) { calls++; lastDone, lastTotal = done, total }})
	if !rep.OK() || len(rep.Violations) != 0 {
		t.Fatalf("clean history does not verify:\n%s", dump(rep))
	}
	want := custody.Counts{Commits: 9, Checked: 7, Signed: 8, Records: 2, Evidence: 1, Seals: 1, TrustFiles: 2}
	if rep.Counts != want {
		t.Errorf("counts = %+v, want %+v", rep.Counts, want)
	}
	if calls == 0 || lastDone != lastTotal || lastTotal != 9 {
		t.Errorf("progress: %d calls, last %d/%d", calls, lastDone, lastTotal)
	}
	if len(rep.Seals) != 1 || !rep.Seals[0].Ancestor || !rep.Seals[0].Signature.OK() {
		t.Errorf("seal: %+v", rep.Seals)
	}
	// Newest first, every commit before its parents.
	pos := map[string]int{}
	for i, c := range rep.Commits {
		pos[c.Hash] = i
	}
	for _, c := range rep.Commits {
		for _, p := range c.Parents {
			if pos[p] <= pos[c.Hash] {
				t.Errorf("commit %s listed after its parent %s", c.Hash[:8], p[:8])
			}
		}
	}
	js, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(js), `"status":"verified"`) || !strings.Contains(string(js), `"violations":[]`) {
		t.Errorf("json: %v %.200s", err, js)
	}
	formats := map[custody.Format]int{}
	for _, c := range rep.Commits {
		if c.Signature != nil {
			formats[c.Signature.Format]++
			if c.Hash == l.merge && c.Signature.Principals[0] != "alice@example.com" {
				t.Errorf("merge principals = %v", c.Signature.Principals)
			}
		}
	}
	if formats[custody.FormatSSH] != 6 || formats[custody.FormatOpenPGP] != 1 {
		t.Errorf("formats = %v", formats)
	}
}

// TestVerifyStockGitCommit proves that a commit made by `git commit -S`
// with a trusted key verifies exactly like one made by casefile, and that
// casefile's commit passes stock `git verify-commit` with the same trust
// file.
func TestVerifyStockGitCommit(t *testing.T) {
	t.Parallel()
	l := newTestLog(t)
	alice := newSSHKey(t, "Alice Analyst", "alice@example.com")
	l.commit(nil, alice, "init", map[string]string{custody.AllowedSignersFile: alice.allowedLine("")})
	ours := l.commit(nil, alice, "INC-2026-0001: report", map[string]string{rec1: recordYAML("INC-2026-0001", "reported", nil)})
	l.write(rec1, recordYAML("INC-2026-0001", "assessed", nil))
	l.git(alice, "commit", "-q", "-S", "-am", "INC-2026-0001: assess")
	theirs := l.git(nil, "rev-parse", "HEAD")

	rep := l.verify(custody.VerifyOptions{})
	if !rep.OK() {
		t.Fatalf("does not verify:\n%s", dump(rep))
	}
	status := map[string]*custody.SignatureStatus{}
	for _, c := range rep.Commits {
		status[c.Hash] = c.Signature
	}
	if !reflect.DeepEqual(status[ours], status[theirs]) {
		t.Errorf("casefile commit: %+v\ngit commit: %+v", status[ours], status[theirs])
	}
	allowed := filepath.Join(l.dir, ".casefile", "allowed_signers")
	for _, h := range []string{ours, theirs} {
		l.git(nil, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", h)
	}
}

func TestVerifyEmptyRepository(t *testing.T) {
	t.Parallel()
	l := newTestLog(t)
	rep := l.verify(custody.VerifyOptions{})
	if !rep.OK() || rep.Counts.Commits != 0 {
		t.Fatalf("empty: %s", dump(rep))
	}
}

func TestVerifyCancelled(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	r, err := custody.OpenRepository(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := custody.Verify(ctx, r, custody.VerifyOptions{}); err == nil {
		t.Fatal("cancelled verify succeeded")
	}
}

func TestVerifyLinkedWorktree(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	wt := filepath.Join(t.TempDir(), "wt")
	l.git(nil, "worktree", "add", "-q", "-b", "audit", wt, "main")
	if fi, err := os.Stat(filepath.Join(wt, ".git")); err != nil || fi.IsDir() {
		t.Fatalf(".git of a linked worktree should be a file: %v", err)
	}
	rep := verifyAt(t, wt, custody.VerifyOptions{})
	if !rep.OK() || rep.Counts.Commits != 9 || rep.Head != l.git(nil, "rev-parse", "main") {
		t.Fatalf("worktree:\n%s", dump(rep))
	}
}

// TestVerifyReadersAgree: the fast object reader and go-git give the same
// report, on loose objects and after packing.
func TestVerifyReadersAgree(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	for _, packed := range []bool{false, true} {
		if packed {
			l.git(nil, "repack", "-adq")
		}
		fast := l.verify(custody.VerifyOptions{})
		r, err := custody.OpenRepository(l.dir)
		if err != nil {
			t.Fatal(err)
		}
		custody.DisableFastReader(r)
		slow, err := custody.Verify(context.Background(), r, custody.VerifyOptions{})
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !fast.OK() || !reflect.DeepEqual(fast, slow) {
			t.Errorf("packed=%v: fast and go-git readers disagree:\n%s\n%s", packed, dump(fast), dump(slow))
		}
	}
}

// TestVerifyAcrossWorkerChunks: a history longer than the runs of commits
// the workers take (commitChunk) gives the same report with one worker as
// with several, and a deletion and a rename that sit on either side of a
// chunk boundary, and a deletion in the middle of a folder (not at its
// end, where new records go), are each reported once against their commit.
func TestVerifyAcrossWorkerChunks(t *testing.T) {
	t.Parallel()
	l := newTestLog(t)
	alice := newSSHKey(t, "Alice Analyst", "alice@example.com")
	l.commit(nil, alice, "casefile: initialise log", map[string]string{
		"casefile.yaml":            "version: 1\n",
		custody.AllowedSignersFile: alice.allowedLine(""),
	})
	rec := func(i int) string { return fmt.Sprintf("records/2026/INC-2026-%04d.yaml", i) }
	for i := 1; i <= 40; i++ {
		l.commit(nil, alice, fmt.Sprintf("INC-2026-%04d: report", i), map[string]string{rec(i): recordYAML(fmt.Sprintf("INC-2026-%04d", i), "reported", nil)})
	}
	l.git(nil, "rm", "-q", rec(20))
	l.git(alice, "commit", "-q", "-S", "-m", "drop a record from the middle")
	middle := l.git(nil, "rev-parse", "HEAD")
	l.git(nil, "rm", "-q", rec(40))
	l.git(alice, "commit", "-q", "-S", "-m", "drop the newest record")
	deleted := l.git(nil, "rev-parse", "HEAD")
	l.git(nil, "mv", rec(39), "records/2026/renamed.yaml")
	l.git(alice, "commit", "-q", "-S", "-m", "rename a record")
	renamed := l.git(nil, "rev-parse", "HEAD")
	// Enough commits after them that the rename is the last commit of
	// the first chunk (newest first) and the deletion the first of the
	// second.
	for i := 41; i < 41+127; i++ {
		l.commit(nil, alice, fmt.Sprintf("INC-2026-%04d: report", i), map[string]string{rec(i): recordYAML(fmt.Sprintf("INC-2026-%04d", i), "reported", nil)})
	}
	one := l.verify(custody.VerifyOptions{Workers: 1})
	if got := rules(one); !reflect.DeepEqual(got, []string{custody.RuleRecordDeleted, custody.RuleRecordRenamed}) {
		t.Fatalf("rules = %v, want a deletion and a rename:\n%s", got, dump(one))
	}
	if one.Commits[127].Hash != renamed || one.Commits[128].Hash != deleted {
		t.Fatalf("the rename and the deletion are at %d and %d in walk order, not 127 and 128", indexOf(one, renamed), indexOf(one, deleted))
	}
	for _, c := range []struct{ commit, rule, file string }{
		{middle, custody.RuleRecordDeleted, rec(20)},
		{deleted, custody.RuleRecordDeleted, rec(40)},
		{renamed, custody.RuleRecordRenamed, rec(39)},
	} {
		if vs := findViolations(one, c.rule, c.commit); len(vs) != 1 || vs[0].File != c.file {
			t.Errorf("%s at %.8s: %+v, want one for %s", c.rule, c.commit, vs, c.file)
		}
	}
	if n := len(one.Violations); n != 3 {
		t.Errorf("%d violations, want 3:\n%s", n, dump(one))
	}
	for _, workers := range []int{2, 3} {
		if many := l.verify(custody.VerifyOptions{Workers: workers}); !reflect.DeepEqual(one, many) {
			t.Errorf("%d workers give another report than one:\n%s\n%s", workers, dump(one), dump(many))
		}
	}
}

func indexOf(rep *custody.VerifyReport, commit string) int {
	for i, c := range rep.Commits {
		if c.Hash == commit {
			return i
		}
	}
	return -1
}

// TestVerifyWorkTreeIsOnlyACache: verify reads a record at HEAD from the
// work tree only when the file there has the committed content; a changed
// file, a FIFO or a symbolic link in its place, or a missing one, change
// nothing in the report but HeadRecords, which says which files hold the
// committed content.
func TestVerifyWorkTreeIsOnlyACache(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	clean := l.verify(custody.VerifyOptions{})
	if !clean.OK() || !reflect.DeepEqual(clean.HeadRecords, map[string]bool{rec1: true, rec2: true}) {
		t.Fatalf("clean: HeadRecords %v\n%s", clean.HeadRecords, dump(clean))
	}
	for name, spoil := range map[string]func(p string) error{
		"changed": func(p string) error { return os.WriteFile(p, []byte("not: [a record\n"), 0o644) },
		"missing": os.Remove,
		"symlink": func(p string) error {
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.Symlink(filepath.Join(l.dir, rec2), p)
		},
		"fifo": func(p string) error {
			if err := os.Remove(p); err != nil {
				return err
			}
			return mkfifo(p)
		},
	} {
		p := filepath.Join(l.dir, rec1)
		if err := spoil(p); err != nil {
			if name == "fifo" && errors.Is(err, errNoFIFO) {
				continue
			}
			t.Fatalf("%s: %v", name, err)
		}
		got := l.verify(custody.VerifyOptions{})
		want := *clean
		want.HeadRecords = map[string]bool{rec1: false, rec2: true}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("%s work tree file: HeadRecords %v\n%s", name, got.HeadRecords, dump(got))
		}
		os.Remove(p)
		l.git(nil, "checkout", "-q", "--", rec1)
	}
}
