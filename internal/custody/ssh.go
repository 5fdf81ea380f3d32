package custody

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// maxKeyFile bounds how much of a key file we read; real keys are a few KiB.
const maxKeyFile = 1 << 20

// isSSHPublicKeyLiteral reports whether s looks like an authorized_keys line,
// which git accepts (deprecated, without "key::") as user.signingkey.
func isSSHPublicKeyLiteral(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-sha2-") ||
		strings.HasPrefix(s, "sk-ssh-") || strings.HasPrefix(s, "sk-ecdsa-")
}

// newSSHSigner resolves an SSH signing key the way `ssh-keygen -Y sign`
// resolves git's -f argument: a key the agent holds is signed by the agent
// (no passphrase prompt, hardware keys work), otherwise the private key file
// is used in-process. Configuring gpg.ssh.program means the user wants that
// program, so it is then always run instead.
func newSSHSigner(cfg *GitConfig, key string, opts *Options) (KeySigner, error) {
	literal, isLiteral := strings.CutPrefix(key, "key::")
	if !isLiteral && isSSHPublicKeyLiteral(key) {
		literal, isLiteral = key, true
	}

	if strings.Contains(key, "-----BEGIN") && strings.Contains(key, "PRIVATE KEY-----") {
		// Key material passed directly (CI secret): no file to hand to an
		// external program, so always in-process.
		return sshKeyFromPEM([]byte(key), "inline key", opts)
	}

	if cfg.SSHProgram != "" {
		return newSSHProgramSigner(cfg.SSHKeygenProgram(), key, isLiteral, literal, opts)
	}

	if isLiteral {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(literal))
		if err != nil {
			return nil, fmt.Errorf("parsing ssh public key %q: %w", abbreviate(literal), err)
		}
		s, err := agentSignerFor(pub, opts)
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("ssh key %s is not in ssh-agent: start ssh-agent and ssh-add the key, or set user.signingkey to the private key file", ssh.FingerprintSHA256(pub))
		}
		return s, nil
	}

	path := opts.expandHome(key)
	data, err := readHead(path, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("reading ssh signing key: %w", err)
	}

	var pub ssh.PublicKey
	privPath := path
	var privData []byte
	if p, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
		pub = p
		// As ssh-keygen does: a ".pub" path names the private key beside it.
		privPath = strings.TrimSuffix(path, ".pub")
		if privPath != path {
			if d, err := readHead(privPath, maxKeyFile); err == nil {
				privData = d
			}
		}
	} else {
		privData = data
	}

	var parsed any
	var encrypted bool
	if privData != nil {
		raw, err := ssh.ParseRawPrivateKey(privData)
		var missing *ssh.PassphraseMissingError
		switch {
		case err == nil:
			parsed = raw
			if pub == nil {
				if s, err := ssh.NewSignerFromKey(raw); err == nil {
					pub = s.PublicKey()
				}
			}
		case errors.As(err, &missing):
			encrypted = true
			if pub == nil {
				pub = missing.PublicKey
			}
			if pub == nil {
				if d, err := readHead(privPath+".pub", maxKeyFile); err == nil {
					pub, _, _, _, _ = ssh.ParseAuthorizedKey(d)
				}
			}
		default:
			// A key type x/crypto cannot load (for example sk-* hardware
			// keys, which need the FIDO middleware) is still usable by
			// ssh-keygen.
			if pub != nil {
				if s, err := agentSignerFor(pub, opts); err == nil && s != nil {
					return s, nil
				}
			}
			return newSSHProgramSigner(cfg.SSHKeygenProgram(), path, false, "", opts)
		}
	}

	if pub != nil {
		s, err := agentSignerFor(pub, opts)
		if err != nil {
			return nil, err
		}
		if s != nil {
			return s, nil
		}
	}

	switch {
	case parsed != nil:
		return sshKeyFromRaw(parsed, displayPath(key))
	case encrypted:
		if opts.Prompt == nil {
			return nil, fmt.Errorf("ssh key %s is passphrase protected and not in ssh-agent: ssh-add it, or run casefile interactively", displayPath(key))
		}
		pass, err := opts.Prompt(fmt.Sprintf("Enter passphrase for %s: ", displayPath(privPath)))
		if err != nil {
			return nil, fmt.Errorf("reading passphrase: %w", err)
		}
		raw, err := ssh.ParseRawPrivateKeyWithPassphrase(privData, pass)
		clear(pass)
		if err != nil {
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, fmt.Errorf("decrypting ssh key %s: wrong passphrase", displayPath(privPath))
			}
			return nil, fmt.Errorf("decrypting ssh key %s: %w", displayPath(privPath), err)
		}
		return sshKeyFromRaw(raw, displayPath(key))
	case pub != nil:
		return nil, fmt.Errorf("ssh key %s: private key %s not found and the key is not in ssh-agent", ssh.FingerprintSHA256(pub), displayPath(privPath))
	}
	return nil, fmt.Errorf("reading ssh signing key %s: not an ssh key", displayPath(key))
}

