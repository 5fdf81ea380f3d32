package store_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/casefile/casefile/internal/custody"

	"github.com/casefile/casefile/internal/testtools"
)

// envFunc adapts an environment list to the Getenv functions custody takes.
func envFunc(env []string) func(string) string {
	return func(k string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
}

func verifyCommit(t *testing.T, g *gitRepo, extra ...string) {
	t.Helper()
	args := append(extra, "verify-commit", "-v", "HEAD")
	out, err := g.try(args...)
	if err != nil {
		t.Fatalf("git verify-commit: %v\n%s", err, out)
	}
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status:\n%s", st)
	}
}

// TestSignFromGitConfig drives the whole path the CLI takes: git config in
// the repository → custody.LoadGitConfig → custody.NewSigner → store.Commit
// → stock git verify-commit.
func TestSignFromGitConfig(t *testing.T) {
	g := newGitRepo(t)
	keyDir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(priv, "")
	keyPath := filepath.Join(keyDir, "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := ssh.NewSignerFromKey(priv)
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
	if err := os.WriteFile(keyPath+".pub", []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(keyDir, "allowed")
	if err := os.WriteFile(allowed, []byte("alice@example.com "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	g.run("config", "gpg.format", "ssh")
	g.run("config", "user.signingkey", keyPath+".pub") // .pub with the private key beside it
	g.run("config", "gpg.ssh.allowedSignersFile", allowed)

	cfg, err := custody.LoadGitConfig(g.dir, envFunc(g.env))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := custody.NewSigner(cfg, custody.Options{Getenv: envFunc(g.env)})
	if err != nil {
		t.Fatal(err)
	}
	c := change(recordPath, "x\n", "INC-2026-0007: report")
	c.Signer = signer
	mustCommit(t, g.open(), c)
	verifyCommit(t, g)
	if st := strings.TrimSpace(g.run("log", "-1", "--format=%G?")); st != "G" {
		t.Errorf("%%G? = %s", st)
	}
}

func TestSignSSHAgent(t *testing.T) {
	g := newGitRepo(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	sockDir, err := os.MkdirTemp("", "cfag")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _ = agent.ServeAgent(kr, c) }()
		}
	}()
	s, _ := ssh.NewSignerFromKey(priv)
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
	allowed := filepath.Join(t.TempDir(), "allowed")
	if err := os.WriteFile(allowed, []byte("alice@example.com "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	signer, err := custody.NewSigner(&custody.GitConfig{Format: "ssh", SigningKey: "key::" + pub},
		custody.Options{Getenv: envFunc([]string{"SSH_AUTH_SOCK=" + sock})})
	if err != nil {
		t.Fatal(err)
	}
	c := change(recordPath, "x\n", "INC-2026-0007: report")
	c.Signer = signer
	mustCommit(t, g.open(), c)
	verifyCommit(t, g, "-c", "gpg.ssh.allowedSignersFile="+allowed)
}

func TestSignSSHProgram(t *testing.T) {
	testtools.Require(t, "ssh-keygen")
	g := newGitRepo(t)
	keyDir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(priv, "")
	keyPath := filepath.Join(keyDir, "id")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := ssh.NewSignerFromKey(priv)
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
	allowed := filepath.Join(keyDir, "allowed")
	if err := os.WriteFile(allowed, []byte("alice@example.com "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	signer, err := custody.NewSigner(&custody.GitConfig{Format: "ssh", SigningKey: keyPath, SSHProgram: "ssh-keygen"},
		custody.Options{Env: g.env, TempDir: keyDir})
	if err != nil {
		t.Fatal(err)
	}
	c := change(recordPath, "x\n", "INC-2026-0007: report")
	c.Signer = signer
	mustCommit(t, g.open(), c)
	verifyCommit(t, g, "-c", "gpg.ssh.allowedSignersFile="+allowed)
}

// shortGnupgHome replaces GNUPGHOME in g.env with a short path (gpg-agent
// keeps its socket there) and kills the agent at the end.
func shortGnupgHome(t *testing.T, g *gitRepo) {
	t.Helper()
	testtools.Require(t, "gpg")
	home, err := os.MkdirTemp("", "cfgpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	g.env = append(g.env, "GNUPGHOME="+home)
	env := g.env
	t.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "all")
		kill.Env = env
		_ = kill.Run() // cleanup: the process may be gone already
		os.RemoveAll(home)
	})
}

func gpg(t *testing.T, g *gitRepo, stdin []byte, args ...string) {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--batch"}, args...)...)
	cmd.Env = g.env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestSignOpenPGPInProcess(t *testing.T) {
	g := newGitRepo(t)
	shortGnupgHome(t, g)
	now := func() time.Time { return baseTime }
	e, err := openpgp.NewEntity("Alice Analyst", "", "alice@example.com", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519,
		Time: func() time.Time { return baseTime.Add(-time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var secret bytes.Buffer
	w, _ := armor.Encode(&secret, openpgp.PrivateKeyType, nil)
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	keyFile := filepath.Join(t.TempDir(), "casefile-signing.asc")
	if err := os.WriteFile(keyFile, secret.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	signer, err := custody.NewSigner(&custody.GitConfig{}, custody.Options{Key: keyFile, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signer.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	gpg(t, g, []byte(pub), "--import")

	c := change(recordPath, "x\n", "INC-2026-0007: report")
	c.Signer = signer
	mustCommit(t, g.open(), c)
	verifyCommit(t, g)
	if fp := g.run("log", "-1", "--format=%GF"); strings.TrimSpace(fp) != signer.Fingerprint() {
		t.Errorf("signing key %q, want %s", fp, signer.Fingerprint())
	}
}

func TestSignGPGProgram(t *testing.T) {
	g := newGitRepo(t)
	shortGnupgHome(t, g)
	gpg(t, g, nil, "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Alice Analyst <alice@example.com>", "ed25519", "sign", "never")

	signer, err := custody.NewSigner(&custody.GitConfig{SigningKey: "alice@example.com"}, custody.Options{Env: g.env})
	if err != nil {
		t.Fatal(err)
	}
	c := change(recordPath, "x\n", "INC-2026-0007: report")
	c.Signer = signer
	mustCommit(t, g.open(), c)
	verifyCommit(t, g)
	if fp := g.run("log", "-1", "--format=%GF"); strings.TrimSpace(fp) != signer.Fingerprint() {
		t.Errorf("signing key %q, want %s", fp, signer.Fingerprint())
	}
}
