package custody_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/custody"
)

// trustedLog starts a log whose root commit trusts alice and bob.
func trustedLog(t *testing.T) (*testLog, *testKey, *testKey) {
	t.Helper()
	l := newTestLog(t)
	alice := newSSHKey(t, "Alice Analyst", "alice@example.com")
	bob := newSSHKey(t, "Bob Responder", "bob@example.com")
	l.commit(nil, alice, "casefile: initialise log", map[string]string{
		"casefile.yaml":            "version: 1\n",
		custody.AllowedSignersFile: alice.allowedLine("") + bob.allowedLine(""),
	})
	return l, alice, bob
}

func record(n string) string { return "records/2026/INC-2026-" + n + ".yaml" }

// TestVerifyReportsEveryViolation builds one history with every kind of
// tampering the issue lists and checks that a single run reports each of
// them at the right commit.
func TestVerifyReportsEveryViolation(t *testing.T) {
	t.Parallel()
	l, alice, bob := trustedLog(t)
	mallory := newSSHKey(t, "Mallory", "mallory@example.com")
	eve := newSSHKey(t, "Eve", "eve@example.com")
	carol := &testKey{name: "Carol", email: "carol@example.com"}
	want := map[string]string{} // commit → rule expected there

	l.commit(nil, alice, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})

	unsigned := l.commit(alice, nil, "INC-2026-0001: unsigned edit", map[string]string{record("0001"): recordYAML("INC-2026-0001", "assessed", nil)})
	want[unsigned] = custody.RuleUnsigned

	untrusted := l.commit(nil, mallory, "INC-2026-0002: report", map[string]string{record("0002"): recordYAML("INC-2026-0002", "reported", nil)})
	want[untrusted] = custody.RuleUntrustedSigner

	selfTrust := l.commit(nil, mallory, "trust: add mallory", map[string]string{
		custody.AllowedSignersFile: alice.allowedLine("") + bob.allowedLine("") + mallory.allowedLine(""),
	})
	want[selfTrust] = custody.RuleUntrustedSigner

	trustByUntrusted := l.commit(nil, eve, "trust: comment", map[string]string{
		custody.AllowedSignersFile: "# edited by eve\n" + alice.allowedLine("") + bob.allowedLine("") + mallory.allowedLine(""),
	})
	want[trustByUntrusted] = custody.RuleUntrustedSigner

	mismatch := l.commit(carol, alice, "INC-2026-0001: carol's words, alice's key", map[string]string{record("0001"): recordYAML("INC-2026-0001", "responding", nil)})
	want[mismatch] = custody.RuleAuthorMismatch

	// Content altered after signing: a signed commit's signature copied
	// onto a commit with another tree.
	signed := l.commit(nil, alice, "INC-2026-0003: report", map[string]string{record("0003"): recordYAML("INC-2026-0003", "reported", nil)})
	l.write(record("0003"), recordYAML("INC-2026-0003", "rejected", nil))
	l.git(nil, "add", "-A")
	tree := l.git(nil, "write-tree")
	raw := l.git(nil, "cat-file", "commit", signed)
	forgedRaw := regexp.MustCompile(`(?m)^tree [0-9a-f]{40}$`).ReplaceAllString(raw, "tree "+tree) + "\n"
	forged := hashObject(t, l, forgedRaw)
	l.git(nil, "reset", "-q", "--hard", forged)
	want[forged] = custody.RuleBadSignature

	// A broken trust line, committed by a trusted key.
	broken := l.commit(nil, alice, "trust: typo", map[string]string{
		custody.AllowedSignersFile: "# edited by eve\n" + alice.allowedLine("") + bob.allowedLine("") + mallory.allowedLine("") + "dave@example.com ssh-ed25519 AAAAnotbase64!\n",
	})
	want[broken] = custody.RuleTrustInvalid

	// Record deleted and renamed with stock git by trusted keys.
	l.commit(nil, bob, "INC-2026-0004/5: report", map[string]string{
		record("0004"): recordYAML("INC-2026-0004", "reported", nil),
		record("0005"): recordYAML("INC-2026-0005", "reported", nil),
	})
	l.git(nil, "rm", "-q", record("0004"))
	l.git(bob, "commit", "-q", "-S", "-m", "drop INC-2026-0004")
	deleted := l.git(nil, "rev-parse", "HEAD")
	want[deleted] = custody.RuleRecordDeleted
	l.write("records/2025/.keep", "")
	l.git(nil, "mv", record("0005"), "records/2025/INC-2026-0005.yaml")
	l.git(bob, "commit", "-q", "-S", "-m", "move INC-2026-0005")
	renamed := l.git(nil, "rev-parse", "HEAD")
	want[renamed] = custody.RuleRecordRenamed

	// A merge (signed, trusted) that brings in an unsigned branch commit.
	l.git(nil, "checkout", "-q", "-b", "side")
	sideUnsigned := l.commit(bob, nil, "INC-2026-0006: report", map[string]string{record("0006"): recordYAML("INC-2026-0006", "reported", nil)})
	want[sideUnsigned] = custody.RuleUnsigned
	l.git(nil, "checkout", "-q", "main")
	l.git(alice, "merge", "-q", "--no-ff", "-S", "-m", "Merge side", "side")

	// Evidence: altered file, edited hash, missing file, escaping path.
	const evA, evB = "evidence/INC-2026-0001/a.txt", "evidence/INC-2026-0001/b.txt"
	l.commit(nil, alice, "INC-2026-0001: evidence", map[string]string{
		evA: "original a\n",
		evB: "original b\n",
		record("0001"): recordYAML("INC-2026-0001", "responding", nil,
			evidenceItem("EV-1", evA, "original a\n"),
			evidenceItem("EV-2", evB, "the hash of other content\n"),
			evidenceItem("EV-3", "evidence/INC-2026-0001/missing.txt", "x"),
			evidenceItem("EV-4", "evidence/../../etc/passwd", "x")),
	})
	l.commit(nil, alice, "INC-2026-0001: tamper with evidence a", map[string]string{evA: "altered a\n"})
	// A record that no longer parses at HEAD.
	l.commit(nil, alice, "INC-2026-0007: broken", map[string]string{record("0007"): "id: [unclosed\n"})

	// An unsigned seal.
	l.git(nil, "tag", "-a", "-m", "review", "casefile-seal-unsigned")

	rep := l.verify(custody.VerifyOptions{})
	if rep.OK() || rep.Status != custody.StatusFailed {
		t.Fatalf("tampered history verifies:\n%s", dump(rep))
	}
	wantRules := []string{
		custody.RuleAuthorMismatch, custody.RuleBadSignature, custody.RuleEvidenceMismatch, custody.RuleEvidenceMissing,
		custody.RuleEvidencePath, custody.RuleRecordDeleted, custody.RuleRecordInvalid, custody.RuleRecordRenamed,
		custody.RuleSealUnsigned, custody.RuleTrustInvalid, custody.RuleUnsigned, custody.RuleUntrustedSigner,
	}
	if got := rules(rep); !reflect.DeepEqual(got, wantRules) {
		t.Errorf("rules = %v\nwant    %v\n%s", got, wantRules, dump(rep))
	}
	for commit, rule := range want {
		if len(findViolations(rep, rule, commit)) == 0 {
			t.Errorf("no %s violation at %s\n%s", rule, commit[:12], dump(rep))
		}
	}
	if vs := findViolations(rep, custody.RuleUntrustedSigner, selfTrust); len(vs) == 1 && !strings.Contains(vs[0].Reason, "not listed") {
		t.Errorf("self-trust reason: %s", vs[0].Reason)
	}
	if vs := findViolations(rep, custody.RuleRecordDeleted, deleted); len(vs) != 1 || vs[0].File != record("0004") {
		t.Errorf("deletion: %+v", vs)
	}
	if vs := findViolations(rep, custody.RuleRecordRenamed, renamed); len(vs) != 1 || vs[0].File != record("0005") ||
		!strings.Contains(vs[0].Reason, "records/2025/INC-2026-0005.yaml") {
		t.Errorf("rename: %+v", vs)
	}
	evidence := map[string]string{}
	for _, v := range rep.Violations {
		if strings.HasPrefix(v.Rule, "evidence-") {
			evidence[v.File] = v.Rule
		}
	}
	wantEvidence := map[string]string{
		evA: custody.RuleEvidenceMismatch, evB: custody.RuleEvidenceMismatch,
		"evidence/INC-2026-0001/missing.txt": custody.RuleEvidenceMissing,
		"evidence/../../etc/passwd":          custody.RuleEvidencePath,
	}
	if !reflect.DeepEqual(evidence, wantEvidence) {
		t.Errorf("evidence violations = %v", evidence)
	}
	if rep.Counts.Evidence != 4 || rep.Counts.Seals != 1 {
		t.Errorf("counts = %+v", rep.Counts)
	}
	// Mallory is trusted from her self-trust commit's children on, as
	// that is what the (flagged) trust file says; the flag is the point.
	for _, c := range rep.Commits {
		if c.Hash == selfTrust && (c.Signature == nil || c.Signature.Trusted) {
			t.Errorf("self-trusting commit: %+v", c.Signature)
		}
	}
}

