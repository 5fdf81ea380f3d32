package custody

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
)

// Limits on what the verifier reads into memory. Records and trust files are
// small; anything bigger is refused rather than loaded.
const (
	// maxTrustFile caps .casefile/allowed_signers and each key file.
	maxTrustFile = 4 << 20
	// maxRecordBlob matches record.MaxFileSize.
	maxRecordBlob = 8 << 20
	// largeObject is the largest object read whole into memory; evidence
	// files are hashed as streams instead.
	largeObject = 16 << 20
	// treeCacheBytes bounds the parsed-tree cache of one walk.
	treeCacheBytes = 32 << 20
)

// Repository is read-only access to the objects and refs of a records
// repository, opened for verification and history. It is separate from
// store.Repo because store imports custody (for signing), so custody cannot
// import store; both open the same directories. A Repository is not safe
// for concurrent use; Close releases its file descriptors.
type Repository struct {
	root      string
	gitDir    string
	commonDir string
	st        storage.Storer
	repo      *git.Repository
	trees     *byteLRU
	// fast reads objects without go-git; nil when the object directory
	// has something it does not handle.
	fast *objectDB
	// checkHashes makes every object read prove that its content matches
	// its name, so an object altered in place (which git itself notices
	// only in fsck) is caught. Verify turns it on.
	checkHashes bool
	// forked marks a reader made by fork, whose packs belong to another.
	forked bool
	// work reads the work tree for workFileBlob, opened on first use.
	work *workTree
}

// errCorruptObject reports an object whose content does not hash to its
// name.
var errCorruptObject = errors.New("object content does not match its hash (corrupt or altered in place)")

// OpenRepository opens the repository whose work tree root is root (as
// returned by store.Repo.Root). Linked worktrees (a .git file) are
// supported.
func OpenRepository(root string) (*Repository, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	gitDir, commonDir, err := resolveGitDirs(abs)
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", abs, err)
	}
	// go-git serves refs, revisions and the shallow list, and reads the
	// objects the fast reader does not handle.
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", abs, err)
	}
	st := repo.Storer
	r := &Repository{root: abs, gitDir: gitDir, commonDir: commonDir, st: st, repo: repo, trees: newByteLRU(treeCacheBytes)}
	if db, err := openObjectDB(filepath.Join(commonDir, "objects")); err == nil {
		r.fast = db
	}
	return r, nil
}

// resolveGitDirs finds the git directory of the work tree root and the
// common directory that holds objects and refs (they differ only for linked
// worktrees).
func resolveGitDirs(root string) (gitDir, commonDir string, err error) {
	dotgitPath := filepath.Join(root, ".git")
	fi, err := os.Stat(dotgitPath)
	if err != nil {
		return "", "", fmt.Errorf("not a git work tree: %w", err)
	}
	gitDir = dotgitPath
	if !fi.IsDir() {
		b, err := os.ReadFile(dotgitPath)
		if err != nil {
			return "", "", err
		}
		g, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
		if !ok {
			return "", "", fmt.Errorf("%s is not a gitdir file", dotgitPath)
		}
		g = strings.TrimSpace(g)
		if !filepath.IsAbs(g) {
			g = filepath.Join(root, g)
		}
		gitDir = filepath.Clean(g)
	}
	commonDir = gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		commonDir = filepath.Clean(c)
	}
	if _, err := os.Stat(filepath.Join(commonDir, "objects")); err != nil {
		return "", "", fmt.Errorf("%s is not a git directory", commonDir)
	}
	return gitDir, commonDir, nil
}

// fork returns a reader of the same repository for another goroutine: it
// shares r's mapped packs (read-only) and has its own go-git handle,
// decompressor and caches. The caller closes it before r.
func (r *Repository) fork() (*Repository, error) {
	repo, err := git.PlainOpenWithOptions(r.root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", r.root, err)
	}
	f := &Repository{
		root: r.root, gitDir: r.gitDir, commonDir: r.commonDir, st: repo.Storer, repo: repo,
		trees: newByteLRU(treeCacheBytes), checkHashes: r.checkHashes, forked: true,
	}
	if r.fast != nil {
		f.fast = r.fast.view()
	}
	return f, nil
}

// CommonDir returns the git directory that holds the objects and refs (the
// main one, for a linked worktree).
func (r *Repository) CommonDir() string { return r.commonDir }

// Root returns the work tree root the repository was opened at.
func (r *Repository) Root() string { return r.root }

