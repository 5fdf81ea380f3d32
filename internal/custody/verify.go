package custody

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

// FormatX509 names gpgsm (S/MIME) signatures, which git can make but
// casefile cannot verify; they are reported, never accepted.
const FormatX509 Format = "x509"

// Key identifies the key that made a signature.
type Key struct {
	// Format is the key's signature format.
	Format Format `json:"format"`
	// Fingerprint is "SHA256:…" for SSH keys and the upper-case hex v4
	// primary-key fingerprint for OpenPGP keys (the key ID when the key is
	// unknown).
	Fingerprint string `json:"fingerprint"`
	// PublicKey is the key as trust files hold it: "ssh-ed25519 AAAA…" for
	// SSH; empty for OpenPGP (the armored key is in .casefile/keys).
	PublicKey string `json:"public_key,omitempty"`
	// UIDs are the user IDs of an OpenPGP key ("Name <mail>").
	UIDs []string `json:"uids,omitempty"`

	ssh ssh.PublicKey
}

// SignatureStatus is what verification found out about one signature: the
// cryptographic check (Signed, Format, Valid, Key) and the trust decision
// (Trusted, Principals). Reason explains the first thing that is not OK.
type SignatureStatus struct {
	// Signed reports whether the object carries a signature at all.
	Signed bool `json:"signed"`
	// Format is the signature's format; empty when unsigned.
	Format Format `json:"format,omitempty"`
	// Valid reports whether the signature verifies over the object with
	// the key it names (SSH: the embedded key; OpenPGP: a key from the
	// trust files).
	Valid bool `json:"valid"`
	// Key is the signing key when it could be determined.
	Key *Key `json:"key,omitempty"`
	// Trusted reports whether the key was allowed to sign this object by
	// the trust files that apply to it.
	Trusted bool `json:"trusted"`
	// Principals are the principals (allowed_signers patterns, or OpenPGP
	// UID e-mail addresses) the key may sign for at the object's time.
	Principals []string `json:"principals,omitempty"`
	// Rule is the violation rule ID when the signature is not acceptable
	// ("unsigned", "bad-signature", "untrusted-signer", "author-mismatch").
	Rule string `json:"rule,omitempty"`
	// Reason says in words why the signature is not acceptable.
	Reason string `json:"reason,omitempty"`
}

// OK reports whether the signature is present, valid and trusted.
func (s *SignatureStatus) OK() bool { return s.Signed && s.Valid && s.Trusted && s.Rule == "" }

// Rule IDs of the violations Verify reports.
const (
	RuleUnsigned         = "unsigned"
	RuleBadSignature     = "bad-signature"
	RuleUntrustedSigner  = "untrusted-signer"
	RuleAuthorMismatch   = "author-mismatch"
	RuleRecordDeleted    = "record-deleted"
	RuleRecordRenamed    = "record-renamed"
	RuleRecordInvalid    = "record-invalid"
	RuleRecordLint       = "record-lint"
	RuleEvidenceMissing  = "evidence-missing"
	RuleEvidenceMismatch = "evidence-mismatch"
	RuleEvidencePath     = "evidence-path"
	RuleTrustInvalid     = "trust-invalid"
	RuleSealUnsigned     = "seal-unsigned"
	RuleSealBadSignature = "seal-bad-signature"
	RuleSealUntrusted    = "seal-untrusted"
	RuleSealNotAncestor  = "seal-not-ancestor"
	RuleShallow          = "shallow"
	RuleObjectMissing    = "object-missing"
	RuleObjectCorrupt    = "object-corrupt"
)

// VerifySignature checks signature over payload cryptographically. SSH
// signatures (sshsig, namespace "git", SHA-256 or SHA-512) are checked
// against the key they embed; OpenPGP signatures against the keys of the
// given trust sets (nil entries are skipped), since an OpenPGP signature
// names only a key ID. The result has Trusted false: deciding trust is
// Trust.Allows' job.
func VerifySignature(signature, payload []byte, trusts ...*Trust) SignatureStatus {
	var keys openpgp.EntityList
	for _, t := range trusts {
		if t != nil {
			keys = append(keys, t.keyring...)
		}
	}
	return verifySignature(signature, payload, keys)
}

func verifySignature(signature, payload []byte, keys openpgp.EntityList) SignatureStatus {
	s := bytes.TrimLeft(signature, " \t\r\n")
	if len(bytes.TrimSpace(s)) == 0 {
		return SignatureStatus{Rule: RuleUnsigned, Reason: "not signed"}
	}
	st := SignatureStatus{Signed: true}
	switch {
	case bytes.HasPrefix(s, []byte(sshsigBegin)):
		st.Format = FormatSSH
		pub, err := verifySSHSig(s, payload)
		if pub != nil {
			st.Key = sshKey(pub)
		}
		if err != nil {
			st.Rule, st.Reason = RuleBadSignature, err.Error()
			return st
		}
	case bytes.HasPrefix(s, []byte("-----BEGIN PGP SIGNATURE-----")), bytes.HasPrefix(s, []byte("-----BEGIN PGP MESSAGE-----")):
		st.Format = FormatOpenPGP
		key, rule, err := verifyOpenPGPSig(s, payload, keys)
		st.Key = key
		if err != nil {
			st.Rule, st.Reason = rule, err.Error()
			return st
		}
	case bytes.HasPrefix(s, []byte("-----BEGIN SIGNED MESSAGE-----")):
		st.Format = FormatX509
		st.Rule, st.Reason = RuleBadSignature, "x509 (gpgsm) signatures are not supported; sign with openpgp or ssh"
		return st
	default:
		st.Format = "unknown"
		st.Rule, st.Reason = RuleBadSignature, "signature in an unknown format"
		return st
	}
	st.Valid = true
	return st
}

