package custody_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/casefile/casefile/internal/custody"
)

func genPub(t *testing.T) (ssh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return sp, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}

func TestParseAllowedSigners(t *testing.T) {
	t.Parallel()
	_, key := genPub(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type want struct {
		principals  []string
		namespaces  []string
		after       time.Time
		before      time.Time
		ca          bool
		comment     string
		errContains string
	}
	cases := []struct {
		name string
		line string
		want want
	}{
		{"plain", "alice@example.com " + key, want{principals: []string{"alice@example.com"}}},
		{"comment", "alice@example.com " + key + " alice laptop", want{principals: []string{"alice@example.com"}, comment: "alice laptop"}},
		{"leading space and tab", " \talice@example.com\t" + key, want{principals: []string{"alice@example.com"}}},
		{
			"several principals", "alice@example.com,*@ops.example.com,!mallory@ops.example.com " + key,
			want{principals: []string{"alice@example.com", "*@ops.example.com", "!mallory@ops.example.com"}},
		},
		{"quoted principals", `"alice@example.com,bob@example.com" ` + key, want{principals: []string{"alice@example.com", "bob@example.com"}}},
		{"namespaces", `alice@example.com namespaces="git,file" ` + key, want{principals: []string{"alice@example.com"}, namespaces: []string{"git", "file"}}},
		{"option names ignore case", `alice@example.com NameSpaces="git" ` + key, want{principals: []string{"alice@example.com"}, namespaces: []string{"git"}}},
		{
			"valid-after date", `alice@example.com valid-after="20260101" ` + key,
			want{principals: []string{"alice@example.com"}, after: utc("2026-01-01T00:00:00Z")},
		},
		{
			"valid-before minutes Z", `alice@example.com valid-before="202612311830Z" ` + key,
			want{principals: []string{"alice@example.com"}, before: utc("2026-12-31T18:30:00Z")},
		},
		{
			"both with seconds", `alice@example.com valid-after="20260101000000",valid-before="20270101120059Z",namespaces="git" ` + key,
			want{principals: []string{"alice@example.com"}, after: utc("2026-01-01T00:00:00Z"), before: utc("2027-01-01T12:00:59Z"), namespaces: []string{"git"}},
		},
		{"cert-authority", "*@example.com cert-authority " + key, want{principals: []string{"*@example.com"}, ca: true}},
		{"quoted value with space", `alice@example.com namespaces="git, file" ` + key, want{principals: []string{"alice@example.com"}, namespaces: []string{"git", " file"}}},

		{"missing key", "alice@example.com", want{errContains: "missing key"}},
		{"bad base64", "alice@example.com ssh-ed25519 AAAA!!", want{errContains: "bad base64"}},
		{"type mismatch", "alice@example.com ssh-rsa " + strings.Fields(key)[1], want{errContains: "does not match"}},
		{"unknown option", `alice@example.com no-touch-required ` + key, want{errContains: `unknown option "no-touch-required"`}},
		{"bad time", `alice@example.com valid-after="2026-01-01" ` + key, want{errContains: "YYYYMMDD"}},
		{"impossible date", `alice@example.com valid-after="20261345" ` + key, want{errContains: "valid-after"}},
		{"before not after after", `alice@example.com valid-after="20270101",valid-before="20260101" ` + key, want{errContains: "not after"}},
		{"unquoted value", `alice@example.com namespaces=git ` + key, want{errContains: "double quoted"}},
		{"unterminated quote", `alice@example.com namespaces="git ` + key, want{errContains: "unterminated"}},
		{"duplicate option", `alice@example.com namespaces="git",namespaces="file" ` + key, want{errContains: "twice"}},
		{"empty principal", "alice@example.com,,bob " + key, want{errContains: "empty principal"}},
		{"trailing comma", `alice@example.com cert-authority, ` + key, want{errContains: "end of options"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			signers, err := custody.ParseAllowedSigners("allowed_signers", []byte("# header\n\n"+tc.line+"\n"))
			if tc.want.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want.errContains) || !strings.HasPrefix(err.Error(), "allowed_signers:3: ") {
					t.Fatalf("err = %v, want allowed_signers:3: …%s…", err, tc.want.errContains)
				}
				if len(signers) != 0 {
					t.Fatalf("broken line returned %d signers", len(signers))
				}
				return
			}
			if err != nil || len(signers) != 1 {
				t.Fatalf("err = %v, %d signers", err, len(signers))
			}
			s := signers[0]
			got := want{principals: s.Principals, namespaces: s.Namespaces, after: s.ValidAfter, before: s.ValidBefore, ca: s.CertAuthority, comment: s.Comment}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if s.File != "allowed_signers" || s.Line != 3 || s.Key.PublicKey != key || !strings.HasPrefix(s.Key.Fingerprint, "SHA256:") {
				t.Errorf("signer = %+v", s)
			}
		})
	}
}

func TestParseAllowedSignersKeepsGoodLines(t *testing.T) {
	t.Parallel()
	_, key := genPub(t)
	data := "alice@example.com " + key + "\r\nbroken line\nbob@example.com " + key + "\nx y z\n"
	signers, err := custody.ParseAllowedSigners(".casefile/allowed_signers", []byte(data))
	if len(signers) != 2 || signers[1].Line != 3 {
		t.Fatalf("signers = %+v", signers)
	}
	msg := err.Error()
	if !strings.Contains(msg, ".casefile/allowed_signers:2: ") || !strings.Contains(msg, ".casefile/allowed_signers:4: ") {
		t.Errorf("err = %v", err)
	}
}

