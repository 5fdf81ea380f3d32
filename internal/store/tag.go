package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/casefile/casefile/internal/custody"
)

// ErrTagExists reports that a tag of that name is already there; tags are
// never moved.
var ErrTagExists = errors.New("tag already exists")

// Tag is an annotated tag to create.
type Tag struct {
	// Name is the tag's short name ("casefile-seal-2026-q1"); the ref is
	// refs/tags/<Name>.
	Name string
	// Target is the commit to tag; "" means HEAD.
	Target string
	// Message is the tag message; a missing final newline is added.
	Message string
	// Tagger is who makes the tag.
	Tagger Person
	// Signer signs the tag as `git tag -s` does (the signature appended to
	// the message); nil makes an unsigned annotated tag.
	Signer custody.Signer
}

// CreateTag writes an annotated tag object and creates its ref, refusing
// to move an existing tag. It returns the tag object's hash.
func (r *Repo) CreateTag(t Tag) (string, error) {
	name := strings.TrimPrefix(t.Name, "refs/tags/")
	if err := checkTagName(name); err != nil {
		return "", err
	}
	ref := "refs/tags/" + name
	if _, found, err := r.resolveRef(ref); err != nil {
		return "", err
	} else if found {
		return "", fmt.Errorf("%w: %s", ErrTagExists, name)
	}
	target, err := r.resolveCommit(t.Target)
	if err != nil {
		return "", err
	}
	if err := checkPerson("tagger", t.Tagger); err != nil {
		return "", err
	}
	msg := t.Message
	if strings.TrimSpace(msg) == "" {
		return "", errors.New("empty tag message")
	}
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	tag := &object.Tag{
		Name:       name,
		Tagger:     object.Signature{Name: t.Tagger.Name, Email: t.Tagger.Email, When: t.Tagger.When},
		Message:    msg,
		TargetType: plumbing.CommitObject,
		Target:     target,
	}
	if t.Signer != nil {
		payload := &plumbing.MemoryObject{}
		if err := tag.EncodeWithoutSignature(payload); err != nil {
			return "", fmt.Errorf("encoding tag: %w", err)
		}
		rd, err := payload.Reader()
		if err != nil {
			return "", fmt.Errorf("encoding tag: %w", err)
		}
		sig, err := t.Signer.Sign(rd)
		rd.Close()
		if err != nil {
			return "", fmt.Errorf("signing tag: %w", err)
		}
		if len(sig) == 0 {
			return "", errors.New("signing tag: signer returned an empty signature")
		}
		tag.PGPSignature = string(sig)
	}
	enc := &plumbing.MemoryObject{}
	if err := tag.Encode(enc); err != nil {
		return "", fmt.Errorf("encoding tag: %w", err)
	}
	content, err := readAllObject(enc)
	if err != nil {
		return "", fmt.Errorf("encoding tag: %w", err)
	}
	h, err := r.writeObject(plumbing.TagObject, content)
	if err != nil {
		return "", err
	}
	if err := r.updateRef(ref, plumbing.ZeroHash, h, "", t.Tagger); err != nil {
		if errors.Is(err, ErrBranchMoved) {
			return "", fmt.Errorf("%w: %s", ErrTagExists, name)
		}
		return "", err
	}
	return h.String(), nil
}

// resolveCommit resolves "" or HEAD to the current commit, or a full hash
// to itself after checking it is a commit.
func (r *Repo) resolveCommit(rev string) (plumbing.Hash, error) {
	if rev == "" || rev == "HEAD" {
		st, err := r.readHead()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if st.hash.IsZero() {
			return plumbing.ZeroHash, errors.New("HEAD has no commits yet")
		}
		return st.hash, nil
	}
	h := plumbing.NewHash(rev)
	if h.IsZero() || h.String() != strings.ToLower(rev) {
		return plumbing.ZeroHash, fmt.Errorf("%q is not a full commit hash", rev)
	}
	if _, err := r.commitTree(h); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}

// checkTagName accepts what git's check-ref-format does for a one-level
// tag name, restricted to letters, digits, '.', '-', '_' and '/'.
func checkTagName(name string) error {
	bad := name == "" || len(name) > 200 || strings.Contains(name, "..") || strings.HasPrefix(name, "-") ||
		strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, "/") ||
		strings.HasPrefix(name, "/") || strings.Contains(name, "//") || strings.Contains(name, "/.") || strings.HasPrefix(name, ".")
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("%w: tag name %q (use letters, digits, '.', '-', '_')", ErrInvalidPath, name)
	}
	return nil
}
