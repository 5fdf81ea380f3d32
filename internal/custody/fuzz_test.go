package custody_test

import (
	"testing"
	"time"

	"github.com/casefile/casefile/internal/custody"
)

// FuzzParseAllowedSigners feeds arbitrary allowed_signers files to the
// parser: it must never panic, every line it accepts must name a key, and
// a trust decision on it must not panic either.
func FuzzParseAllowedSigners(f *testing.F) {
	f.Add([]byte("alice@example.com namespaces=\"git\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKMXZSzFwRzOJbOLrw9QPswixb8Y/a4yn7ATDCA/4r2V\n"))
	f.Add([]byte("*@example.com,!bob@example.com valid-after=\"20260101\",valid-before=\"20270101Z\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKMXZSzFwRzOJbOLrw9QPswixb8Y/a4yn7ATDCA/4r2V comment\n# c\n\n"))
	f.Add([]byte("x cert-authority,namespaces=\"a\\\"b\" ecdsa-sha2-nistp256 AAAA\n"))
	f.Add([]byte("\"quoted principal\" ssh-rsa AAAA\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		signers, _ := custody.ParseAllowedSigners("fuzz", data)
		for _, s := range signers {
			if s.Key.Fingerprint == "" || len(s.Principals) == 0 {
				t.Fatalf("accepted a line without key or principals: %+v", s)
			}
			tr := &custody.Trust{Signers: signers}
			tr.Allows(s.Key, "alice@example.com", time.Unix(1767225600, 0))
			tr.Principals(s.Key, time.Unix(1767225600, 0))
		}
	})
}

// FuzzCommitSignature checks signatures of arbitrary commit objects: the
// parser and verifier must never panic, and since nothing is trusted no
// result may come out trusted.
func FuzzCommitSignature(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1767225600 +0000\ncommitter A <a@x> 1767225600 +0000\n\nmsg\n"))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1767225600 +0000\ncommitter A <a@x> 1767225600 +0000\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lHAAAAAQ==\n -----END SSH SIGNATURE-----\n\nmsg\n"))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\n"))
	f.Add([]byte("gpgsig x\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sig, payload, err := custody.CommitSignature(raw)
		if err != nil {
			return
		}
		st := custody.VerifySignature(sig, payload, &custody.Trust{})
		if st.Trusted || st.OK() {
			t.Fatalf("an arbitrary commit verified as trusted: %+v", st)
		}
		if tsig, tpayload, err := custody.TagSignature(raw); err == nil {
			custody.VerifySignature(tsig, tpayload)
		}
	})
}
