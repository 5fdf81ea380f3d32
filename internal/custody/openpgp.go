package custody

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const pgpPrivateHeader = "-----BEGIN PGP PRIVATE KEY BLOCK-----" //nolint:gosec // G101: the armor header that marks a key, not a key

// readOpenPGPSecretKey returns secret key material when key is one (the
// armored text itself) or names a file holding one. Anything else is a key
// ID for the gpg program, so ok is false without an error.
func readOpenPGPSecretKey(key string, opts *Options) (data []byte, ok bool, err error) {
	if strings.Contains(key, pgpPrivateHeader) {
		return []byte(key), true, nil
	}
	lower := strings.ToLower(key)
	named := strings.HasSuffix(lower, ".asc") || strings.HasSuffix(lower, ".gpg")
	path := opts.expandHome(key)
	if !named && !strings.ContainsAny(key, "/\\") {
		// A bare word such as a fingerprint or "Name <mail>" is a gpg key
		// ID; don't go looking for a file by that name.
		return nil, false, nil
	}
	b, err := readHead(path, maxKeyFile)
	if err != nil {
		if named {
			return nil, false, fmt.Errorf("reading openpgp key: %w", err)
		}
		return nil, false, nil
	}
	if bytes.Contains(b, []byte(pgpPrivateHeader)) {
		return b, true, nil
	}
	if named {
		// Binary secret keyrings (gpg --export-secret-keys without --armor).
		if el, err := openpgp.ReadKeyRing(bytes.NewReader(b)); err == nil && len(el) > 0 && el[0].PrivateKey != nil {
			return b, true, nil
		}
		return nil, false, fmt.Errorf("reading openpgp key %s: not an openpgp secret key", displayPath(key))
	}
	return nil, false, nil
}