// Close releases the pack files kept open (and mapped) while walking.
func (r *Repository) Close() error {
	if r.work != nil {
		r.work.close()
	}
	if r.fast != nil && !r.forked {
		r.fast.close()
	}
	return nil
}

// head returns the commit HEAD resolves to, or a zero hash for an unborn
// branch.
func (r *Repository) head() (plumbing.Hash, error) {
	ref, err := storer.ResolveReference(r.st, plumbing.HEAD)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading HEAD: %w", err)
	}
	return ref.Hash(), nil
}

// resolve turns a revision (hash, branch, tag, HEAD~2 …) into a commit hash,
// peeling annotated tags.
func (r *Repository) resolve(rev string) (plumbing.Hash, error) {
	if rev == "" || rev == "HEAD" {
		h, err := r.head()
		if err == nil && h.IsZero() {
			err = errors.New("HEAD is unborn")
		}
		return h, err
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolving %s: %w", rev, err)
	}
	c, err := r.peelToCommit(*h)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolving %s: %w", rev, err)
	}
	return c, nil
}

// peelToCommit follows tag objects until it reaches a commit.
func (r *Repository) peelToCommit(h plumbing.Hash) (plumbing.Hash, error) {
	for range 16 {
		raw, t, err := r.readRaw(h, plumbing.AnyObject)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		switch t {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			tag, err := parseRawTag(h, raw)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			h = tag.target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s is a %s, not a commit", h, t)
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: tag chain too long", h)
}

// shallow returns the boundary commits of a shallow clone (the contents of
// .git/shallow), empty for a complete repository.
func (r *Repository) shallow() (map[plumbing.Hash]bool, error) {
	hs, err := r.st.Shallow()
	if err != nil {
		return nil, fmt.Errorf("reading shallow file: %w", err)
	}
	m := make(map[plumbing.Hash]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m, nil
}

// readRaw returns the content of an object; want may be AnyObject. A
// missing object is reported with plumbing.ErrObjectNotFound.
func (r *Repository) readRaw(h plumbing.Hash, want plumbing.ObjectType) ([]byte, plumbing.ObjectType, error) {
	return r.readLimited(h, want, largeObject)
}

func (r *Repository) readLimited(h plumbing.Hash, want plumbing.ObjectType, limit int64) ([]byte, plumbing.ObjectType, error) {
	data, t, err := r.readUnchecked(h, want, limit)
	if err == nil && r.checkHashes && plumbing.ComputeHash(t, data) != h {
		return nil, 0, fmt.Errorf("reading object %s: %w", h, errCorruptObject)
	}
	return data, t, err
}

func (r *Repository) readUnchecked(h plumbing.Hash, want plumbing.ObjectType, limit int64) ([]byte, plumbing.ObjectType, error) {
	if r.fast != nil {
		t, data, err := r.fast.read(h, limit)
		if err == nil {
			if want != plumbing.AnyObject && t != want {
				return nil, 0, fmt.Errorf("reading object %s: %w (a %s, not a %s)", h, plumbing.ErrObjectNotFound, t, want)
			}
			return data, t, nil
		}
		// Anything the fast reader cannot do (or a pack written since it
		// was opened) goes through go-git.
	}
	o, err := r.st.EncodedObject(want, h)
	if err != nil {
		return nil, 0, fmt.Errorf("reading object %s: %w", h, err)
	}
	if o.Size() > limit {
		return nil, 0, fmt.Errorf("object %s is %d bytes, more than the %d allowed", h, o.Size(), limit)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("reading object %s: %w", h, err)
	}
	defer rd.Close()
	buf := make([]byte, o.Size())
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, 0, fmt.Errorf("reading object %s: %w", h, err)
	}
	return buf, o.Type(), nil
}

// workFileBlob returns the content of blob h, committed at the slash path
// p, from the work tree's file when that file holds exactly the blob (its
// git hash is h; fromWork), else from the object. The hash is the proof either way;
// the file is only a cheaper place to read it from than inflating the
// object. Only a regular file is read, opened inside the work tree (no
// escape by ".." or a link; workTree), and only up to limit.
func (r *Repository) workFileBlob(p string, h plumbing.Hash, limit int64) (data []byte, fromWork bool, err error) {
	if data, ok := r.readWorkFile(p, limit); ok && plumbing.ComputeHash(plumbing.BlobObject, data) == h {
		return data, true, nil
	}
	data, err = r.readBlob(h, limit)
	return data, false, err
}

func (r *Repository) readWorkFile(p string, limit int64) ([]byte, bool) {
	if checkRepoPath(p) != nil {
		return nil, false
	}
	if r.work == nil {
		r.work = newWorkTree(r.root)
	}
	return r.work.read(p, limit)
}

// maxWorkDirs bounds the work tree folders a reader keeps open.
const maxWorkDirs = 256

// readBlob returns a blob's content, refusing blobs bigger than limit
// before reading them.
func (r *Repository) readBlob(h plumbing.Hash, limit int64) ([]byte, error) {
	data, _, err := r.readLimited(h, plumbing.BlobObject, limit)
	return data, err
}

// rawCommit is a commit as stored, with the signature split off the way
// git does it, so the payload is byte-exact whatever headers the commit
// carries (mergetag, encoding, unknown ones) — re-encoding through go-git
// would drop headers it does not model and break their signatures.
type rawCommit struct {
	hash      plumbing.Hash
	tree      plumbing.Hash
	parents   []plumbing.Hash
	author    object.Signature
	committer object.Signature
	message   string
	signature []byte // gpgsig value, continuation lines unfolded
	payload   []byte // the object without gpgsig headers; nil when unsigned
}

// parseRawCommit parses the canonical commit encoding.
func parseRawCommit(h plumbing.Hash, raw []byte) (*rawCommit, error) {
	c := &rawCommit{hash: h}
	var payload bytes.Buffer
	var sig bytes.Buffer
	rest := raw
	inSig, skipping := false, false
	sawTree := false
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		body := bytes.TrimSuffix(line, []byte("\n"))
		if len(body) == 0 {
			payload.Write(line)
			c.message = string(rest)
			payload.Write(rest)
			rest = nil
			break
		}
		if body[0] == ' ' {
			// Continuation of the previous header.
			if inSig {
				sig.Write(body[1:])
				sig.WriteByte('\n')
			}
			if !skipping {
				payload.Write(line)
			}
			continue
		}
		inSig, skipping = false, false
		key, val, _ := bytes.Cut(body, []byte(" "))
		if err := c.link(string(key), val, &sawTree); err != nil {
			return nil, err
		}
		switch string(key) {
		case "author":
			c.author.Decode(val)
		case "committer":
			c.committer.Decode(val)
		case "gpgsig":
			inSig, skipping = true, true
			sig.Write(val)
			sig.WriteByte('\n')
			continue
		case "gpgsig-sha256":
			// The signature over the SHA-256 form of the object; git
			// leaves it out of the SHA-1 payload too.
			skipping = true
			continue
		}
		payload.Write(line)
	}
	if !sawTree {
		return nil, fmt.Errorf("commit %s: no tree", h)
	}
	if sig.Len() > 0 {
		c.signature = sig.Bytes()
		c.payload = payload.Bytes()
	}
	return c, nil
}

// link takes a tree or parent header line into c (sawTree notes the
// tree); other headers are left to the caller.
func (c *rawCommit) link(key string, val []byte, sawTree *bool) error {
	switch key {
	case "tree":
		th, ok := parseHash(val)
		if !ok {
			return fmt.Errorf("commit %s: bad tree line", c.hash)
		}
		c.tree, *sawTree = th, true
	case "parent":
		ph, ok := parseHash(val)
		if !ok {
			return fmt.Errorf("commit %s: bad parent line", c.hash)
		}
		c.parents = append(c.parents, ph)
	}
	return nil
}

// parseCommitLinks reads only what graph walks need from a commit: tree,
// parents and committer time. It skips the signature and message, which
// is most of a signed commit.
func parseCommitLinks(h plumbing.Hash, raw []byte) (*rawCommit, error) {
	c := &rawCommit{hash: h}
	sawTree := false
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line = raw[:i]
			raw = raw[i+1:]
		} else {
			raw = nil
		}
		if len(line) == 0 {
			break
		}
		key, val, _ := bytes.Cut(line, []byte(" "))
		if err := c.link(string(key), val, &sawTree); err != nil {
			return nil, err
		}
		switch string(key) {
		case "committer":
			c.committer.Decode(val)
			raw = nil // nothing after the committer line is needed
		}
	}
	if !sawTree {
		return nil, fmt.Errorf("commit %s: no tree", h)
	}
	return c, nil
}

