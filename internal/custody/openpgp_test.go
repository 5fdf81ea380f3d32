package custody

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/casefile/casefile/internal/testtools"
)

var fixedNow = func() time.Time { return time.Date(2026, 3, 2, 9, 14, 0, 0, time.UTC) }

// newPGPEntity makes an Ed25519 (v4, legacy EdDSA) key, the kind GnuPG 2.2
// understands, created a day before the fixed clock.
func newPGPEntity(t *testing.T) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA,
		Curve:     packet.Curve25519,
		Time:      func() time.Time { return fixedNow().Add(-24 * time.Hour) },
	}
	e, err := openpgp.NewEntity("Test", "", "t@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func armoredSecret(t *testing.T, e *openpgp.Entity, passphrase string) []byte {
	t.Helper()
	if passphrase != "" {
		if err := e.EncryptPrivateKeys([]byte(passphrase), nil); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

// gnupgHome makes a throw-away GNUPGHOME. Its path is kept short because
// gpg-agent puts its socket there.
func gnupgHome(t *testing.T) (home string, env []string) {
	t.Helper()
	testtools.Require(t, "gpg")
	home, err := os.MkdirTemp("", "cfgpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	env = []string{"GNUPGHOME=" + home, "HOME=" + home, "PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
	t.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "all")
		kill.Env = env
		_ = kill.Run() // best effort: the agent may not have started
		os.RemoveAll(home)
	})
	return home, env
}

func runGPG(t *testing.T, env []string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--batch"}, args...)...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func gpgVerify(t *testing.T, env []string, sig []byte, message string) {
	t.Helper()
	dir := t.TempDir()
	sigFile := filepath.Join(dir, "sig.asc")
	msgFile := filepath.Join(dir, "msg")
	if err := os.WriteFile(sigFile, sig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(msgFile, []byte(message), 0o644); err != nil {
		t.Fatal(err)
	}
	runGPG(t, env, nil, "--verify", sigFile, msgFile)
}

func TestOpenPGPInProcess(t *testing.T) {
	e := newPGPEntity(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "signing.asc")
	if err := os.WriteFile(keyFile, armoredSecret(t, e, ""), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(&GitConfig{}, Options{Key: keyFile, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*openPGPSigner); !ok {
		t.Fatalf("signer is %T", s)
	}
	if s.Format() != FormatOpenPGP || len(s.Fingerprint()) != 40 {
		t.Errorf("describe: %s %q", s.Format(), s.Fingerprint())
	}
	sig := sign(t, s)
	if !bytes.HasPrefix(sig, []byte("-----BEGIN PGP SIGNATURE-----")) {
		t.Fatalf("not armored:\n%s", sig)
	}
	kr := openpgp.EntityList{e}
	block, err := armor.Decode(bytes.NewReader(sig))
	if err != nil {
		t.Fatal(err)
	}
	ps, _, err := openpgp.VerifyDetachedSignature(kr, strings.NewReader(payload), block.Body, &packet.Config{Time: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if !ps.CreationTime.Equal(fixedNow()) {
		t.Errorf("signature time %v, want the injected clock", ps.CreationTime)
	}

	pub, err := s.PublicKey()
	if err != nil || !strings.Contains(pub, "BEGIN PGP PUBLIC KEY BLOCK") || strings.Contains(pub, "PRIVATE") {
		t.Fatalf("PublicKey = %q, %v", pub, err)
	}
	_, env := gnupgHome(t)
	runGPG(t, env, []byte(pub), "--import")
	gpgVerify(t, env, sig, payload)

	// The armored text itself works too (CI secret).
	s, err = NewSigner(&GitConfig{Format: "ssh"}, Options{Key: string(armoredSecret(t, e, "")), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	gpgVerify(t, env, sign(t, s), payload)
}

func TestOpenPGPEncrypted(t *testing.T) {
	e := newPGPEntity(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "k.asc")
	if err := os.WriteFile(keyFile, armoredSecret(t, e, "pw"), 0o600); err != nil {
		t.Fatal(err)
	}

	prompted := 0
	s, err := NewSigner(&GitConfig{}, Options{Key: keyFile, Now: fixedNow, Prompt: func(string) ([]byte, error) {
		prompted++
		return []byte("pw"), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if prompted != 1 {
		t.Errorf("prompted %d times", prompted)
	}
	sig := sign(t, s)
	if _, err := openpgp.CheckArmoredDetachedSignature(openpgp.EntityList{e}, strings.NewReader(payload), bytes.NewReader(sig), &packet.Config{Time: fixedNow}); err != nil {
		t.Fatal(err)
	}

	_, err = NewSigner(&GitConfig{}, Options{Key: keyFile, Now: fixedNow, Prompt: func(string) ([]byte, error) { return []byte("nope"), nil }})
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	_, err = NewSigner(&GitConfig{}, Options{Key: keyFile, Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "passphrase protected") {
		t.Fatalf("no prompt: %v", err)
	}
	_, err = NewSigner(&GitConfig{}, Options{Key: filepath.Join(dir, "missing.asc")})
	if err == nil {
		t.Fatal("missing .asc accepted")
	}
}

// genGPGKey creates a passphrase-less Ed25519 signing key with gpg itself.
func genGPGKey(t *testing.T, env []string) {
	t.Helper()
	runGPG(t, env, nil, "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "Test <t@example.com>", "ed25519", "sign", "never")
}

func TestGPGProgram(t *testing.T) {
	_, env := gnupgHome(t)
	genGPGKey(t, env)

	s, err := NewSigner(&GitConfig{SigningKey: "t@example.com"}, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*gpgProgramSigner); !ok {
		t.Fatalf("signer is %T", s)
	}
	fp := s.Fingerprint()
	if len(fp) != 40 {
		t.Fatalf("fingerprint %q", fp)
	}
	sig := sign(t, s)
	gpgVerify(t, env, sig, payload)
	if s.Fingerprint() != fp {
		t.Errorf("fingerprint after signing %q, before %q", s.Fingerprint(), fp)
	}
	pub, err := s.PublicKey()
	if err != nil || !strings.Contains(pub, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("PublicKey: %q %v", pub, err)
	}

	// No user.signingkey: like git, use the committer identity, but only
	// when the user asked for signed commits.
	cfg := &GitConfig{UserName: "Test", UserEmail: "t@example.com", CommitGPGSign: true}
	s, err = NewSigner(cfg, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	gpgVerify(t, env, sign(t, s), payload)

	// An unknown key fails with gpg's message.
	s, err = NewSigner(&GitConfig{SigningKey: "nobody@example.com"}, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(strings.NewReader(payload)); err == nil || !strings.Contains(err.Error(), "gpg failed to sign") {
		t.Fatalf("err = %v", err)
	}
}

func TestGPGProgramStatusChecked(t *testing.T) {
	// A program that prints something signature-like but no SIG_CREATED
	// status must not be trusted, as in git.
	s, err := NewSigner(&GitConfig{SigningKey: "K", OpenPGPProgram: "fake-gpg"}, Options{
		ExecCommand: func(name string, arg ...string) *exec.Cmd {
			if name != "fake-gpg" || strings.Join(arg, " ") != "--status-fd=2 -bsau K" {
				t.Errorf("ran %s %q", name, arg)
			}
			return exec.Command("sh", "-c", "cat >/dev/null; echo '-----BEGIN PGP SIGNATURE-----'; echo oops >&2")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sign(strings.NewReader(payload))
	if err == nil || !strings.Contains(err.Error(), "SIG_CREATED") {
		t.Fatalf("err = %v", err)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		t.Fatalf("unexpected exit error %v", err)
	}
}
