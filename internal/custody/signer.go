package custody

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Format is a signature format as named by git's gpg.format.
type Format string

// The signature formats casefile can produce.
const (
	// FormatOpenPGP produces "-----BEGIN PGP SIGNATURE-----" signatures.
	FormatOpenPGP Format = "openpgp"
	// FormatSSH produces "-----BEGIN SSH SIGNATURE-----" (sshsig) signatures.
	FormatSSH Format = "ssh"
)

// ErrNoSigningKey reports that neither an explicit key nor the git
// configuration names a key to sign with. The CLI uses it to tell
// "signing: required" failures apart from broken keys.
var ErrNoSigningKey = errors.New("no signing key configured")

// ErrUnsupportedFormat reports a gpg.format casefile cannot produce or
// verify (x509, or a typo).
var ErrUnsupportedFormat = errors.New("unsupported signature format")

// Signer signs the encoded form of a git object and returns the armored
// signature. It has the same method set as go-git's git.Signer, so any
// Signer can be handed to go-git as well.
type Signer interface {
	Sign(message io.Reader) ([]byte, error)
}

// KeySigner is a Signer that can say which key it signs with, for error
// messages and for writing trust files (.casefile/allowed_signers).
type KeySigner interface {
	Signer
	// Format is the signature format the signer produces.
	Format() Format
	// Fingerprint identifies the key: "SHA256:…" for SSH keys, the
	// upper-case hex v4 fingerprint for OpenPGP keys. It is empty for an
	// external gpg program until the first signature has been made,
	// because only gpg knows which key a user ID selects.
	Fingerprint() string
	// PublicKey returns the public key in the form trust files use: the
	// key part of an allowed_signers line ("ssh-ed25519 AAAA…") for SSH,
	// an armored "PGP PUBLIC KEY BLOCK" for OpenPGP. It may run the
	// external program, hence the error.
	PublicKey() (string, error)
	// String describes the signer for humans, e.g.
	// "ssh key SHA256:… (~/.ssh/id_ed25519, in-process)".
	String() string
}

// Options are the caller's choices and the process environment for
// NewSigner. The zero value means "follow the git configuration".
type Options struct {
	// Key overrides user.signingkey (the --sign-key flag or
	// CASEFILE_SIGNING_KEY, resolved by the caller). It may be anything
	// user.signingkey may be, or an armored OpenPGP secret key (path ending
	// in .asc/.gpg, or the armored text itself), or the text of an OpenSSH
	// private key, which lets CI pass a key in a secret variable.
	Key string
	// Format overrides gpg.format; empty means the configured format, or
	// the format the override key obviously has.
	Format Format
	// Prompt asks the user for a passphrase for an encrypted private key.
	// Nil means encrypted keys cannot be used in-process.
	Prompt func(prompt string) ([]byte, error)
	// Getenv reads the environment (SSH_AUTH_SOCK, HOME). Nil means an
	// empty environment.
	Getenv func(string) string
	// Env is the environment for external programs (gpg, ssh-keygen); nil
	// inherits the process environment, as exec.Cmd does.
	Env []string
	// ExecCommand builds external commands; nil means exec.Command. Tests
	// inject fakes here.
	ExecCommand func(name string, arg ...string) *exec.Cmd
	// Now is the clock for OpenPGP signature creation times; nil means the
	// system clock. The CLI passes the same clock it uses for the commit.
	Now func() time.Time
	// TempDir is where payload files for external ssh-keygen are written;
	// empty means os.TempDir().
	TempDir string
}

func (o *Options) getenv(k string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(k)
}

func (o *Options) command(name string, arg ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if o.ExecCommand != nil {
		cmd = o.ExecCommand(name, arg...)
	} else {
		cmd = exec.Command(name, arg...)
	}
	if o.Env != nil && cmd.Env == nil {
		cmd.Env = o.Env
	}
	return cmd
}

func (o *Options) expandHome(p string) string {
	home := o.getenv("HOME")
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

func parseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "openpgp":
		return FormatOpenPGP, nil
	case "ssh":
		return FormatSSH, nil
	case "x509":
		return "", fmt.Errorf("%w: gpg.format x509 (gpgsm) is not supported, use openpgp or ssh", ErrUnsupportedFormat)
	}
	return "", fmt.Errorf("%w: gpg.format %q (want openpgp or ssh)", ErrUnsupportedFormat, s)
}

