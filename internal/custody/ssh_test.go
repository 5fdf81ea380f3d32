package custody

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/casefile/casefile/internal/testtools"
)

const payload = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1772442840 +0000\ncommitter A <a@example.com> 1772442840 +0000\n\nINC-2026-0007: contain\n\nCasefile-Record: INC-2026-0007\n"

// writeSSHKey writes a private key (OpenSSH format, optionally encrypted)
// and its .pub, returning the private key path and the public key.
func writeSSHKey(t *testing.T, dir, name string, key any, passphrase string) (string, ssh.PublicKey) {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase != "" {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(key, "test", []byte(passphrase))
	} else {
		block, err = ssh.MarshalPrivateKey(key, "test")
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".pub", ssh.MarshalAuthorizedKey(s.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, s.PublicKey()
}

func newEd25519(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// sshVerify checks sig with `ssh-keygen -Y verify`, the verifier git runs.
func sshVerify(t *testing.T, pub ssh.PublicKey, sig []byte, message string) {
	t.Helper()
	testtools.Require(t, "ssh-keygen")
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed_signers")
	line := "t@example.com namespaces=\"git\" " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + "\n"
	if err := os.WriteFile(allowed, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	sigFile := filepath.Join(dir, "sig")
	if err := os.WriteFile(sigFile, sig, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "t@example.com", "-n", "git", "-s", sigFile)
	cmd.Stdin = strings.NewReader(message)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify: %v\n%s\nsignature:\n%s", err, out, sig)
	}
}

func sign(t *testing.T, s Signer) []byte {
	t.Helper()
	sig, err := s.Sign(strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestSSHInProcessKeyTypes(t *testing.T) {
	dir := t.TempDir()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]any{"ed25519": newEd25519(t), "rsa": rsaKey}
	for name, key := range keys {
		t.Run(name, func(t *testing.T) {
			path, pub := writeSSHKey(t, dir, "id_"+name, key, "")
			cfg := &GitConfig{Format: "ssh", SigningKey: path}
			s, err := NewSigner(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.(*sshKeySigner); !ok {
				t.Fatalf("signer is %T, want in-process", s)
			}
			if s.Format() != FormatSSH || s.Fingerprint() != ssh.FingerprintSHA256(pub) {
				t.Errorf("describe: %s %s", s.Format(), s.Fingerprint())
			}
			pk, _ := s.PublicKey()
			if pk != strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) {
				t.Errorf("PublicKey = %q", pk)
			}
			sig := sign(t, s)
			if !bytes.HasPrefix(sig, []byte("-----BEGIN SSH SIGNATURE-----\n")) || !bytes.HasSuffix(sig, []byte("-----END SSH SIGNATURE-----\n")) {
				t.Fatalf("not armored:\n%s", sig)
			}
			if _, err := verifySSHSig(sig, []byte(payload)); err != nil {
				t.Fatal(err)
			}
			if _, err := verifySSHSig(sig, []byte(payload+"x")); err == nil {
				t.Fatal("signature verified over a different message")
			}
			sshVerify(t, pub, sig, payload)
		})
	}
}

// TestSSHSigByteCompatible proves our sshsig encoding is exactly
// ssh-keygen's: Ed25519 signatures are deterministic, so the armored output
// must be identical byte for byte.
func TestSSHSigByteCompatible(t *testing.T) {
	testtools.Require(t, "ssh-keygen")
	dir := t.TempDir()
	path, _ := writeSSHKey(t, dir, "id_ed25519", newEd25519(t), "")
	msg := filepath.Join(dir, "msg")
	if err := os.WriteFile(msg, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ssh-keygen", "-Y", "sign", "-n", "git", "-f", path, msg)
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	theirs, err := os.ReadFile(msg + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ours := sign(t, s)
	if !bytes.Equal(ours, theirs) {
		t.Fatalf("sshsig differs from ssh-keygen\nours:\n%s\ntheirs:\n%s", ours, theirs)
	}
}

func TestSSHEncryptedKeyPrompt(t *testing.T) {
	dir := t.TempDir()
	path, pub := writeSSHKey(t, dir, "id_enc", newEd25519(t), "correct horse")
	cfg := &GitConfig{Format: "ssh", SigningKey: path}

	var prompts []string
	prompt := func(p string) ([]byte, error) {
		prompts = append(prompts, p)
		return []byte("correct horse"), nil
	}
	s, err := NewSigner(cfg, Options{Prompt: prompt})
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "id_enc") {
		t.Errorf("prompts = %q", prompts)
	}
	sshVerify(t, pub, sign(t, s), payload)

	_, err = NewSigner(cfg, Options{Prompt: func(string) ([]byte, error) { return []byte("wrong"), nil }})
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	_, err = NewSigner(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "passphrase protected") {
		t.Fatalf("no prompt: %v", err)
	}
	promptErr := errors.New("no tty")
	_, err = NewSigner(cfg, Options{Prompt: func(string) ([]byte, error) { return nil, promptErr }})
	if !errors.Is(err, promptErr) {
		t.Fatalf("prompt error not wrapped: %v", err)
	}
}

// serveKeyring runs x/crypto's in-memory agent on a unix socket, standing
// in for ssh-agent (and for a hardware key, whose private half is never on
// disk).
func serveKeyring(t *testing.T, keys ...any) string {
	t.Helper()
	sockDir, err := os.MkdirTemp("", "cfag") // short: unix socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	kr := agent.NewKeyring()
	for _, k := range keys {
		if err := kr.Add(agent.AddedKey{PrivateKey: k, Comment: "agent key"}); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = agent.ServeAgent(kr, c) // ends with the connection
			}()
		}
	}()
	return sock
}

func TestSSHAgentKeyring(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	edKey := newEd25519(t)
	sock := serveKeyring(t, edKey, rsaKey)
	env := envMap(map[string]string{"SSH_AUTH_SOCK": sock})
	dir := t.TempDir()

	for name, key := range map[string]any{"ed25519": edKey, "rsa": rsaKey} {
		t.Run(name, func(t *testing.T) {
			_, pub := writeSSHKey(t, dir, "id_"+name, key, "")
			literal := "key::" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
			s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: literal}, Options{Getenv: env})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.(*sshAgentSigner); !ok {
				t.Fatalf("signer is %T, want agent", s)
			}
			if !strings.Contains(s.String(), "ssh-agent") {
				t.Errorf("String = %q", s.String())
			}
			sshVerify(t, pub, sign(t, s), payload)
		})
	}

	// A .pub whose private key is not on disk: the hardware-key setup.
	t.Run("pub without private key", func(t *testing.T) {
		_, pub := writeSSHKey(t, dir, "id_hw", edKey, "")
		os.Remove(filepath.Join(dir, "id_hw"))
		s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: filepath.Join(dir, "id_hw.pub")}, Options{Getenv: env})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*sshAgentSigner); !ok {
			t.Fatalf("signer is %T, want agent", s)
		}
		sshVerify(t, pub, sign(t, s), payload)
	})

	t.Run("encrypted key in agent needs no passphrase", func(t *testing.T) {
		path, pub := writeSSHKey(t, dir, "id_enc", edKey, "secret")
		s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: path}, Options{
			Getenv: env,
			Prompt: func(string) ([]byte, error) { t.Error("prompted although the agent has the key"); return nil, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		sshVerify(t, pub, sign(t, s), payload)
	})

	t.Run("literal not in agent", func(t *testing.T) {
		_, pub := writeSSHKey(t, dir, "id_other", newEd25519(t), "")
		literal := "key::" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
		_, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: literal}, Options{Getenv: env})
		if err == nil || !strings.Contains(err.Error(), "not in ssh-agent") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSSHAgentReal signs through a real ssh-agent process holding a key
// added with ssh-add.
func TestSSHAgentReal(t *testing.T) {
	testtools.Require(t, "ssh-agent", "ssh-add")
	dir := t.TempDir()
	path, pub := writeSSHKey(t, dir, "id_ed25519", newEd25519(t), "")
	sockDir, err := os.MkdirTemp("", "cfsa")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s")
	agentCmd := exec.Command("ssh-agent", "-D", "-a", sock)
	agentCmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	if err := agentCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = agentCmd.Process.Kill(); _ = agentCmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("ssh-agent socket did not appear")
		}
		time.Sleep(10 * time.Millisecond)
	}
	add := exec.Command("ssh-add", path)
	add.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "SSH_AUTH_SOCK=" + sock}
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
	// Remove the private key so only the agent can sign.
	os.Remove(path)
	literal := "key::" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: literal}, Options{Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock})})
	if err != nil {
		t.Fatal(err)
	}
	sshVerify(t, pub, sign(t, s), payload)

	// And through ssh-keygen -U, as git does with gpg.ssh.program set.
	s, err = NewSigner(&GitConfig{Format: "ssh", SigningKey: literal, SSHProgram: "ssh-keygen"}, Options{
		Env:     []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "SSH_AUTH_SOCK=" + sock},
		TempDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*sshProgramSigner); !ok {
		t.Fatalf("signer is %T, want program", s)
	}
	sshVerify(t, pub, sign(t, s), payload)
}