func hashObject(t *testing.T, l *testLog, raw string) string {
	t.Helper()
	cmd := exec.Command("git", "hash-object", "-t", "commit", "-w", "--stdin")
	cmd.Dir, cmd.Env = l.dir, l.env
	cmd.Stdin = strings.NewReader(raw)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hash-object: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestVerifySelfTrust: a key added to trust in the same commit it signs is
// not trusted, for SSH and for OpenPGP.
func TestVerifySelfTrust(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"ssh", "openpgp"} {
		t.Run(format, func(t *testing.T) {
			l, alice, bob := trustedLog(t)
			files := map[string]string{}
			var mallory *testKey
			if format == "ssh" {
				mallory = newSSHKey(t, "Mallory", "mallory@example.com")
				files[custody.AllowedSignersFile] = alice.allowedLine("") + bob.allowedLine("") + mallory.allowedLine("")
			} else {
				mallory = newPGPKey(t, "Mallory", "mallory@example.com")
				files[custody.KeysDir+"/mallory.asc"] = mallory.pub
			}
			files[record("0001")] = recordYAML("INC-2026-0001", "reported", nil)
			h := l.commit(nil, mallory, "trust myself", files)
			rep := l.verify(custody.VerifyOptions{})
			vs := findViolations(rep, custody.RuleUntrustedSigner, h)
			if len(vs) != 1 || len(rep.Violations) != 1 {
				t.Fatalf("want one untrusted-signer at %s:\n%s", h[:12], dump(rep))
			}
			for _, c := range rep.Commits {
				if c.Hash == h && (!c.Signature.Valid || c.Signature.Trusted || c.Signature.Key == nil) {
					t.Errorf("status = %+v", c.Signature)
				}
			}
			// A second commit by mallory is trusted by the (flagged) file.
			h2 := l.commit(nil, mallory, "after", map[string]string{record("0001"): recordYAML("INC-2026-0001", "assessed", nil)})
			rep = l.verify(custody.VerifyOptions{})
			if len(findViolations(rep, "", h2)) != 0 {
				t.Errorf("second commit flagged:\n%s", dump(rep))
			}
		})
	}
}

