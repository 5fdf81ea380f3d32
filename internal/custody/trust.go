package custody

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"
)

// Paths of the trust files inside a records repository.
const (
	// TrustDir is the directory of casefile's trust files.
	TrustDir = ".casefile"
	// AllowedSignersFile lists trusted SSH keys in git's allowed-signers
	// format (ssh-keygen(1), ALLOWED SIGNERS).
	AllowedSignersFile = ".casefile/allowed_signers"
	// KeysDir holds trusted OpenPGP public keys, one armored *.asc file
	// per key or keyring.
	KeysDir = ".casefile/keys"
)

// AllowedSigner is one line of an allowed_signers file.
type AllowedSigner struct {
	// File and Line locate the line, for messages.
	File string `json:"file"`
	Line int    `json:"line"`
	// Principals are the comma-separated principal patterns as written:
	// "*" and "?" wildcards, a leading "!" negates.
	Principals []string `json:"principals"`
	// Namespaces is the namespaces="…" pattern list; nil allows every
	// namespace.
	Namespaces []string `json:"namespaces,omitempty"`
	// ValidAfter and ValidBefore bound the signature time (git passes the
	// committer time); zero means unbounded.
	ValidAfter  time.Time `json:"valid_after,omitzero"`
	ValidBefore time.Time `json:"valid_before,omitzero"`
	// CertAuthority marks a cert-authority line. casefile does not accept
	// SSH certificates, so such lines never grant trust.
	CertAuthority bool `json:"cert_authority,omitempty"`
	// Key is the public key of the line.
	Key Key `json:"key"`
	// Comment is the text after the key, if any.
	Comment string `json:"comment,omitempty"`
}

// ParseAllowedSigners parses an allowed_signers file. name is used in
// messages only. Valid lines are returned even when others are broken; the
// error then joins one "name:line: problem" error per broken line. Ignoring
// a broken line can only take trust away, never grant it.
//
// Times in valid-after/valid-before without a trailing "Z" are read as UTC
// (ssh-keygen uses the local zone), so that a shared repository verifies
// the same on every machine.
func ParseAllowedSigners(name string, data []byte) ([]AllowedSigner, error) {
	var out []AllowedSigner
	var errs []error
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		s, err := parseAllowedSignersLine(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, i+1, err))
			continue
		}
		if s == nil {
			continue
		}
		s.File, s.Line = name, i+1
		out = append(out, *s)
	}
	return out, errors.Join(errs...)
}

func parseAllowedSignersLine(line string) (*AllowedSigner, error) {
	rest := strings.TrimLeft(line, " \t")
	if rest == "" || rest[0] == '#' {
		return nil, nil
	}
	principals, rest, err := takeToken(rest)
	if err != nil {
		return nil, fmt.Errorf("principals: %w", err)
	}
	if principals == "" {
		return nil, errors.New("missing principals")
	}
	s := &AllowedSigner{Principals: strings.Split(principals, ",")}
	for _, p := range s.Principals {
		if p == "" || p == "!" {
			return nil, fmt.Errorf("empty principal in %q", principals)
		}
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" {
		return nil, errors.New("missing key")
	}
	key, comment, kerr := parseKeyField(rest)
	if kerr != nil && looksLikeKeyType(rest) {
		return nil, kerr
	}
	if kerr != nil {
		// Not a key, so it must be options followed by the key.
		opts, after, err := takeOptions(rest)
		if err != nil {
			return nil, err
		}
		if err := s.applyOptions(opts); err != nil {
			return nil, err
		}
		after = strings.TrimLeft(after, " \t")
		if after == "" {
			return nil, errors.New("missing key after options")
		}
		key, comment, kerr = parseKeyField(after)
		if kerr != nil {
			return nil, kerr
		}
	}
	if _, isCert := key.(*ssh.Certificate); isCert {
		return nil, errors.New("a certificate is not a valid allowed-signers key")
	}
	s.Key = *sshKey(key)
	s.Comment = comment
	return s, nil
}