func TestSSHExternalProgram(t *testing.T) {
	testtools.Require(t, "ssh-keygen")
	dir := t.TempDir()
	path, pub := writeSSHKey(t, dir, "id_ed25519", newEd25519(t), "")
	s, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: path, SSHProgram: "ssh-keygen"}, Options{
		Env: []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}, TempDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*sshProgramSigner); !ok {
		t.Fatalf("signer is %T, want program", s)
	}
	if s.Fingerprint() != ssh.FingerprintSHA256(pub) {
		t.Errorf("fingerprint %q", s.Fingerprint())
	}
	sig := sign(t, s)
	sshVerify(t, pub, sig, payload)
	// Temp files are cleaned up.
	left, _ := filepath.Glob(filepath.Join(dir, ".git_signing_*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}

	// A failing program reports its stderr.
	s, err = NewSigner(&GitConfig{Format: "ssh", SigningKey: filepath.Join(dir, "missing"), SSHProgram: "ssh-keygen"}, Options{
		Env: []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}, TempDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(strings.NewReader(payload)); err == nil || !strings.Contains(err.Error(), "ssh-keygen") {
		t.Fatalf("err = %v", err)
	}
}

func TestSSHInlineKeyOverride(t *testing.T) {
	dir := t.TempDir()
	path, pub := writeSSHKey(t, dir, "id", newEd25519(t), "")
	pemText, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The repository is configured for gpg; the override's format is
	// obvious and wins.
	s, err := NewSigner(&GitConfig{SigningKey: "ABCDEF"}, Options{Key: string(pemText)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format() != FormatSSH {
		t.Fatalf("format %s", s.Format())
	}
	sshVerify(t, pub, sign(t, s), payload)

	s, err = NewSigner(&GitConfig{SigningKey: "ABCDEF"}, Options{Key: path})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format() != FormatSSH {
		t.Fatalf("path override format %s", s.Format())
	}
}

func TestNoSigningKey(t *testing.T) {
	tests := []struct {
		name string
		cfg  GitConfig
	}{
		{"openpgp without key", GitConfig{UserName: "A", UserEmail: "a@example.com"}},
		{"ssh without key", GitConfig{Format: "ssh"}},
		{"gpgsign without identity", GitConfig{CommitGPGSign: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSigner(&tt.cfg, Options{})
			if !errors.Is(err, ErrNoSigningKey) {
				t.Fatalf("err = %v, want ErrNoSigningKey", err)
			}
			if !strings.Contains(err.Error(), "--sign-key") {
				t.Errorf("message lacks the hint: %v", err)
			}
		})
	}
	if _, err := NewSigner(&GitConfig{Format: "x509", SigningKey: "x"}, Options{}); !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("x509: %v", err)
	}
	if _, err := NewSigner(&GitConfig{Format: "ssh", SigningKey: "/nonexistent/key"}, Options{}); err == nil {
		t.Fatal("missing key file accepted")
	}
}

func TestSSHDefaultKeyCommand(t *testing.T) {
	edKey := newEd25519(t)
	sock := serveKeyring(t, edKey)
	dir := t.TempDir()
	_, pub := writeSSHKey(t, dir, "id", edKey, "")
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	s, err := NewSigner(&GitConfig{Format: "ssh", SSHDefaultKeyCommand: "ssh-add -L"}, Options{
		Getenv: envMap(map[string]string{"SSH_AUTH_SOCK": sock}),
		ExecCommand: func(name string, arg ...string) *exec.Cmd {
			if name != "ssh-add" || len(arg) != 1 || arg[0] != "-L" {
				t.Errorf("ran %s %q", name, arg)
			}
			return exec.Command("echo", line)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sshVerify(t, pub, sign(t, s), payload)
}
