package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/gen"
	"github.com/casefile/casefile/internal/gen/genhistory"
)

// The fixtures beyond the plain records repository: a committed one that
// casefile and git write to, a signed history, and VERIS files to import.
// Each is made once per size and session; facts the commands need (the
// record to act on, the record whose history to read) go to h.facts.

// vcdbDir is where the VERIS Community Database's JSON files are read from
// to make the import fixture.
const vcdbDir = "/work/shared/data/vcdb/json"

// verisFiles is the number of VERIS files the import pair imports, at every
// size.
const verisFiles = 10000

// benchEnv is the environment of every timed command: no user or system
// git configuration, only the fixture's own.
func benchEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
}

// gitIn runs git in dir with the bench environment.
func gitIn(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = benchEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// signingKey makes (once per session) the SSH key the write fixtures sign
// with and returns the private key's path.
func (h *harness) signingKey() (string, error) {
	p := filepath.Join(h.work, "bench-key")
	if h.facts["key"] != "" {
		return p, nil
	}
	os.Remove(p)
	os.Remove(p + ".pub")
	if _, err := genhistory.MakeSSHKey(p, benchEmail); err != nil {
		return "", fmt.Errorf("making the signing key: %w", err)
	}
	h.facts["key"] = p
	return p, nil
}

const (
	benchName  = "Bench Analyst"
	benchEmail = "analyst@example.com"
)

// configureSigning sets the repository's git configuration for signed
// commits with the session's key, for git commit -S and casefile alike.
func (h *harness) configureSigning(dir string) error {
	key, err := h.signingKey()
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{
		{"user.name", benchName},
		{"user.email", benchEmail},
		{"gpg.format", "ssh"},
		{"user.signingkey", key},
		{"gpg.ssh.allowedSignersFile", ".casefile/allowed_signers"},
	} {
		if err := gitIn(dir, "config", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// committedRepo is the records repository of n records committed to git in
// one commit, with signing configured and the key trusted, plus one open
// record made by casefile new for act to append to. casefile new and act,
// git commit -S and report trends run in it; the write commands add a
// commit per run.
func (h *harness) committedRepo(n int) (string, error) {
	src, err := h.recordsRepo(n)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(h.work, fmt.Sprintf("committed-%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	h.log("committing %s records to git in %s", fmtCount(n), dir)
	if out, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copying %s: %w\n%s", src, err, out)
	}
	if err := gitIn(dir, "init", "-q", "-b", "main"); err != nil {
		return "", err
	}
	if err := h.configureSigning(dir); err != nil {
		return "", err
	}
	pub, err := os.ReadFile(h.facts["key"] + ".pub")
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(pub))
	if len(fields) < 2 {
		return "", fmt.Errorf("unreadable public key %s.pub", h.facts["key"])
	}
	if err := os.MkdirAll(filepath.Join(dir, ".casefile"), 0o755); err != nil {
		return "", err
	}
	trust := fmt.Sprintf("%s namespaces=\"git\" %s %s\n", benchEmail, fields[0], fields[1])
	if err := os.WriteFile(filepath.Join(dir, ".casefile", "allowed_signers"), []byte(trust), 0o644); err != nil {
		return "", err
	}
	if err := gitIn(dir, "add", "-A"); err != nil {
		return "", err
	}
	if err := gitIn(dir, "commit", "-q", "-S", "-m", fmt.Sprintf("import %d generated records", n)); err != nil {
		return "", err
	}
	// The record act appends to, and the file git's side copies.
	cmd := exec.Command(h.casefile, "new", "incident", "--title", "Bench incident for act", "--description", "Opened by the harness; act appends to its timeline")
	cmd.Dir, cmd.Env = dir, benchEnv()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("casefile new in %s: %w", dir, err)
	}
	h.facts["act-id"] = strings.TrimSpace(string(out))
	path, err := findRecord(dir, h.facts["act-id"])
	if err != nil {
		return "", err
	}
	h.facts["act-path"] = path
	data, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		return "", err
	}
	// git's side of new files a copy of a record casefile wrote, under a
	// name of its own (outside records/, which lint would check).
	if err := os.WriteFile(filepath.Join(h.work, "git-new-template.yaml"), data, 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// findRecord returns the repository path of the record id.
func findRecord(dir, id string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "records", "*", id+".yaml"))
	if err != nil || len(matches) != 1 {
		return "", fmt.Errorf("record %q not found in %s", id, dir)
	}
	return filepath.Rel(dir, matches[0])
}

// historyRepo is a repository whose history is n commits, each signed with
// an SSH key made for it (genhistory.Generate), for verify and history,
// packed by git the way git gc packs a repository whose commits were made
// one at a time: `git repack -a -d -f`, which stores most versions of a
// tree as a delta on the next. genhistory writes every object whole, which
// no repository of such a history has once git has packed it.
func (h *harness) historyRepo(n int) (string, error) {
	return h.generateHistory(n, fmt.Sprintf("history-%d", n), true)
}

// historyWholeRepo is the same history as the generator writes it, every
// object stored whole, to show what verify costs on such a pack.
func (h *harness) historyWholeRepo(n int) (string, error) {
	return h.generateHistory(n, fmt.Sprintf("history-whole-%d", n), false)
}

func (h *harness) generateHistory(n int, name string, repack bool) (string, error) {
	dir := filepath.Join(h.work, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	h.log("generating a history of %s signed commits in %s", fmtCount(n), dir)
	start := time.Now()
	hist, err := genhistory.Generate(dir, genhistory.Options{
		Commits: n, Seed: 1, KeyFile: filepath.Join(h.work, name+".key"),
		Name: benchName, Email: benchEmail,
	})
	if err != nil {
		return "", err
	}
	if err := gitIn(dir, "reset", "-q"); err != nil {
		return "", err
	}
	if err := gitIn(dir, "config", "gpg.ssh.allowedSignersFile", hist.AllowedSigners); err != nil {
		return "", err
	}
	what := fmt.Sprintf("a history of %s signed commits (genhistory.Generate)", fmtCount(n))
	if repack {
		if err := gitIn(dir, "repack", "-a", "-d", "-f", "-q"); err != nil {
			return "", err
		}
		what = fmt.Sprintf("a history of %s signed commits (genhistory.Generate, then git repack -a -d -f)", fmtCount(n))
	}
	h.fixtureTime[what] = time.Since(start)
	// The record whose history is read: the one in the middle of the
	// history, so that git log -- path walks all of it either way.
	ids := make([]string, 0, len(hist.Records))
	for id := range hist.Records {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	h.facts["history-id"] = ids[len(ids)/2]
	h.facts["history-path"] = hist.Records[ids[len(ids)/2]]
	h.facts["history-commits"] = fmt.Sprint(n)
	return dir, nil
}

// verisFixture is a folder holding veris/, verisFiles VERIS files made from
// the VCDB (gen.VERIS), and template/, an initialised casefile repository
// with signing configured; prepareImport copies the template to run/
// before each import, which runs there.
func (h *harness) verisFixture(int) (string, error) {
	dir := filepath.Join(h.work, "veris")
	if h.facts["veris"] != "" {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	h.log("writing %s VERIS files from %s to %s", fmtCount(verisFiles), vcdbDir, dir)
	if err := gen.VERIS(filepath.Join(dir, "veris"), vcdbDir, verisFiles, 1); err != nil {
		return "", err
	}
	tmpl := filepath.Join(dir, "template")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		return "", err
	}
	if err := gitIn(tmpl, "init", "-q", "-b", "main"); err != nil {
		return "", err
	}
	if err := h.configureSigning(tmpl); err != nil {
		return "", err
	}
	cmd := exec.Command(h.casefile, "init", "--org", "Bench Importer Ltd")
	cmd.Dir, cmd.Env = tmpl, benchEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("casefile init in %s: %w\n%s", tmpl, err, out)
	}
	h.facts["veris"] = dir
	return dir, nil
}

// prepareImport gives each import a fresh copy of the template repository,
// in a folder of its own: removing the previous run's 10,000 files just
// before the timed run would have it pay for the filesystem's reuse of the
// freed inodes (ext4 here spends about a millisecond per file creation
// then). The copies are left in the work folder.
func prepareImport(_ *harness, dir string) (string, error) {
	var run string
	for i := 1; ; i++ {
		run = filepath.Join(dir, fmt.Sprintf("run-%d", i))
		if _, err := os.Lstat(run); os.IsNotExist(err) {
			break
		}
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(dir, "template"), run).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copying the import template: %w\n%s", err, out)
	}
	return run, nil
}

// needsCommand says why casefile cannot run subcommand: it has none of that
// name (verify and history are written on another branch).
func needsCommand(name string) func(h *harness) string {
	return func(h *harness) string {
		if err := exec.Command(h.casefile, name, "--help").Run(); err != nil {
			return "this casefile has no " + name + " command"
		}
		return ""
	}
}

// needsVCDB says why the import fixture cannot be made.
func needsVCDB(*harness) string {
	if m, _ := filepath.Glob(filepath.Join(vcdbDir, "*.json")); len(m) == 0 {
		return "no VERIS files in " + vcdbDir
	}
	return ""
}
