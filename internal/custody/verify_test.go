package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/custody"
)

func TestVerifySignatureOpenPGP(t *testing.T) {
	t.Parallel()
	l := newTestLog(t)
	carol := newPGPKey(t, "Carol Lead", "carol@example.com")
	dave := newPGPKey(t, "Dave", "dave@example.com")
	l.commit(nil, carol, "init", map[string]string{custody.KeysDir + "/carol.asc": carol.pub})
	r, err := custody.OpenRepository(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	trust, err := custody.TrustAt(r, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nmsg\n")
	sig, err := carol.signer.Sign(strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}

	st := custody.VerifySignature(sig, payload, trust)
	if !st.Signed || !st.Valid || st.Format != custody.FormatOpenPGP || st.Key.Fingerprint != carol.signer.Fingerprint() ||
		len(st.Key.UIDs) != 1 || st.Key.UIDs[0] != "Carol Lead <carol@example.com>" {
		t.Fatalf("valid signature: %+v %+v", st, st.Key)
	}
	if ok, why := trust.Allows(*st.Key, "CAROL@example.com", time.Now()); !ok {
		t.Errorf("carol not allowed: %s", why)
	}
	if ok, _ := trust.Allows(*st.Key, "alice@example.com", time.Now()); ok {
		t.Error("carol's key allowed for alice")
	}

	st = custody.VerifySignature(sig, append(payload, 'x'), trust)
	if st.Valid || st.Rule != custody.RuleBadSignature || st.Key == nil {
		t.Errorf("tampered payload: %+v", st)
	}

	other, _ := dave.signer.Sign(strings.NewReader(string(payload)))
	st = custody.VerifySignature(other, payload, trust)
	if st.Valid || st.Rule != custody.RuleUntrustedSigner || st.Key == nil || st.Key.Fingerprint != dave.signer.Fingerprint() {
		t.Errorf("unknown key: %+v %+v", st, st.Key)
	}

	st = custody.VerifySignature([]byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"), payload, trust)
	if st.Valid || st.Rule != custody.RuleBadSignature {
		t.Errorf("garbage: %+v", st)
	}
}