// looksLikeKeyType reports whether s starts with an SSH key type name
// rather than options, so a broken key is reported as such.
func looksLikeKeyType(s string) bool {
	for _, p := range []string{"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-", "rsa-sha2-"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// takeToken splits off a whitespace-delimited token that may be double
// quoted, as OpenSSH's strdelimw does.
func takeToken(s string) (tok, rest string, err error) {
	if strings.HasPrefix(s, `"`) {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return "", "", errors.New("unterminated quote")
		}
		return s[1 : end+1], s[end+2:], nil
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:], nil
	}
	return s, "", nil
}

// takeOptions splits off the options field: everything up to the first
// whitespace outside double quotes.
func takeOptions(s string) (opts, rest string, err error) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote && i+1 < len(s):
			i++
		case c == '"':
			inQuote = !inQuote
		case (c == ' ' || c == '\t') && !inQuote:
			return s[:i], s[i:], nil
		}
	}
	if inQuote {
		return "", "", errors.New("unterminated quote in options")
	}
	return s, "", nil
}

// applyOptions parses a comma-separated option list (names are
// case-insensitive, values double quoted).
func (s *AllowedSigner) applyOptions(opts string) error {
	seen := map[string]bool{}
	for opts != "" {
		var name, value string
		hasValue := false
		i := strings.IndexAny(opts, "=,")
		if i < 0 {
			name, opts = opts, ""
		} else {
			name = opts[:i]
			if opts[i] == '=' {
				v, after, err := dequote(opts[i+1:])
				if err != nil {
					return fmt.Errorf("option %s: %w", name, err)
				}
				value, hasValue, opts = v, true, after
			} else {
				opts = opts[i:]
			}
			if opts != "" {
				if opts[0] != ',' {
					return fmt.Errorf("unexpected %q after option %s", opts, name)
				}
				opts = opts[1:]
				if opts == "" {
					return errors.New("unexpected end of options after ','")
				}
			}
		}
		lname := strings.ToLower(name)
		if seen[lname] {
			return fmt.Errorf("option %s given twice", name)
		}
		seen[lname] = true
		switch lname {
		case "cert-authority":
			if hasValue {
				return errors.New("cert-authority takes no value")
			}
			s.CertAuthority = true
		case "namespaces":
			if !hasValue {
				return errors.New(`namespaces needs a value: namespaces="git"`)
			}
			s.Namespaces = strings.Split(value, ",")
		case "valid-after", "valid-before":
			if !hasValue {
				return fmt.Errorf(`%s needs a value: %s="YYYYMMDD[HHMM[SS]][Z]"`, lname, lname)
			}
			t, err := parseSSHTime(value)
			if err != nil {
				return fmt.Errorf("%s: %w", lname, err)
			}
			if lname == "valid-after" {
				s.ValidAfter = t
			} else {
				s.ValidBefore = t
			}
		default:
			return fmt.Errorf("unknown option %q", name)
		}
	}
	if !s.ValidAfter.IsZero() && !s.ValidBefore.IsZero() && !s.ValidBefore.After(s.ValidAfter) {
		return errors.New("valid-before is not after valid-after")
	}
	return nil
}

// dequote reads a double-quoted option value with \" escapes and returns
// the rest of the options after it.
func dequote(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", errors.New("value must be double quoted")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			b.WriteByte('\\')
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errors.New("unterminated quote")
}

// parseSSHTime parses OpenSSH's absolute time: YYYYMMDD, YYYYMMDDHHMM or
// YYYYMMDDHHMMSS, optionally followed by Z. Both forms are taken as UTC.
func parseSSHTime(v string) (time.Time, error) {
	s := strings.TrimSuffix(strings.TrimSuffix(v, "Z"), "z")
	var layout string
	switch len(s) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("time %q is not YYYYMMDD[HHMM[SS]][Z]", v)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("time %q is not YYYYMMDD[HHMM[SS]][Z]", v)
		}
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", v, err)
	}
	return t, nil
}

// parseKeyField parses "keytype base64 [comment]".
func parseKeyField(s string) (ssh.PublicKey, string, error) {
	typ, rest, _ := strings.Cut(s, " ")
	if t, r, ok := strings.Cut(s, "\t"); ok && len(t) < len(typ) {
		typ, rest = t, r
	}
	rest = strings.TrimLeft(rest, " \t")
	b64, comment, _ := strings.Cut(rest, " ")
	if t, c, ok := strings.Cut(rest, "\t"); ok && len(t) < len(b64) {
		b64, comment = t, c
	}
	if typ == "" || b64 == "" {
		return nil, "", fmt.Errorf("%q is not a key (want keytype base64)", shorten(s))
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, "", fmt.Errorf("key %s: bad base64", shorten(typ))
	}
	pub, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, "", fmt.Errorf("key %s: %w", shorten(typ), err)
	}
	if pub.Type() != typ {
		return nil, "", fmt.Errorf("key type %s does not match the key data (%s)", shorten(typ), pub.Type())
	}
	return pub, strings.TrimSpace(comment), nil
}