func displayPath(p string) string {
	if len(p) > 200 {
		return p[:200] + "…"
	}
	return p
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func sshKeyFromPEM(pemBytes []byte, source string, opts *Options) (KeySigner, error) {
	raw, err := ssh.ParseRawPrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if opts.Prompt == nil {
			return nil, fmt.Errorf("ssh key (%s) is passphrase protected and no passphrase prompt is available", source)
		}
		pass, perr := opts.Prompt("Enter passphrase for ssh signing key: ")
		if perr != nil {
			return nil, fmt.Errorf("reading passphrase: %w", perr)
		}
		raw, err = ssh.ParseRawPrivateKeyWithPassphrase(pemBytes, pass)
		clear(pass)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("decrypting ssh key (%s): wrong passphrase", source)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parsing ssh key (%s): %w", source, err)
	}
	return sshKeyFromRaw(raw, source)
}

func sshKeyFromRaw(raw any, source string) (KeySigner, error) {
	s, err := ssh.NewSignerFromKey(raw)
	if err != nil {
		return nil, fmt.Errorf("loading ssh key %s: %w", source, err)
	}
	return &sshKeySigner{signer: s, source: source}, nil
}

// sshKeySigner signs in-process with a private key held in memory.
type sshKeySigner struct {
	signer ssh.Signer
	source string
}

func (s *sshKeySigner) Sign(message io.Reader) ([]byte, error) {
	data, err := sshsigSignedData(message)
	if err != nil {
		return nil, fmt.Errorf("signing with ssh key: %w", err)
	}
	var sig *ssh.Signature
	if s.signer.PublicKey().Type() == ssh.KeyAlgoRSA {
		// ssh-keygen signs sshsig with rsa-sha2-512; plain ssh-rsa (SHA-1)
		// signatures are rejected by current OpenSSH verifiers.
		as, ok := s.signer.(ssh.AlgorithmSigner)
		if !ok {
			return nil, errors.New("signing with ssh key: rsa key cannot sign with rsa-sha2-512")
		}
		sig, err = as.SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSASHA512)
	} else {
		sig, err = s.signer.Sign(rand.Reader, data)
	}
	if err != nil {
		return nil, fmt.Errorf("signing with ssh key %s: %w", s.source, err)
	}
	return sshsigArmor(s.signer.PublicKey(), sig), nil
}

func (s *sshKeySigner) Format() Format { return FormatSSH }
func (s *sshKeySigner) Fingerprint() string {
	return ssh.FingerprintSHA256(s.signer.PublicKey())
}

func (s *sshKeySigner) PublicKey() (string, error) {
	return authorizedKey(s.signer.PublicKey()), nil
}

func (s *sshKeySigner) String() string {
	return fmt.Sprintf("ssh key %s (%s, in-process)", s.Fingerprint(), s.source)
}

func authorizedKey(pub ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

// agentSignerFor returns an agent-backed signer when SSH_AUTH_SOCK points to
// an agent holding pub, nil when there is no agent or it lacks the key, and
// an error only when the agent exists but cannot be talked to.
func agentSignerFor(pub ssh.PublicKey, opts *Options) (KeySigner, error) {
	sock := opts.getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, nil
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		// A stale SSH_AUTH_SOCK is common; treat it as "no agent", as
		// ssh-keygen does.
		return nil, nil
	}
	defer conn.Close()
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		return nil, fmt.Errorf("listing ssh-agent keys: %w", err)
	}
	want := pub.Marshal()
	for _, k := range keys {
		if bytes.Equal(k.Marshal(), want) {
			return &sshAgentSigner{sock: sock, pub: pub, comment: k.Comment}, nil
		}
	}
	return nil, nil
}

// sshAgentSigner asks ssh-agent to sign, which is the only way to use keys
// whose private half never leaves a hardware token.
type sshAgentSigner struct {
	sock    string
	pub     ssh.PublicKey
	comment string
}

func (s *sshAgentSigner) Sign(message io.Reader) ([]byte, error) {
	data, err := sshsigSignedData(message)
	if err != nil {
		return nil, fmt.Errorf("signing with ssh-agent: %w", err)
	}
	conn, err := net.Dial("unix", s.sock)
	if err != nil {
		return nil, fmt.Errorf("connecting to ssh-agent: %w", err)
	}
	defer conn.Close()
	var flags agent.SignatureFlags
	if s.pub.Type() == ssh.KeyAlgoRSA {
		flags = agent.SignatureFlagRsaSha512
	}
	sig, err := agent.NewClient(conn).SignWithFlags(s.pub, data, flags)
	if err != nil {
		return nil, fmt.Errorf("signing with ssh-agent key %s: %w", s.Fingerprint(), err)
	}
	if s.pub.Type() == ssh.KeyAlgoRSA && sig.Format != ssh.KeyAlgoRSASHA512 {
		return nil, fmt.Errorf("signing with ssh-agent key %s: agent returned %s, want %s", s.Fingerprint(), sig.Format, ssh.KeyAlgoRSASHA512)
	}
	return sshsigArmor(s.pub, sig), nil
}