// rawTag is an annotated tag with its signature split off the message.
type rawTag struct {
	hash       plumbing.Hash
	target     plumbing.Hash
	targetType string
	name       string
	tagger     object.Signature
	message    string
	signature  []byte
	payload    []byte
}

// signatureStarts are the armor lines git recognises as the start of a
// signature appended to a tag message (gpg-interface.c).
var signatureStarts = [][]byte{
	[]byte("-----BEGIN PGP SIGNATURE-----"),
	[]byte("-----BEGIN PGP MESSAGE-----"),
	[]byte("-----BEGIN SIGNED MESSAGE-----"),
	[]byte(sshsigBegin),
}

// parseRawTag parses a tag object; like git's parse_signed_buffer it takes
// the last line that starts a signature as the start of the signature.
func parseRawTag(h plumbing.Hash, raw []byte) (*rawTag, error) {
	t := &rawTag{hash: h}
	split := len(raw)
	for off := 0; off < len(raw); {
		line := raw[off:]
		for _, s := range signatureStarts {
			if bytes.HasPrefix(line, s) {
				split = off
				break
			}
		}
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	body := raw[:split]
	if split < len(raw) {
		t.signature = raw[split:]
		t.payload = body
	}
	head, msg, _ := bytes.Cut(body, []byte("\n\n"))
	t.message = string(msg)
	for _, line := range bytes.Split(head, []byte("\n")) {
		key, val, _ := bytes.Cut(line, []byte(" "))
		switch string(key) {
		case "object":
			oh, ok := parseHash(val)
			if !ok {
				return nil, fmt.Errorf("tag %s: bad object line", h)
			}
			t.target = oh
		case "type":
			t.targetType = string(val)
		case "tag":
			t.name = string(val)
		case "tagger":
			t.tagger.Decode(val)
		}
	}
	if t.target.IsZero() {
		return nil, fmt.Errorf("tag %s: no object", h)
	}
	return t, nil
}

func parseHash(b []byte) (plumbing.Hash, bool) {
	if len(b) != 40 {
		return plumbing.ZeroHash, false
	}
	var h plumbing.Hash
	if _, err := hex.Decode(h[:], b); err != nil {
		return plumbing.ZeroHash, false
	}
	return h, true
}

// readCommit reads and parses a commit.
func (r *Repository) readCommit(h plumbing.Hash) (*rawCommit, error) {
	raw, _, err := r.readRaw(h, plumbing.CommitObject)
	if err != nil {
		return nil, err
	}
	return parseRawCommit(h, raw)
}

// maxTreeDepth bounds directory nesting; a hostile tree nested deeper is
// refused rather than recursed into.
const maxTreeDepth = 256

var errTooDeep = errors.New("directories nested too deeply")

// treeEntry is one entry of a tree object. Names are substrings of the
// tree's content, so parsing allocates once per tree, not per entry.
type treeEntry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

func (e treeEntry) isDir() bool { return e.mode == filemode.Dir }

// isFile reports whether the entry is a regular or executable file (not a
// symlink or submodule).
func (e treeEntry) isFile() bool {
	return e.mode == filemode.Regular || e.mode == filemode.Executable || e.mode == filemode.Deprecated
}

// treeCursor steps through a tree's canonical encoding, "<octal mode>
// <name>\0<20 byte hash>" repeated, without allocating.
type treeCursor struct {
	tree plumbing.Hash // the tree's name, for errors
	raw  []byte
	pos  int
	// The entry the cursor is on, after next returned true.
	name       []byte
	start, end int // name's offsets in raw
	mode       filemode.FileMode
	hash       plumbing.Hash
}

// next moves to the following entry; false at the end or on an error.
func (c *treeCursor) next() (bool, error) {
	rest := c.raw[c.pos:]
	if len(rest) == 0 {
		return false, nil
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return false, fmt.Errorf("tree %s: malformed entry", c.tree)
	}
	var m uint64
	for _, d := range rest[:sp] {
		if d < '0' || d > '7' || m > math.MaxUint32>>3 {
			return false, fmt.Errorf("tree %s: bad mode %q", c.tree, rest[:sp])
		}
		m = m<<3 | uint64(d-'0')
	}
	rest = rest[sp+1:]
	nul := bytes.IndexByte(rest, 0)
	if nul <= 0 || len(rest) < nul+1+20 {
		return false, fmt.Errorf("tree %s: malformed entry", c.tree)
	}
	c.start = c.pos + sp + 1
	c.end = c.start + nul
	c.name = rest[:nul]
	c.mode = filemode.FileMode(m)
	copy(c.hash[:], rest[nul+1:nul+21])
	c.pos = c.end + 21
	return true, nil
}

func (c *treeCursor) isDir() bool { return c.mode == filemode.Dir }

// parseTree parses a tree's canonical encoding into entries.
func parseTree(h plumbing.Hash, raw []byte) ([]treeEntry, error) {
	s := string(raw)
	entries := make([]treeEntry, 0, bytes.Count(raw, []byte{0}))
	c := treeCursor{tree: h, raw: raw}
	for {
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return entries, nil
		}
		entries = append(entries, treeEntry{name: s[c.start:c.end], mode: c.mode, hash: c.hash})
	}
}