// newOpenPGPSigner loads a secret key for in-process signing, asking for the
// passphrase now so that the user is not prompted while the repository lock
// is held.
func newOpenPGPSigner(data []byte, source string, opts *Options) (KeySigner, error) {
	var el openpgp.EntityList
	var err error
	if bytes.Contains(data, []byte(pgpPrivateHeader)) {
		el, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("parsing openpgp key: %w", err)
	}
	var entity *openpgp.Entity
	for _, e := range el {
		if e.PrivateKey != nil {
			entity = e
			break
		}
	}
	if entity == nil {
		return nil, fmt.Errorf("parsing openpgp key: no secret key in %s", sourceName(source))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	signing, ok := entity.SigningKey(now())
	if !ok || signing.PrivateKey == nil {
		return nil, fmt.Errorf("openpgp key %X has no usable signing key (expired, revoked or missing)", entity.PrimaryKey.Fingerprint)
	}
	if signing.PrivateKey.Encrypted {
		if opts.Prompt == nil {
			return nil, fmt.Errorf("openpgp key %X is passphrase protected and no passphrase prompt is available", entity.PrimaryKey.Fingerprint)
		}
		pass, err := opts.Prompt(fmt.Sprintf("Enter passphrase for openpgp key %X: ", entity.PrimaryKey.Fingerprint))
		if err != nil {
			return nil, fmt.Errorf("reading passphrase: %w", err)
		}
		err = entity.DecryptPrivateKeys(pass)
		clear(pass)
		if err != nil {
			return nil, fmt.Errorf("decrypting openpgp key %X: wrong passphrase", entity.PrimaryKey.Fingerprint)
		}
	}
	return &openPGPSigner{entity: entity, now: now, source: sourceName(source)}, nil
}

func sourceName(source string) string {
	if strings.Contains(source, "-----BEGIN") {
		return "inline key"
	}
	return displayPath(source)
}

// openPGPSigner signs in-process with a decrypted OpenPGP entity.
type openPGPSigner struct {
	entity *openpgp.Entity
	now    func() time.Time
	source string
}

func (s *openPGPSigner) Sign(message io.Reader) ([]byte, error) {
	var b bytes.Buffer
	cfg := &packet.Config{Time: s.now}
	if err := openpgp.ArmoredDetachSign(&b, s.entity, message, cfg); err != nil {
		return nil, fmt.Errorf("signing with openpgp key %s: %w", s.Fingerprint(), err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func (s *openPGPSigner) Format() Format { return FormatOpenPGP }
func (s *openPGPSigner) Fingerprint() string {
	return fmt.Sprintf("%X", s.entity.PrimaryKey.Fingerprint)
}

func (s *openPGPSigner) PublicKey() (string, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return "", fmt.Errorf("armoring public key: %w", err)
	}
	if err := s.entity.Serialize(w); err != nil {
		return "", fmt.Errorf("serializing public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("armoring public key: %w", err)
	}
	b.WriteByte('\n')
	return b.String(), nil
}

func (s *openPGPSigner) String() string {
	return fmt.Sprintf("openpgp key %s (%s, in-process)", s.Fingerprint(), s.source)
}

// gpgProgramSigner runs gpg.program the way git does:
// `gpg --status-fd=2 -bsau <key>` with the payload on stdin.
type gpgProgramSigner struct {
	program string
	keyID   string
	opts    Options

	mu          sync.Mutex
	fingerprint string
}

func (s *gpgProgramSigner) Sign(message io.Reader) ([]byte, error) {
	cmd := s.opts.command(s.program, "--status-fd=2", "-bsau", s.keyID)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = message, &stdout, &stderr
	runErr := cmd.Run()

	status := strings.ReplaceAll(stderr.String(), "\r", "")
	var created string
	var messages []string
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "[GNUPG:] SIG_CREATED "); ok {
			created = rest
		} else if !strings.HasPrefix(line, "[GNUPG:] ") && strings.TrimSpace(line) != "" {
			messages = append(messages, strings.TrimSpace(line))
		}
	}
	if runErr != nil || created == "" {
		detail := strings.Join(messages, "; ")
		if runErr != nil {
			return nil, fmt.Errorf("gpg failed to sign the data (%s -bsau %s): %w: %s", s.program, s.keyID, runErr, detail)
		}
		return nil, fmt.Errorf("gpg failed to sign the data (%s -bsau %s): no SIG_CREATED status: %s", s.program, s.keyID, detail)
	}
	// SIG_CREATED <type> <pk_algo> <hash_algo> <class> <timestamp> <fpr>
	if f := strings.Fields(created); len(f) >= 6 {
		s.mu.Lock()
		s.fingerprint = strings.ToUpper(f[5])
		s.mu.Unlock()
	}
	sig := bytes.ReplaceAll(stdout.Bytes(), []byte("\r"), nil)
	if !bytes.Contains(sig, []byte("-----BEGIN PGP SIGNATURE-----")) {
		return nil, fmt.Errorf("gpg failed to sign the data (%s -bsau %s): output is not an armored signature", s.program, s.keyID)
	}
	return sig, nil
}

func (s *gpgProgramSigner) Format() Format { return FormatOpenPGP }

func (s *gpgProgramSigner) Fingerprint() string {
	s.mu.Lock()
	fp := s.fingerprint
	s.mu.Unlock()
	if fp != "" {
		return fp
	}
	cmd := s.opts.command(s.program, "--batch", "--with-colons", "--fingerprint", "--list-secret-keys", s.keyID)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 9 && f[0] == "fpr" {
			fp = f[9]
			break
		}
	}
	s.mu.Lock()
	s.fingerprint = fp
	s.mu.Unlock()
	return fp
}

func (s *gpgProgramSigner) PublicKey() (string, error) {
	id := s.Fingerprint()
	if id == "" {
		id = s.keyID
	}
	cmd := s.opts.command(s.program, "--batch", "--armor", "--export", id)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("exporting openpgp key %s with %s: %w: %s", id, s.program, err, strings.TrimSpace(stderr.String()))
	}
	if !bytes.Contains(out, []byte("BEGIN PGP PUBLIC KEY BLOCK")) {
		return "", fmt.Errorf("exporting openpgp key %s with %s: no such public key", id, s.program)
	}
	return string(out), nil
}

func (s *gpgProgramSigner) String() string {
	s.mu.Lock()
	fp := s.fingerprint
	s.mu.Unlock()
	if fp != "" {
		return fmt.Sprintf("openpgp key %s (via %s)", fp, s.program)
	}
	return fmt.Sprintf("openpgp key %q (via %s)", s.keyID, s.program)
}