func sshKey(pub ssh.PublicKey) *Key {
	return &Key{Format: FormatSSH, Fingerprint: ssh.FingerprintSHA256(pub), PublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))), ssh: pub}
}

// verifySSHSig checks an armored sshsig signature as `ssh-keygen -Y verify
// -n git` does and returns the embedded key (also when the signature does
// not verify, for the report).
func verifySSHSig(armored, message []byte) (ssh.PublicKey, error) {
	s := bytes.TrimSpace(armored)
	if !bytes.HasSuffix(s, []byte(sshsigEnd)) {
		return nil, errors.New("ssh signature: no END line")
	}
	// BEGIN and END may share their dashes in a forged signature.
	if !bytes.HasPrefix(s, []byte(sshsigBegin)) || len(s) < len(sshsigBegin)+len(sshsigEnd) {
		return nil, errors.New("ssh signature: no BEGIN line before the END line")
	}
	body := s[len(sshsigBegin) : len(s)-len(sshsigEnd)]
	raw, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(body), nil)))
	if err != nil {
		return nil, fmt.Errorf("ssh signature: bad base64: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(sshsigMagic)) || len(raw) < len(sshsigMagic)+4 {
		return nil, errors.New("ssh signature: bad magic")
	}
	raw = raw[len(sshsigMagic):]
	if v := binary.BigEndian.Uint32(raw); v != sshsigVersion {
		return nil, fmt.Errorf("ssh signature: unsupported version %d", v)
	}
	var f struct {
		PublicKey []byte
		Namespace string
		Reserved  []byte
		Hash      string
		Signature []byte
	}
	if err := ssh.Unmarshal(raw[4:], &f); err != nil {
		return nil, fmt.Errorf("ssh signature: %w", err)
	}
	pub, err := ssh.ParsePublicKey(f.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("ssh signature: bad public key: %w", err)
	}
	if f.Namespace != sshsigNamespace {
		return pub, fmt.Errorf("ssh signature is for namespace %q, not %q", f.Namespace, sshsigNamespace)
	}
	var h hash.Hash
	switch f.Hash {
	case "sha512":
		h = sha512.New()
	case "sha256":
		h = sha256.New()
	default:
		return pub, fmt.Errorf("ssh signature: unsupported hash %q", f.Hash)
	}
	sig := new(ssh.Signature)
	if err := ssh.Unmarshal(f.Signature, sig); err != nil {
		return pub, fmt.Errorf("ssh signature: bad signature blob: %w", err)
	}
	if sig.Format == ssh.KeyAlgoRSA {
		// OpenSSH refuses SHA-1 RSA signatures in sshsig.
		return pub, errors.New("ssh signature uses ssh-rsa (SHA-1), which is not accepted")
	}
	h.Write(message)
	var data bytes.Buffer
	data.WriteString(sshsigMagic)
	writeSSHString(&data, []byte(f.Namespace))
	writeSSHString(&data, f.Reserved)
	writeSSHString(&data, []byte(f.Hash))
	writeSSHString(&data, h.Sum(nil))
	if err := pub.Verify(data.Bytes(), sig); err != nil {
		return pub, errors.New("ssh signature does not match the signed content (altered after signing?)")
	}
	return pub, nil
}