// NewSigner chooses a signer the way `git commit -S` would for cfg, with
// opts.Key and opts.Format taking precedence over user.signingkey and
// gpg.format. In-process signing is preferred (no dependency on the
// user's PATH, testable); an external program is used when git would
// run one that cannot be replaced: gpg for key IDs, and ssh-keygen when
// gpg.ssh.program is configured or the key cannot be used in-process.
//
// When no key is configured it returns an error wrapping ErrNoSigningKey.
// For OpenPGP git would fall back to the committer identity as key ID; casefile
// does that only when commit.gpgsign is set, because that is the sign the
// user has a gpg key for that identity, and otherwise a missing key would
// surface as an obscure gpg failure at commit time.
func NewSigner(cfg *GitConfig, opts Options) (KeySigner, error) {
	if cfg == nil {
		cfg = &GitConfig{}
	}
	key := strings.TrimSpace(opts.Key)
	fromOverride := key != ""
	if !fromOverride {
		key = strings.TrimSpace(cfg.SigningKey)
	}

	format := opts.Format
	if format == "" && fromOverride {
		format = sniffFormat(key, &opts)
	}
	if format == "" {
		f, err := cfg.SigningFormat()
		if err != nil {
			return nil, fmt.Errorf("choosing signer: %w", err)
		}
		format = f
	} else if _, err := parseFormat(string(format)); err != nil {
		return nil, fmt.Errorf("choosing signer: %w", err)
	}

	switch format {
	case FormatSSH:
		if key == "" && cfg.SSHDefaultKeyCommand != "" {
			k, err := runDefaultKeyCommand(cfg.SSHDefaultKeyCommand, &opts)
			if err != nil {
				return nil, fmt.Errorf("choosing signer: %w", err)
			}
			key = k
		}
		if key == "" {
			return nil, noKeyError()
		}
		s, err := newSSHSigner(cfg, key, &opts)
		if err != nil {
			return nil, fmt.Errorf("choosing signer: %w", err)
		}
		return s, nil
	default:
		if key == "" {
			if !cfg.CommitGPGSign {
				return nil, noKeyError()
			}
			id, err := cfg.Committer()
			if err != nil {
				return nil, fmt.Errorf("choosing signer: %w", noKeyError())
			}
			key = id.String()
		}
		armored, ok, err := readOpenPGPSecretKey(key, &opts)
		if err != nil {
			return nil, fmt.Errorf("choosing signer: %w", err)
		}
		if ok {
			s, err := newOpenPGPSigner(armored, key, &opts)
			if err != nil {
				return nil, fmt.Errorf("choosing signer: %w", err)
			}
			return s, nil
		}
		return &gpgProgramSigner{program: cfg.GPGProgram(), keyID: key, opts: opts}, nil
	}
}

func noKeyError() error {
	return fmt.Errorf("%w: set user.signingkey (and gpg.format=ssh for SSH keys), or pass --sign-key", ErrNoSigningKey)
}

// sniffFormat recognises override keys whose format is unambiguous, so
// `--sign-key ~/.ssh/id_ed25519` works in a repository configured for gpg.
func sniffFormat(key string, opts *Options) Format {
	switch {
	case strings.HasPrefix(key, "key::"), isSSHPublicKeyLiteral(key),
		strings.Contains(key, "-----BEGIN OPENSSH PRIVATE KEY-----"):
		return FormatSSH
	case strings.Contains(key, "-----BEGIN PGP PRIVATE KEY BLOCK-----"):
		return FormatOpenPGP
	}
	lower := strings.ToLower(key)
	if strings.HasSuffix(lower, ".asc") || strings.HasSuffix(lower, ".gpg") {
		return FormatOpenPGP
	}
	b, err := readHead(opts.expandHome(key), 4096)
	if err != nil {
		return ""
	}
	switch {
	case bytes.Contains(b, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")):
		return FormatOpenPGP
	case bytes.Contains(b, []byte("PRIVATE KEY-----")), isSSHPublicKeyLiteral(string(b)):
		return FormatSSH
	}
	return ""
}

// readHead reads at most n bytes of a regular file; key files are small and
// a path that turns out to be a device or a huge file must not hang us.
func readHead(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, n))
}

// runDefaultKeyCommand runs gpg.ssh.defaultKeyCommand and takes its first
// line as a literal key, as git does.
func runDefaultKeyCommand(command string, opts *Options) (string, error) {
	fields := strings.Fields(command)
	if len(fields) == 0 {
		return "", nil
	}
	cmd := opts.command(fields[0], fields[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("running gpg.ssh.defaultKeyCommand %q: %w: %s", command, err, strings.TrimSpace(stderr.String()))
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		line = strings.TrimSpace(line)
		if isSSHPublicKeyLiteral(line) || strings.HasPrefix(line, "key::") {
			return line, nil
		}
	}
	return "", fmt.Errorf("gpg.ssh.defaultKeyCommand %q printed no ssh public key", command)
}