// rawTreeKey keys a tree's encoding in the tree cache, beside its parsed
// entries.
type rawTreeKey plumbing.Hash

// rawTree returns a tree's canonical encoding, from the cache when
// possible, for walks that step through it with a treeCursor. The zero
// hash is the empty tree.
func (r *Repository) rawTree(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	if t, ok := r.trees.get(rawTreeKey(h)); ok {
		return t.([]byte), nil
	}
	raw, _, err := r.readRaw(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	r.trees.put(rawTreeKey(h), raw, len(raw))
	return raw, nil
}

// tree returns the parsed entries of a tree, from the cache when possible.
// The zero hash is the empty tree.
func (r *Repository) tree(h plumbing.Hash) ([]treeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	if t, ok := r.trees.get(h); ok {
		return t.([]treeEntry), nil
	}
	raw, _, err := r.readRaw(h, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	t, err := parseTree(h, raw)
	if err != nil {
		return nil, err
	}
	r.trees.put(h, t, len(raw)+len(t)*int(entrySize))
	return t, nil
}

const entrySize = 16 + 4 + 20 + 4 // string header, mode, hash, padding

func findEntry(entries []treeEntry, name string) (treeEntry, bool) {
	for _, e := range entries {
		if e.name == name {
			return e, true
		}
	}
	return treeEntry{}, false
}

// indexKey keys a tree's name index in the tree cache.
type indexKey plumbing.Hash

// indexFrom is the size from which entry looks a name up through an index
// of the tree (as evidence/ has a folder per record) instead of scanning.
const indexFrom = 32

// entry returns the entry of tree h named name, as findEntry does: the
// first of that name. Large trees are looked up through a name index
// built once per tree, which takes no ordering on trust (a tree need not
// be sorted to be read).
func (r *Repository) entry(h plumbing.Hash, name string) (treeEntry, bool, error) {
	t, err := r.tree(h)
	if err != nil || len(t) < indexFrom {
		e, ok := findEntry(t, name)
		return e, ok, err
	}
	var idx map[string]int
	if v, ok := r.trees.get(indexKey(h)); ok {
		idx = v.(map[string]int)
	} else {
		idx = make(map[string]int, len(t))
		for i := len(t) - 1; i >= 0; i-- {
			idx[t[i].name] = i
		}
		r.trees.put(indexKey(h), idx, len(t)*int(entrySize))
	}
	i, ok := idx[name]
	if !ok {
		return treeEntry{}, false, nil
	}
	return t[i], true, nil
}

// lookupPath returns the entry at a slash path below the root tree.
func (r *Repository) lookupPath(root plumbing.Hash, p string) (treeEntry, bool, error) {
	cur := root
	parts := strings.Split(p, "/")
	for i, name := range parts {
		e, ok, err := r.entry(cur, name)
		if err != nil {
			return treeEntry{}, false, err
		}
		if !ok {
			return treeEntry{}, false, nil
		}
		if i == len(parts)-1 {
			return e, true, nil
		}
		if !e.isDir() {
			return treeEntry{}, false, nil
		}
		cur = e.hash
	}
	return treeEntry{}, false, nil
}

// walkFiles calls fn for every non-directory entry below tree h, with
// paths prefixed by dir.
func (r *Repository) walkFiles(h plumbing.Hash, dir string, fn func(p string, e treeEntry) error) error {
	if strings.Count(dir, "/") > maxTreeDepth {
		return fmt.Errorf("%s: %w", dir, errTooDeep)
	}
	t, err := r.tree(h)
	if err != nil {
		return err
	}
	for _, e := range t {
		p := dir + "/" + e.name
		if dir == "" {
			p = e.name
		}
		if e.isDir() {
			if err := r.walkFiles(e.hash, p, fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(p, e); err != nil {
			return err
		}
	}
	return nil
}
