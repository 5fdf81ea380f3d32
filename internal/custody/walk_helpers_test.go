package custody_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"

	"github.com/casefile/casefile/internal/testtools"
)

// logStart is the fixed clock of test histories; each commit is a minute
// after the previous one.
var logStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testKey is a signing identity of a test: an in-process custody signer
// and, for SSH, the private key file stock git can sign with.
type testKey struct {
	email   string
	name    string
	signer  custody.KeySigner
	pub     string // allowed_signers key text, or armored OpenPGP public key
	keyFile string // OpenSSH private key file (SSH only)
}

func newSSHKey(t testing.TB, name, email string) *testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, email)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := custody.NewSigner(&custody.GitConfig{Format: "ssh", SigningKey: keyFile}, custody.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile+".pub", []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &testKey{email: email, name: name, signer: s, pub: pub, keyFile: keyFile}
}

func newPGPKey(t testing.TB, name, email string) *testKey {
	t.Helper()
	cfg := &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519,
		Time: func() time.Time { return logStart.Add(-24 * time.Hour) },
	}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sec bytes.Buffer
	w, _ := armor.Encode(&sec, openpgp.PrivateKeyType, nil)
	if err := e.SerializePrivate(w, cfg); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := custody.NewSigner(&custody.GitConfig{Format: "openpgp"}, custody.Options{
		Key: sec.String(), Format: custody.FormatOpenPGP, Now: func() time.Time { return logStart.Add(time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{email: email, name: name, signer: s, pub: pub}
}

// allowedLine is the allowed_signers line trusting k for its e-mail.
func (k *testKey) allowedLine(opts string) string {
	if opts != "" {
		opts += " "
	}
	return k.email + " " + opts + k.pub + "\n"
}

// testLog is a records repository built in a test.
type testLog struct {
	t    testing.TB
	dir  string
	env  []string
	repo *store.Repo
	tick int
}

// newTestLog makes an empty repository with the git CLI, isolated from the
// user's configuration.
func newTestLog(t testing.TB) *testLog {
	t.Helper()
	testtools.Require(t, "git")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "gitconfig"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, dir: filepath.Join(t.TempDir(), "log"), env: []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, "gitconfig"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GNUPGHOME=" + filepath.Join(home, "gnupg"),
		"LC_ALL=C",
		"TZ=UTC",
	}}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l.git(nil, "init", "-q", "-b", "main")
	r, err := store.Open(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	l.repo = r
	return l
}

// next returns the time of the next commit.
func (l *testLog) next() time.Time {
	l.tick++
	return logStart.Add(time.Duration(l.tick) * time.Minute)
}

// commit writes files in one commit through store.Commit, authored by who
// (nil author means the signer) and signed by signer (nil: unsigned).
func (l *testLog) commit(author, signer *testKey, msg string, files map[string]string) string {
	l.t.Helper()
	if author == nil {
		author = signer
	}
	c := store.Change{
		Files: map[string][]byte{}, Message: msg,
		Author: store.Person{Name: author.name, Email: author.email, When: l.next()},
	}
	for p, v := range files {
		c.Files[p] = []byte(v)
	}
	if signer != nil {
		c.Signer = signer.signer
	}
	h, err := l.repo.Commit(context.Background(), c)
	if err != nil {
		l.t.Fatalf("commit %q: %v", msg, err)
	}
	return h
}

// git runs the git CLI in the repository; signer, when set, makes git sign
// with its SSH key the way a user's configuration would.
func (l *testLog) git(signer *testKey, args ...string) string {
	l.t.Helper()
	out, err := l.tryGit(signer, args...)
	if err != nil {
		l.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func (l *testLog) tryGit(signer *testKey, args ...string) (string, error) {
	var pre []string
	env := append([]string{}, l.env...)
	when := l.next().Format(time.RFC3339)
	if signer != nil {
		pre = []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + signer.keyFile}
		env = append(env, "GIT_AUTHOR_NAME="+signer.name, "GIT_AUTHOR_EMAIL="+signer.email,
			"GIT_COMMITTER_NAME="+signer.name, "GIT_COMMITTER_EMAIL="+signer.email)
	} else {
		env = append(env, "GIT_AUTHOR_NAME=Plain Git", "GIT_AUTHOR_EMAIL=plain@example.com",
			"GIT_COMMITTER_NAME=Plain Git", "GIT_COMMITTER_EMAIL=plain@example.com")
	}
	env = append(env, "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when)
	cmd := exec.Command("git", append(pre, args...)...)
	cmd.Dir = l.dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (l *testLog) write(rel, content string) {
	l.t.Helper()
	p := filepath.Join(l.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l *testLog) verify(opts custody.VerifyOptions) *custody.VerifyReport {
	l.t.Helper()
	return verifyAt(l.t, l.dir, opts)
}

func verifyAt(t testing.TB, dir string, opts custody.VerifyOptions) *custody.VerifyReport {
	t.Helper()
	r, err := custody.OpenRepository(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := custody.Verify(context.Background(), r, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// recordYAML is a minimal record with the given evidence items.
func recordYAML(id, status string, actions []string, evidence ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\nkind: incident\ntitle: Phishing led to mailbox compromise\nstatus: %s\n", id, status)
	b.WriteString("reported: {at: 2026-03-02T09:14:00Z, by: alice@example.com, channel: email}\n")
	if len(actions) > 0 {
		b.WriteString("actions:\n")
		for _, a := range actions {
			fmt.Fprintf(&b, "  - {at: 2026-03-02T10:00:00Z, by: bob@example.com, type: containment, text: %s}\n", a)
		}
	}
	if len(evidence) > 0 {
		b.WriteString("evidence:\n")
		b.WriteString(strings.Join(evidence, ""))
	}
	return b.String()
}

// evidenceItem is the YAML of an evidence item for content stored at p.
func evidenceItem(id, p, content string) string {
	sum := sha256.Sum256([]byte(content))
	return fmt.Sprintf("  - id: %s\n    description: file %s\n    path: %s\n    sha256: %s\n    size: %d\n",
		id, id, p, hex.EncodeToString(sum[:]), len(content))
}

// rules returns the sorted distinct rule IDs of a report.
func rules(rep *custody.VerifyReport) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range rep.Violations {
		if !seen[v.Rule] {
			seen[v.Rule] = true
			out = append(out, v.Rule)
		}
	}
	sort.Strings(out)
	return out
}

func dump(rep *custody.VerifyReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %s, counts %+v\n", rep.Status, rep.Counts)
	for _, v := range rep.Violations {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}

// findViolation returns the violations with rule at commit ("" for any).
func findViolations(rep *custody.VerifyReport, rule, commit string) []custody.Violation {
	var out []custody.Violation
	for _, v := range rep.Violations {
		if v.Rule == rule && (commit == "" || v.Commit == commit) {
			out = append(out, v)
		}
	}
	return out
}