// TestVerifySealRewritten: amending an old commit and re-pointing main
// leaves the seal on a commit that is no longer an ancestor of HEAD.
func TestVerifySealRewritten(t *testing.T) {
	t.Parallel()
	l, alice, _ := trustedLog(t)
	l.commit(nil, alice, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	sealed := l.commit(nil, alice, "INC-2026-0001: assess", map[string]string{record("0001"): recordYAML("INC-2026-0001", "assessed", nil)})
	l.commit(nil, alice, "INC-2026-0001: contain", map[string]string{record("0001"): recordYAML("INC-2026-0001", "contained", nil)})
	l.git(alice, "tag", "-s", "-m", "management review", "casefile-seal-review", sealed)
	if rep := l.verify(custody.VerifyOptions{}); !rep.OK() {
		t.Fatalf("before rewrite:\n%s", dump(rep))
	}

	// Rewrite the sealed commit: check it out, amend (re-signed by a
	// trusted key, so every commit still verifies), replay the rest.
	l.git(nil, "checkout", "-q", "--detach", sealed)
	l.write(record("0009"), recordYAML("INC-2026-0009", "reported", nil))
	l.git(nil, "add", record("0009"))
	l.git(alice, "commit", "-q", "-S", "--amend", "-m", "INC-2026-0001: assess (rewritten)")
	l.git(alice, "cherry-pick", "-S", "main")
	l.git(nil, "branch", "-f", "main", "HEAD")
	l.git(nil, "checkout", "-q", "main")

	rep := l.verify(custody.VerifyOptions{})
	if got := rules(rep); !reflect.DeepEqual(got, []string{custody.RuleSealNotAncestor}) {
		t.Fatalf("rules = %v\n%s", got, dump(rep))
	}
	if len(rep.Seals) != 1 || rep.Seals[0].Ancestor || !rep.Seals[0].Signature.OK() || rep.Seals[0].Commit != sealed {
		t.Errorf("seal = %+v", rep.Seals)
	}
}

func TestVerifySealUntrusted(t *testing.T) {
	t.Parallel()
	l, alice, _ := trustedLog(t)
	mallory := newSSHKey(t, "Mallory", "mallory@example.com")
	l.commit(nil, alice, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	l.git(mallory, "tag", "-s", "-m", "fake review", "casefile-seal-fake")
	l.git(alice, "tag", "-m", "other prefix is ignored", "-s", "review-2026")
	l.git(nil, "tag", "casefile-seal-light")
	rep := l.verify(custody.VerifyOptions{})
	if got := rules(rep); !reflect.DeepEqual(got, []string{custody.RuleSealUnsigned, custody.RuleSealUntrusted}) {
		t.Fatalf("rules = %v\n%s", got, dump(rep))
	}
	if rep.Counts.Seals != 2 {
		t.Errorf("seals = %d", rep.Counts.Seals)
	}
	rep = l.verify(custody.VerifyOptions{SealPrefix: "refs/tags/review-"})
	if !rep.OK() || rep.Counts.Seals != 1 {
		t.Errorf("custom prefix:\n%s", dump(rep))
	}
}

// TestVerifyShallowClone: a shallow clone is never reported as verified.
func TestVerifyShallowClone(t *testing.T) {
	t.Parallel()
	l := newCleanLog(t)
	dst := filepath.Join(t.TempDir(), "shallow")
	l.git(nil, "clone", "-q", "--depth", "2", "file://"+l.dir, dst)
	rep := verifyAt(t, dst, custody.VerifyOptions{})
	if rep.OK() || rep.Status != custody.StatusUnverifiable || len(rep.Shallow) == 0 {
		t.Fatalf("shallow clone:\n%s", dump(rep))
	}
	if got := rules(rep); !reflect.DeepEqual(got, []string{custody.RuleShallow}) {
		t.Errorf("rules = %v\n%s", got, dump(rep))
	}
	if rep.Counts.Commits != 2 {
		t.Errorf("walked %d commits", rep.Counts.Commits)
	}
}

// TestVerifyFrom checks only the commits after FROM, with trust from
// their parents.
func TestVerifyFrom(t *testing.T) {
	t.Parallel()
	l, alice, _ := trustedLog(t)
	old := l.commit(alice, nil, "old unsigned", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	from := l.commit(nil, alice, "INC-2026-0001: assess", map[string]string{record("0001"): recordYAML("INC-2026-0001", "assessed", nil)})
	l.commit(nil, alice, "INC-2026-0001: contain", map[string]string{record("0001"): recordYAML("INC-2026-0001", "contained", nil)})
	if rep := l.verify(custody.VerifyOptions{}); len(findViolations(rep, custody.RuleUnsigned, old)) != 1 {
		t.Fatalf("full walk:\n%s", dump(rep))
	}
	rep := l.verify(custody.VerifyOptions{From: from})
	if !rep.OK() || rep.Counts.Commits != 1 || rep.From != from {
		t.Fatalf("from:\n%s", dump(rep))
	}
	if rep = l.verify(custody.VerifyOptions{From: "HEAD~3"}); len(findViolations(rep, custody.RuleUnsigned, old)) != 1 || rep.Counts.Commits != 3 {
		t.Fatalf("from HEAD~3:\n%s", dump(rep))
	}
	r, _ := custody.OpenRepository(l.dir)
	defer r.Close()
	if _, err := custody.Verify(t.Context(), r, custody.VerifyOptions{From: "no-such-rev"}); err == nil {
		t.Error("bad --from accepted")
	}
}

// TestVerifyPlatformMerge: a merge signed by a platform key passes only
// when the platform principal is configured; other commits by that key
// still need a matching author.
func TestVerifyPlatformMerge(t *testing.T) {
	t.Parallel()
	l, alice, bob := trustedLog(t)
	platform := newSSHKey(t, "GitHub", "noreply@github.com")
	l.commit(nil, alice, "trust: platform", map[string]string{
		custody.AllowedSignersFile: alice.allowedLine("") + bob.allowedLine("") + platform.allowedLine(""),
	})
	l.git(nil, "checkout", "-q", "-b", "pr")
	l.commit(nil, bob, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	l.git(nil, "checkout", "-q", "main")
	l.commit(nil, alice, "INC-2026-0002: report", map[string]string{record("0002"): recordYAML("INC-2026-0002", "reported", nil)})
	// The platform authors the merge as the user who pressed the button.
	cmdEnvMerge(t, l, platform, "bob@example.com")
	merge := l.git(nil, "rev-parse", "HEAD")
	rep := l.verify(custody.VerifyOptions{})
	if vs := findViolations(rep, custody.RuleAuthorMismatch, merge); len(vs) != 1 {
		t.Fatalf("without platform principals:\n%s", dump(rep))
	}
	rep = l.verify(custody.VerifyOptions{PlatformPrincipals: []string{"noreply@github.com"}})
	if !rep.OK() {
		t.Fatalf("with platform principals:\n%s", dump(rep))
	}
	if rep = l.verify(custody.VerifyOptions{AllowAuthorMismatch: true}); !rep.OK() {
		t.Fatalf("with AllowAuthorMismatch:\n%s", dump(rep))
	}
}

// cmdEnvMerge merges "pr" authored by author, signed with signer's key.
func cmdEnvMerge(t *testing.T, l *testLog, signer *testKey, author string) {
	t.Helper()
	cmd := exec.Command("git", "-c", "gpg.format=ssh", "-c", "user.signingkey="+signer.keyFile,
		"merge", "-q", "--no-ff", "-S", "-m", "Merge pull request #1", "pr")
	cmd.Dir = l.dir
	cmd.Env = append(append([]string{}, l.env...),
		"GIT_AUTHOR_NAME=Bob", "GIT_AUTHOR_EMAIL="+author,
		"GIT_COMMITTER_NAME=GitHub", "GIT_COMMITTER_EMAIL="+signer.email,
		"GIT_AUTHOR_DATE=2026-03-02T12:00:00Z", "GIT_COMMITTER_DATE=2026-03-02T12:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
}

// TestVerifyMergeDropsRecord: an evil merge that drops a record added on
// one side is a deletion even though no single-parent commit deleted it.
func TestVerifyMergeDropsRecord(t *testing.T) {
	t.Parallel()
	l, alice, bob := trustedLog(t)
	l.git(nil, "checkout", "-q", "-b", "side")
	l.commit(nil, bob, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	l.git(nil, "checkout", "-q", "main")
	l.commit(nil, alice, "INC-2026-0002: report", map[string]string{record("0002"): recordYAML("INC-2026-0002", "reported", nil)})
	l.git(alice, "merge", "-q", "--no-ff", "--no-commit", "side")
	l.git(nil, "rm", "-q", "-f", record("0001"))
	l.git(alice, "commit", "-q", "-S", "-m", "evil merge")
	merge := l.git(nil, "rev-parse", "HEAD")
	rep := l.verify(custody.VerifyOptions{})
	vs := findViolations(rep, custody.RuleRecordDeleted, merge)
	if len(vs) != 1 || vs[0].File != record("0001") || !strings.Contains(vs[0].Reason, "parent 2") {
		t.Fatalf("evil merge:\n%s", dump(rep))
	}
}

// TestVerifyObjectAlteredInPlace: rewriting an object file under its old
// name (which git notices only in fsck) is reported, not trusted.
func TestVerifyObjectAlteredInPlace(t *testing.T) {
	t.Parallel()
	l, alice, _ := trustedLog(t)
	l.commit(nil, alice, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	l.commit(nil, alice, "INC-2026-0002: report", map[string]string{record("0002"): recordYAML("INC-2026-0002", "reported", nil)})
	if rep := l.verify(custody.VerifyOptions{}); !rep.OK() {
		t.Fatalf("before:\n%s", dump(rep))
	}
	// Swap the content of the current records/2026 tree and of a record
	// blob for other valid objects' content.
	tree, oldTree := l.git(nil, "rev-parse", "HEAD:records/2026"), l.git(nil, "rev-parse", "HEAD~1:records/2026")
	blob, other := l.git(nil, "rev-parse", "HEAD:"+record("0001")), l.git(nil, "rev-parse", "HEAD:"+record("0002"))
	replaceObject(t, l, blob, "blob", other)
	replaceObject(t, l, tree, "tree", oldTree)
	rep := l.verify(custody.VerifyOptions{})
	if got := rules(rep); !reflect.DeepEqual(got, []string{custody.RuleObjectCorrupt}) {
		t.Fatalf("rules = %v\n%s", got, dump(rep))
	}
}

// replaceObject overwrites the loose object name with the content of the
// object from.
func replaceObject(t *testing.T, l *testLog, name, typ, from string) {
	t.Helper()
	content := l.git(nil, "cat-file", typ, from)
	if typ == "tree" {
		// cat-file prints trees in text; take the raw bytes instead.
		cmd := exec.Command("git", "cat-file", "tree", from)
		cmd.Dir, cmd.Env = l.dir, l.env
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		content = string(out)
	} else {
		content += "\n"
	}
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	fmt.Fprintf(zw, "%s %d\x00%s", typ, len(content), content)
	zw.Close()
	p := filepath.Join(l.dir, ".git", "objects", name[:2], name[2:])
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
}