// OpenPGPKey is one trusted OpenPGP key from .casefile/keys.
type OpenPGPKey struct {
	// File is the key file it was read from.
	File string `json:"file"`
	// Fingerprint is the upper-case hex primary-key fingerprint.
	Fingerprint string `json:"fingerprint"`
	// UIDs are the key's user IDs.
	UIDs []string `json:"uids"`
	// Principals are the e-mail addresses of the UIDs, lower-cased.
	Principals []string `json:"principals"`

	entity *openpgp.Entity
}

// Trust is the set of keys trusted by a commit's trust files. Look-ups
// are for the "git" signature namespace.
type Trust struct {
	// Commit is the commit whose tree the files were read from; empty for
	// a Trust shared by several commits inside Verify.
	Commit string `json:"commit,omitempty"`
	// Signers are the valid lines of .casefile/allowed_signers.
	Signers []AllowedSigner `json:"signers"`
	// OpenPGP are the keys of .casefile/keys/*.asc.
	OpenPGP []OpenPGPKey `json:"openpgp"`
	// Problems are the parse errors of the trust files ("file:line: …").
	// Broken lines and files grant no trust.
	Problems []string `json:"problems,omitempty"`

	keyring openpgp.EntityList
}

// Principals returns the principals k may sign for at time at: the
// positive principal patterns of the allowed_signers lines that match k
// for namespace git at that time, or the e-mail addresses of a trusted
// OpenPGP key.
func (t *Trust) Principals(k Key, at time.Time) []string {
	var out []string
	switch k.Format {
	case FormatSSH:
		for i := range t.Signers {
			s := &t.Signers[i]
			if s.Key.Fingerprint != k.Fingerprint || s.usable(at) != "" {
				continue
			}
			for _, p := range s.Principals {
				if !strings.HasPrefix(p, "!") {
					out = mergeStrings(out, []string{p})
				}
			}
		}
	case FormatOpenPGP:
		for _, pk := range t.OpenPGP {
			if pk.Fingerprint == k.Fingerprint {
				out = mergeStrings(out, pk.Principals)
			}
		}
	}
	return out
}

// Allows reports whether key k may sign for principal at time at in
// namespace git; principal "" asks whether k may sign for any principal.
// When it may not, the reason says what came closest. Principals are
// compared case-insensitively, since e-mail addresses are.
func (t *Trust) Allows(k Key, principal string, at time.Time) (bool, string) {
	principal = strings.ToLower(principal)
	switch k.Format {
	case FormatSSH:
		if _, isCert := k.ssh.(*ssh.Certificate); isCert {
			return false, "signed with an ssh certificate; certificates are not supported"
		}
		var near []string
		for i := range t.Signers {
			s := &t.Signers[i]
			if s.Key.Fingerprint != k.Fingerprint {
				continue
			}
			where := fmt.Sprintf("%s:%d", s.File, s.Line)
			if why := s.usable(at); why != "" {
				near = append(near, where+": "+why)
				continue
			}
			if principal == "" {
				for _, p := range s.Principals {
					if !strings.HasPrefix(p, "!") {
						return true, ""
					}
				}
				near = append(near, where+": lists only negated principals")
				continue
			}
			if matchPatternList(principal, s.Principals) {
				return true, ""
			}
			near = append(near, fmt.Sprintf("%s: trusted for %s, not %s", where, strings.Join(s.Principals, ","), principal))
		}
		if len(near) == 0 {
			return false, fmt.Sprintf("not listed in %s", AllowedSignersFile)
		}
		return false, strings.Join(near, "; ")
	case FormatOpenPGP:
		for _, pk := range t.OpenPGP {
			if pk.Fingerprint != k.Fingerprint {
				continue
			}
			if principal == "" && len(pk.Principals) > 0 {
				return true, ""
			}
			for _, p := range pk.Principals {
				if p == principal {
					return true, ""
				}
			}
			return false, fmt.Sprintf("%s: user IDs %s do not include %s", pk.File, strings.Join(pk.UIDs, ", "), principal)
		}
		return false, fmt.Sprintf("not in %s", KeysDir)
	}
	return false, fmt.Sprintf("format %s cannot be trusted", k.Format)
}