// verifyOpenPGPSig checks a detached armored OpenPGP signature against
// keys. Key validity (expiry, revocation) is judged at the signature's
// creation time, as gpg does for historic signatures, so the verdict does
// not depend on when verify runs.
func verifyOpenPGPSig(armored, message []byte, keys openpgp.EntityList) (*Key, string, error) {
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return nil, RuleBadSignature, fmt.Errorf("openpgp signature: bad armor: %w", err)
	}
	if block.Type != openpgp.SignatureType {
		return nil, RuleBadSignature, fmt.Errorf("openpgp signature: armor type %q", block.Type)
	}
	body, err := io.ReadAll(io.LimitReader(block.Body, maxTrustFile))
	if err != nil {
		return nil, RuleBadSignature, fmt.Errorf("openpgp signature: %w", err)
	}
	p, err := packet.Read(bytes.NewReader(body))
	if err != nil {
		return nil, RuleBadSignature, fmt.Errorf("openpgp signature: %w", err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok || sig.IssuerKeyId == nil {
		return nil, RuleBadSignature, errors.New("openpgp signature: no signature packet with an issuer")
	}
	issuer := &Key{Format: FormatOpenPGP, Fingerprint: fmt.Sprintf("%016X", *sig.IssuerKeyId)}
	if len(sig.IssuerFingerprint) > 0 {
		issuer.Fingerprint = fmt.Sprintf("%X", sig.IssuerFingerprint)
	}
	if len(keys.KeysById(*sig.IssuerKeyId)) == 0 {
		return issuer, RuleUntrustedSigner, fmt.Errorf("openpgp key %s is not in .casefile/keys, so the signature cannot be checked", issuer.Fingerprint)
	}
	created := sig.CreationTime
	cfg := &packet.Config{Time: func() time.Time { return created }}
	_, entity, err := openpgp.VerifyDetachedSignature(keys, bytes.NewReader(message), bytes.NewReader(body), cfg)
	if entity != nil {
		issuer = openPGPKey(entity)
	}
	switch {
	case err == nil:
		return issuer, "", nil
	case errors.Is(err, pgperrors.ErrKeyExpired):
		return issuer, RuleBadSignature, fmt.Errorf("openpgp key %s had expired when the signature was made", issuer.Fingerprint)
	case errors.Is(err, pgperrors.ErrSignatureExpired):
		return issuer, RuleBadSignature, errors.New("openpgp signature has expired")
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		return issuer, RuleBadSignature, fmt.Errorf("openpgp key %s was revoked when the signature was made", issuer.Fingerprint)
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return issuer, RuleUntrustedSigner, fmt.Errorf("openpgp key %s has no signing key in .casefile/keys", issuer.Fingerprint)
	}
	return issuer, RuleBadSignature, errors.New("openpgp signature does not match the signed content (altered after signing?)")
}

func openPGPKey(e *openpgp.Entity) *Key {
	k := &Key{Format: FormatOpenPGP, Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}
	for name := range e.Identities {
		k.UIDs = append(k.UIDs, name)
	}
	sortStrings(k.UIDs)
	return k
}

// CommitSignature returns the signature of a commit object and the payload
// it signs: the object with its gpgsig header removed, byte for byte as git
// computes it. Both are nil for an unsigned commit.
func CommitSignature(raw []byte) (signature, payload []byte, err error) {
	c, err := parseRawCommit([20]byte{}, raw)
	if err != nil {
		return nil, nil, err
	}
	return c.signature, c.payload, nil
}

// TagSignature returns the signature appended to a tag object's message
// and the payload it signs (the object up to the signature).
func TagSignature(raw []byte) (signature, payload []byte, err error) {
	t, err := parseRawTag([20]byte{}, raw)
	if err != nil {
		return nil, nil, err
	}
	return t.signature, t.payload, nil
}

// applyTrust decides whether a cryptographically valid signature is
// acceptable: the key must be allowed by one of trusts (the trust sets of
// the object's parents; any one suffices), for the author's e-mail unless
// the policy allows a mismatch, at time at. A merge may instead be signed
// by a key trusted for a platform principal.
func applyTrust(st *SignatureStatus, trusts []*Trust, email string, at time.Time, merge bool, p *policy) {
	if !st.Valid || st.Key == nil {
		return
	}
	var reasons []string
	anyPrincipal := false
	for _, t := range trusts {
		if t == nil {
			continue
		}
		pr := t.Principals(*st.Key, at)
		if len(pr) == 0 {
			_, why := t.Allows(*st.Key, "", at)
			reasons = append(reasons, why)
			continue
		}
		anyPrincipal = true
		st.Principals = mergeStrings(st.Principals, pr)
		if p.allowAuthorMismatch {
			st.Trusted = true
			return
		}
		if ok, _ := t.Allows(*st.Key, email, at); ok {
			st.Trusted = true
			return
		}
		if merge {
			for _, pp := range p.platform {
				if ok, _ := t.Allows(*st.Key, pp, at); ok {
					st.Trusted = true
					return
				}
			}
		}
	}
	if anyPrincipal {
		st.Trusted = true // the key is trusted, only not for this author
		st.Rule = RuleAuthorMismatch
		st.Reason = fmt.Sprintf("signed by %s %s, trusted for %s, but the author is %s",
			st.Key.Format, st.Key.Fingerprint, strings.Join(st.Principals, ", "), email)
		return
	}
	st.Rule = RuleUntrustedSigner
	why := "no trust files apply"
	if len(reasons) > 0 {
		why = reasons[0]
	}
	st.Reason = fmt.Sprintf("%s key %s is not trusted: %s", st.Key.Format, st.Key.Fingerprint, why)
}

// policy is the resolved form of the options that affect trust decisions.
type policy struct {
	allowAuthorMismatch bool
	platform            []string
}

func mergeStrings(a, b []string) []string {
	for _, s := range b {
		found := false
		for _, x := range a {
			if x == s {
				found = true
				break
			}
		}
		if !found {
			a = append(a, s)
		}
	}
	return a
}
