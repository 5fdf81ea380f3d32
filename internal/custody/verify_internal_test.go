package custody

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// craftSSHSig builds an sshsig signature with a chosen namespace and hash,
// which ssh-keygen cannot be told to produce for git.
func craftSSHSig(t *testing.T, s ssh.Signer, namespace, hashName string, msg []byte) []byte {
	t.Helper()
	var digest []byte
	switch hashName {
	case "sha256":
		d := sha256.Sum256(msg)
		digest = d[:]
	default:
		d := sha512.Sum512(msg)
		digest = d[:]
	}
	var data bytes.Buffer
	data.WriteString(sshsigMagic)
	writeSSHString(&data, []byte(namespace))
	writeSSHString(&data, nil)
	writeSSHString(&data, []byte(hashName))
	writeSSHString(&data, digest)
	sig, err := s.Sign(rand.Reader, data.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var blob bytes.Buffer
	blob.WriteString(sshsigMagic)
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], 1)
	blob.Write(v[:])
	writeSSHString(&blob, s.PublicKey().Marshal())
	writeSSHString(&blob, []byte(namespace))
	writeSSHString(&blob, nil)
	writeSSHString(&blob, []byte(hashName))
	writeSSHString(&blob, ssh.Marshal(sig))
	return []byte(sshsigBegin + "\n" + base64.StdEncoding.EncodeToString(blob.Bytes()) + "\n" + sshsigEnd + "\n")
}

func TestVerifySSHSigVariants(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, _ := ssh.NewSignerFromKey(priv)
	msg := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nmsg\n")
	cases := []struct {
		name      string
		sig       []byte
		msg       []byte
		valid     bool
		rule      string
		reasonHas string
	}{
		{"sha512", craftSSHSig(t, s, "git", "sha512", msg), msg, true, "", ""},
		{"sha256", craftSSHSig(t, s, "git", "sha256", msg), msg, true, "", ""},
		{"other namespace", craftSSHSig(t, s, "file", "sha512", msg), msg, false, RuleBadSignature, `namespace "file"`},
		{"unknown hash", craftSSHSig(t, s, "git", "md5", msg), msg, false, RuleBadSignature, "unsupported hash"},
		{"altered payload", craftSSHSig(t, s, "git", "sha512", msg), append([]byte("x"), msg...), false, RuleBadSignature, "does not match"},
		{"garbage", []byte(sshsigBegin + "\n!!!\n" + sshsigEnd + "\n"), msg, false, RuleBadSignature, "base64"},
		{"no end", []byte(sshsigBegin + "\nAAAA\n"), msg, false, RuleBadSignature, "END"},
		{"x509", []byte("-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n"), msg, false, RuleBadSignature, "x509"},
		{"unknown", []byte("hello\n"), msg, false, RuleBadSignature, "unknown format"},
		{"unsigned", nil, msg, false, RuleUnsigned, "not signed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := VerifySignature(tc.sig, tc.msg)
			if st.Valid != tc.valid || st.Rule != tc.rule || !strings.Contains(st.Reason, tc.reasonHas) {
				t.Errorf("status = %+v", st)
			}
			if tc.valid && (st.Key == nil || st.Key.Fingerprint != ssh.FingerprintSHA256(s.PublicKey())) {
				t.Errorf("key = %+v", st.Key)
			}
		})
	}
}

func TestParseRawCommitKeepsUnknownHeaders(t *testing.T) {
	raw := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"parent 1111111111111111111111111111111111111111\n" +
		"author A <a@example.com> 1772442840 +0100\n" +
		"committer C <c@example.com> 1772442841 +0000\n" +
		"encoding ISO-8859-1\n" +
		"mergetag object 2222222222222222222222222222222222222222\n type commit\n tag v1\n \n -----BEGIN PGP SIGNATURE-----\n x\n -----END PGP SIGNATURE-----\n" +
		"gpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\n" +
		"gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n BBBB\n -----END SSH SIGNATURE-----\n" +
		"x-custom value\n" +
		"\nsubject\n\nbody\n"
	sig, payload, err := CommitSignature([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if string(sig) != "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n" {
		t.Errorf("sig = %q", sig)
	}
	wantPayload := strings.Replace(raw, "gpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\n", "", 1)
	wantPayload = strings.Replace(wantPayload, "gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n BBBB\n -----END SSH SIGNATURE-----\n", "", 1)
	if string(payload) != wantPayload {
		t.Errorf("payload =\n%s\nwant\n%s", payload, wantPayload)
	}
	c, _ := parseRawCommit([20]byte{}, []byte(raw))
	if c.author.Email != "a@example.com" || c.committer.Name != "C" || len(c.parents) != 1 || c.message != "subject\n\nbody\n" {
		t.Errorf("commit = %+v", c)
	}
	// A "gpgsig" line in the message is not a header.
	sig, _, _ = CommitSignature([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\ngpgsig nope\n"))
	if sig != nil {
		t.Errorf("signature from message: %q", sig)
	}
}

func TestParseRawTagTakesLastSignature(t *testing.T) {
	raw := "object 1111111111111111111111111111111111111111\ntype commit\ntag casefile-seal-q1\ntagger A <a@example.com> 1772442840 +0000\n\n" +
		"review\n-----BEGIN PGP SIGNATURE-----\nquoted in the message\n-----END PGP SIGNATURE-----\n" +
		"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
	sig, payload, err := TagSignature([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sig), "-----BEGIN SSH SIGNATURE-----") || !strings.HasSuffix(string(payload), "-----END PGP SIGNATURE-----\n") {
		t.Errorf("sig %q payload %q", sig, payload)
	}
}

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		s, p string
		ok   bool
	}{
		{"alice@example.com", "alice@example.com", true},
		{"alice@example.com", "*@example.com", true},
		{"alice@example.com", "?lice@*", true},
		{"alice@example.com", "*", true},
		{"alice@example.com", "*@example.org", false},
		{"alice@example.com", "a*e*m", true},
		{"", "*", true},
		{"", "?", false},
		{strings.Repeat("a", 200), strings.Repeat("*a", 50) + "b", false},
	}
	for _, tc := range cases {
		if got := matchPattern(tc.s, tc.p); got != tc.ok {
			t.Errorf("matchPattern(%q, %q) = %v", tc.s, tc.p, got)
		}
	}
	if matchPatternList("mallory@ops", []string{"*@ops", "!mallory@ops"}) {
		t.Error("negation ignored")
	}
}