// usable says why the line cannot vouch for a git signature made at at,
// or "" when it can (principals aside).
func (s *AllowedSigner) usable(at time.Time) string {
	switch {
	case s.CertAuthority:
		return "cert-authority lines are not supported"
	case s.Namespaces != nil && !matchPatternList("git", s.Namespaces):
		return fmt.Sprintf("namespaces=%q excludes git", strings.Join(s.Namespaces, ","))
	case !s.ValidAfter.IsZero() && at.Before(s.ValidAfter):
		return fmt.Sprintf("valid only after %s, signed %s", s.ValidAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	case !s.ValidBefore.IsZero() && at.After(s.ValidBefore):
		return fmt.Sprintf("valid only before %s, signed %s", s.ValidBefore.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	return ""
}

// matchPatternList implements OpenSSH's match_pattern_list for a
// comma-separated list already split: true when a positive pattern matches
// and no negated one does. Matching ignores case.
func matchPatternList(s string, patterns []string) bool {
	s = strings.ToLower(s)
	got := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if matchPattern(s, strings.ToLower(p)) {
			if neg {
				return false
			}
			got = true
		}
	}
	return got
}

// matchPattern matches s against a pattern with "*" (any run) and "?"
// (one byte), iteratively so hostile patterns cannot blow up.
func matchPattern(s, p string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// parseOpenPGPKeys reads one armored key file.
func parseOpenPGPKeys(name string, data []byte) ([]OpenPGPKey, openpgp.EntityList, error) {
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []OpenPGPKey
	for _, e := range el {
		k := OpenPGPKey{File: name, Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), entity: e}
		for uid, id := range e.Identities {
			k.UIDs = append(k.UIDs, uid)
			if id.UserId != nil && id.UserId.Email != "" {
				k.Principals = mergeStrings(k.Principals, []string{strings.ToLower(id.UserId.Email)})
			}
		}
		sort.Strings(k.UIDs)
		sort.Strings(k.Principals)
		out = append(out, k)
	}
	return out, el, nil
}

func sortStrings(s []string) { sort.Strings(s) }

// trustKey identifies the trust files of a tree: trust is parsed once per
// distinct pair, not once per commit.
type trustKey struct {
	signers plumbing.Hash // blob of .casefile/allowed_signers
	keys    plumbing.Hash // tree of .casefile/keys
}

// trustLoader parses trust files once per distinct blob.
type trustLoader struct {
	r       *Repository
	byKey   map[trustKey]*Trust
	signers map[plumbing.Hash]signersBlob
	keys    map[plumbing.Hash]keysBlob // by .casefile/keys tree
	files   map[plumbing.Hash]keysBlob // by *.asc blob
	// parsed counts distinct trust blobs parsed, for tests and benchmarks.
	parsed int
}

type signersBlob struct {
	signers  []AllowedSigner
	problems []string
}

type keysBlob struct {
	keys     []OpenPGPKey
	keyring  openpgp.EntityList
	problems []string
}

func newTrustLoader(r *Repository) *trustLoader {
	return &trustLoader{
		r: r, byKey: map[trustKey]*Trust{}, signers: map[plumbing.Hash]signersBlob{},
		keys: map[plumbing.Hash]keysBlob{}, files: map[plumbing.Hash]keysBlob{},
	}
}

// keyOf finds the trust files in a root tree.
func (l *trustLoader) keyOf(root plumbing.Hash) (trustKey, []string, error) {
	var k trustKey
	var problems []string
	t, err := l.r.tree(root)
	if err != nil {
		return k, nil, err
	}
	dir, ok := findEntry(t, TrustDir)
	if !ok || !dir.isDir() {
		return k, nil, nil
	}
	dt, err := l.r.tree(dir.hash)
	if err != nil {
		return k, nil, err
	}
	if e, ok := findEntry(dt, path.Base(AllowedSignersFile)); ok {
		if e.isFile() {
			k.signers = e.hash
		} else {
			problems = append(problems, AllowedSignersFile+": not a regular file, ignored")
		}
	}
	if e, ok := findEntry(dt, path.Base(KeysDir)); ok && e.isDir() {
		k.keys = e.hash
	}
	return k, problems, nil
}

// at returns the trust of a root tree.
func (l *trustLoader) at(root plumbing.Hash) (*Trust, error) {
	k, problems, err := l.keyOf(root)
	if err != nil {
		return nil, err
	}
	if t, ok := l.byKey[k]; ok && len(problems) == 0 {
		return t, nil
	}
	t := &Trust{Problems: problems}
	if !k.signers.IsZero() {
		sb, ok := l.signers[k.signers]
		if !ok {
			l.parsed++
			data, err := l.r.readBlob(k.signers, maxTrustFile)
			if err != nil {
				sb.problems = []string{fmt.Sprintf("%s: %v", AllowedSignersFile, err)}
			} else {
				var perr error
				sb.signers, perr = ParseAllowedSigners(AllowedSignersFile, data)
				sb.problems = splitErrors(perr)
			}
			l.signers[k.signers] = sb
		}
		t.Signers = sb.signers
		t.Problems = append(t.Problems, sb.problems...)
	}
	if !k.keys.IsZero() {
		kb, ok := l.keys[k.keys]
		if !ok {
			kb, err = l.loadKeys(k.keys)
			if err != nil {
				return nil, err
			}
			l.keys[k.keys] = kb
		}
		t.OpenPGP = kb.keys
		t.keyring = kb.keyring
		t.Problems = append(t.Problems, kb.problems...)
	}
	if len(problems) == 0 {
		l.byKey[k] = t
	}
	return t, nil
}

// loadKeys reads the *.asc files of a keys directory; each blob is parsed
// once and shared by all versions of the directory.
func (l *trustLoader) loadKeys(tree plumbing.Hash) (keysBlob, error) {
	var kb keysBlob
	entries, err := l.r.tree(tree)
	if err != nil {
		return kb, err
	}
	for _, e := range entries {
		if !strings.HasSuffix(strings.ToLower(e.name), ".asc") {
			continue
		}
		name := KeysDir + "/" + e.name
		if !e.isFile() {
			kb.problems = append(kb.problems, name+": not a regular file, ignored")
			continue
		}
		cached, ok := l.files[e.hash]
		if !ok {
			l.parsed++
			data, err := l.r.readBlob(e.hash, maxTrustFile)
			if err == nil {
				cached.keys, cached.keyring, err = parseOpenPGPKeys(name, data)
			}
			if err != nil {
				cached.problems = []string{fmt.Sprintf("%s: %v", name, err)}
			}
			l.files[e.hash] = cached
		}
		for _, k := range cached.keys {
			k.File = name
			kb.keys = append(kb.keys, k)
		}
		kb.keyring = append(kb.keyring, cached.keyring...)
		kb.problems = append(kb.problems, cached.problems...)
	}
	return kb, nil
}

func splitErrors(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// TrustAt reads the trust files from the tree of the commit rev resolves
// to (a hash, branch, tag or "HEAD"), never from the work tree.
func TrustAt(repo *Repository, rev string) (*Trust, error) {
	h, err := repo.resolve(rev)
	if err != nil {
		return nil, fmt.Errorf("reading trust: %w", err)
	}
	c, err := repo.readCommit(h)
	if err != nil {
		return nil, fmt.Errorf("reading trust at %s: %w", rev, err)
	}
	t, err := newTrustLoader(repo).at(c.tree)
	if err != nil {
		return nil, fmt.Errorf("reading trust at %s: %w", rev, err)
	}
	cp := *t
	cp.Commit = h.String()
	return &cp, nil
}

// shorten cuts s for messages about hostile or garbled input.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ParseOpenPGPKeys reads an armored OpenPGP public key file as
// .casefile/keys/*.asc holds them; name is used in messages only.
func ParseOpenPGPKeys(name string, data []byte) ([]OpenPGPKey, error) {
	keys, _, err := parseOpenPGPKeys(name, data)
	return keys, err
}