func (s *sshAgentSigner) Format() Format      { return FormatSSH }
func (s *sshAgentSigner) Fingerprint() string { return ssh.FingerprintSHA256(s.pub) }
func (s *sshAgentSigner) PublicKey() (string, error) {
	return authorizedKey(s.pub), nil
}

func (s *sshAgentSigner) String() string {
	if s.comment != "" {
		return fmt.Sprintf("ssh key %s (%s, ssh-agent)", s.Fingerprint(), s.comment)
	}
	return fmt.Sprintf("ssh key %s (ssh-agent)", s.Fingerprint())
}

// sshProgramSigner runs ssh-keygen (or gpg.ssh.program) exactly as git
// does: the payload goes to a temporary file and the signature is read from
// "<file>.sig".
type sshProgramSigner struct {
	program string
	keyFile string // path given to -f, or "" for a literal key
	literal string // public key text for key:: literals
	opts    Options
}

func newSSHProgramSigner(program, key string, isLiteral bool, literal string, opts *Options) (KeySigner, error) {
	s := &sshProgramSigner{program: program, opts: *opts}
	if isLiteral {
		s.literal = strings.TrimSpace(literal)
	} else {
		s.keyFile = opts.expandHome(key)
	}
	return s, nil
}

func (s *sshProgramSigner) Sign(message io.Reader) ([]byte, error) {
	dir := s.opts.TempDir
	buf, err := os.CreateTemp(dir, ".git_signing_buffer_tmp")
	if err != nil {
		return nil, fmt.Errorf("signing with %s: %w", s.program, err)
	}
	bufName := buf.Name()
	defer os.Remove(bufName)
	defer os.Remove(bufName + ".sig")
	if _, err := io.Copy(buf, message); err != nil {
		buf.Close()
		return nil, fmt.Errorf("signing with %s: writing payload: %w", s.program, err)
	}
	if err := buf.Close(); err != nil {
		return nil, fmt.Errorf("signing with %s: writing payload: %w", s.program, err)
	}

	keyFile := s.keyFile
	args := []string{"-Y", "sign", "-n", sshsigNamespace, "-f"}
	if s.literal != "" {
		kf, err := os.CreateTemp(dir, ".git_signing_key_tmp")
		if err != nil {
			return nil, fmt.Errorf("signing with %s: %w", s.program, err)
		}
		defer os.Remove(kf.Name())
		_, werr := kf.WriteString(s.literal + "\n")
		if cerr := kf.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("signing with %s: writing key file: %w", s.program, werr)
		}
		keyFile = kf.Name()
		args = append(args, keyFile, "-U", bufName)
	} else {
		args = append(args, keyFile, bufName)
	}

	cmd := s.opts.command(s.program, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "usage:") {
			return nil, fmt.Errorf("signing with %s: ssh-keygen -Y sign is needed for ssh signing (available in openssh version 8.2p1+)", s.program)
		}
		return nil, fmt.Errorf("signing with %s: %w: %s", s.program, err, msg)
	}
	sig, err := os.ReadFile(bufName + ".sig")
	if err != nil {
		return nil, fmt.Errorf("signing with %s: reading signature: %w", s.program, err)
	}
	if !bytes.Contains(sig, []byte(sshsigBegin)) {
		return nil, fmt.Errorf("signing with %s: output is not an ssh signature", s.program)
	}
	return sig, nil
}

func (s *sshProgramSigner) publicKey() (ssh.PublicKey, error) {
	var text []byte
	switch {
	case s.literal != "":
		text = []byte(s.literal)
	default:
		for _, p := range []string{s.keyFile, s.keyFile + ".pub"} {
			if d, err := readHead(p, maxKeyFile); err == nil {
				if _, _, _, _, perr := ssh.ParseAuthorizedKey(d); perr == nil {
					text = d
					break
				}
			}
		}
	}
	if text == nil {
		return nil, fmt.Errorf("public key for %s not found (expected %s.pub)", s.keyFile, s.keyFile)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(text)
	if err != nil {
		return nil, fmt.Errorf("parsing ssh public key: %w", err)
	}
	return pub, nil
}

func (s *sshProgramSigner) Format() Format { return FormatSSH }
func (s *sshProgramSigner) Fingerprint() string {
	pub, err := s.publicKey()
	if err != nil {
		return ""
	}
	return ssh.FingerprintSHA256(pub)
}

func (s *sshProgramSigner) PublicKey() (string, error) {
	pub, err := s.publicKey()
	if err != nil {
		return "", err
	}
	return authorizedKey(pub), nil
}

func (s *sshProgramSigner) String() string {
	what := s.keyFile
	if s.literal != "" {
		what = "key from ssh-agent"
	}
	if fp := s.Fingerprint(); fp != "" {
		return fmt.Sprintf("ssh key %s (%s, via %s)", fp, what, s.program)
	}
	return fmt.Sprintf("ssh key %s (via %s)", what, s.program)
}