func TestTrustAllows(t *testing.T) {
	t.Parallel()
	pub, key := genPub(t)
	other, _ := genPub(t)
	data := strings.Join([]string{
		`alice@example.com namespaces="git" ` + key,
		`*@ops.example.com,!mallory@ops.example.com valid-after="20260301",valid-before="20260401Z" ` + key,
		`files@example.com namespaces="file" ` + key,
		`ca@example.com cert-authority ` + key,
		`!nobody@example.com ` + key,
	}, "\n")
	signers, err := custody.ParseAllowedSigners("allowed_signers", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := &custody.Trust{Signers: signers}
	k := custody.VerifySignature(nil, nil) // unsigned: no key
	if k.Signed {
		t.Fatal("empty signature is signed")
	}
	mk := func(p ssh.PublicKey) custody.Key {
		return custody.Key{Format: custody.FormatSSH, Fingerprint: ssh.FingerprintSHA256(p)}
	}
	march := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	may := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		key       custody.Key
		principal string
		at        time.Time
		ok        bool
		reason    string
	}{
		{mk(pub), "alice@example.com", march, true, ""},
		{mk(pub), "Alice@Example.COM", march, true, ""},
		{mk(pub), "bob@ops.example.com", march, true, ""},
		{mk(pub), "bob@ops.example.com", may, false, "valid only before 2026-04-01T00:00:00Z"},
		{mk(pub), "bob@ops.example.com", feb, false, "valid only after 2026-03-01T00:00:00Z"},
		{mk(pub), "mallory@ops.example.com", march, false, "not mallory@ops.example.com"},
		{mk(pub), "files@example.com", march, false, `namespaces="file" excludes git`},
		{mk(pub), "ca@example.com", march, false, "cert-authority lines are not supported"},
		{mk(pub), "nobody@example.com", march, false, "not nobody@example.com"},
		{mk(pub), "", march, true, ""},
		{mk(other), "alice@example.com", march, false, "not listed in .casefile/allowed_signers"},
		{custody.Key{Format: custody.FormatOpenPGP, Fingerprint: "ABCD"}, "alice@example.com", march, false, "not in .casefile/keys"},
	}
	for _, tc := range cases {
		ok, reason := tr.Allows(tc.key, tc.principal, tc.at)
		if ok != tc.ok || !strings.Contains(reason, tc.reason) {
			t.Errorf("Allows(%s, %q, %s) = %v, %q; want %v, …%s…", tc.key.Fingerprint[:12], tc.principal, tc.at.Format("2006-01-02"), ok, reason, tc.ok, tc.reason)
		}
	}
	if got := tr.Principals(mk(pub), march); !reflect.DeepEqual(got, []string{"alice@example.com", "*@ops.example.com"}) {
		t.Errorf("principals in March = %v", got)
	}
	if got := tr.Principals(mk(pub), may); !reflect.DeepEqual(got, []string{"alice@example.com"}) {
		t.Errorf("principals in May = %v", got)
	}
}

// TestTrustAtCommit reads trust from a commit's tree, not the work tree,
// and honours valid-after against the committer time in Verify.
func TestTrustAtCommit(t *testing.T) {
	t.Parallel()
	l := newTestLog(t)
	alice := newSSHKey(t, "Alice Analyst", "alice@example.com")
	carol := newPGPKey(t, "Carol Lead", "carol@example.com")
	first := l.commit(nil, alice, "init", map[string]string{
		custody.AllowedSignersFile:     alice.allowedLine(""),
		custody.KeysDir + "/carol.asc": carol.pub,
		custody.KeysDir + "/notes.txt": "not a key\n",
	})
	// Alice may sign only from 2027 on in the next version of the file;
	// her next commits are in March 2026.
	second := l.commit(nil, alice, "trust: limit alice", map[string]string{
		custody.AllowedSignersFile:      alice.allowedLine(`valid-after="20270101"`) + "garbage\n",
		custody.KeysDir + "/broken.asc": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
	})
	l.write(custody.AllowedSignersFile, "work tree edits are ignored\n")

	r, err := custody.OpenRepository(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tr, err := custody.TrustAt(r, first)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Commit != first || len(tr.Signers) != 1 || len(tr.OpenPGP) != 1 || len(tr.Problems) != 0 {
		t.Fatalf("trust at first = %+v", tr)
	}
	pk := tr.OpenPGP[0]
	if pk.File != ".casefile/keys/carol.asc" || !reflect.DeepEqual(pk.Principals, []string{"carol@example.com"}) || pk.Fingerprint != carol.signer.Fingerprint() {
		t.Errorf("openpgp key = %+v", pk)
	}
	tr, err = custody.TrustAt(r, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Commit != second || len(tr.Problems) != 2 || !strings.HasPrefix(tr.Problems[0], ".casefile/allowed_signers:2: ") {
		t.Fatalf("trust at HEAD = %+v", tr)
	}

	third := l.commit(nil, alice, "INC-2026-0001: report", map[string]string{record("0001"): recordYAML("INC-2026-0001", "reported", nil)})
	rep := l.verify(custody.VerifyOptions{})
	vs := findViolations(rep, custody.RuleUntrustedSigner, third)
	if len(vs) != 1 || !strings.Contains(vs[0].Reason, "valid only after 2027-01-01") {
		t.Fatalf("valid-after not honoured:\n%s", dump(rep))
	}
	if len(findViolations(rep, custody.RuleTrustInvalid, second)) != 2 {
		t.Errorf("trust problems not reported at the commit that made them:\n%s", dump(rep))
	}
}
