package custody

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/casefile/casefile/internal/record"
)

// HistoryOptions configure History. The trust options mean what they mean
// in VerifyOptions.
type HistoryOptions struct {
	// AllowAuthorMismatch, as in VerifyOptions.
	AllowAuthorMismatch bool
	// PlatformPrincipals, as in VerifyOptions.
	PlatformPrincipals []string
}

// FileChange says what a commit did to the file as a whole.
type FileChange string

// The file-level changes of a HistoryEntry.
const (
	FileAdded    FileChange = "added"
	FileModified FileChange = "modified"
	FileDeleted  FileChange = "deleted"
)

// ChangeKind is the kind of a field-level change.
type ChangeKind string

// The kinds of FieldChange.
const (
	ChangeAdded   ChangeKind = "added"
	ChangeRemoved ChangeKind = "removed"
	ChangeChanged ChangeKind = "changed"
)

// FieldChange is one difference between two versions of a record's data:
// a field set, cleared or changed, or a list item appended or removed.
type FieldChange struct {
	// Path locates the value: "status", "assessment.severity",
	// "actions[3]", "evidence[0].custody[1].to".
	Path string `json:"path"`
	// Change is added, removed or changed.
	Change ChangeKind `json:"change"`
	// Old is the previous value (absent for added), New the new one
	// (absent for removed). Maps and lists are whole subtrees in the
	// record's JSON data model; numbers are json.Number.
	Old any `json:"old,omitempty"`
	New any `json:"new,omitempty"`
}

// HistoryEntry is one commit that changed a file.
type HistoryEntry struct {
	// Commit is the commit hash.
	Commit string `json:"commit"`
	// Parents are its parents.
	Parents []string `json:"parents,omitempty"`
	// Author and Committer are as recorded.
	Author    Person `json:"author"`
	Committer Person `json:"committer"`
	// Subject is the first line of the message.
	Subject string `json:"subject"`
	// Action and Record are the Casefile-Action and Casefile-Record
	// trailers; empty for commits made with plain git.
	Action string `json:"action,omitempty"`
	Record string `json:"record,omitempty"`
	// Trailers are all trailers of the message, by key as written.
	Trailers map[string][]string `json:"trailers,omitempty"`
	// File is what the commit did to the file.
	File FileChange `json:"file"`
	// Signature is the signature status, with trust taken from the
	// parents as in Verify.
	Signature SignatureStatus `json:"signature"`
	// Changes are the field-level differences from the first parent's
	// version (every top-level field for a new file).
	Changes []FieldChange `json:"changes"`
	// ParseError is set when a version does not parse as a record, so no
	// field-level summary could be made.
	ParseError string `json:"parse_error,omitempty"`
}

// History returns the commits reachable from HEAD that changed the file at
// path (repository-relative, slash separated), newest first with every
// commit before its parents. Renames are not followed (records are never
// renamed). Like `git log --full-history -- path`, commits on every branch
// are included; a merge is included only when its version of the file
// differs from every parent's, that is when the merge itself changed it.
//
// Finding the commits compares tree hashes level by level along the path,
// reading each distinct tree once, so the cost is that of reading the
// commits plus one tree per distinct directory version on the path.
func History(ctx context.Context, repo *Repository, path string, opts HistoryOptions) ([]HistoryEntry, error) {
	if err := checkRepoPath(path); err != nil {
		return nil, fmt.Errorf("history of %s: %w", path, err)
	}
	h := &historian{r: repo, parts: strings.Split(path, "/")}
	h.memo = make([]map[plumbing.Hash]treeEntry, len(h.parts))
	for i := range h.memo {
		h.memo[i] = map[plumbing.Hash]treeEntry{}
	}
	entries, err := h.run(ctx, path, &policy{allowAuthorMismatch: opts.AllowAuthorMismatch, platform: lowerAll(opts.PlatformPrincipals)})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", path, err)
	}
	return entries, nil
}

type historian struct {
	r     *Repository
	parts []string
	// memo[i] maps a tree at depth i to the entry named parts[i] in it
	// (zero hash when absent).
	memo []map[plumbing.Hash]treeEntry
	// readTree reads a tree object; a goroutine of its own may use a
	// separate reader.
	readTree func(h plumbing.Hash) ([]byte, error)
}

// blobAt returns the file's entry in a root tree; a zero hash means the
// path does not exist there as a file.
func (h *historian) blobAt(root plumbing.Hash) (treeEntry, error) {
	cur := root
	var e treeEntry
	for i, name := range h.parts {
		if cur.IsZero() {
			return treeEntry{}, nil
		}
		var ok bool
		if e, ok = h.memo[i][cur]; !ok {
			raw, err := h.readTree(cur)
			if err != nil {
				return treeEntry{}, err
			}
			e = scanTree(raw, name)
			last := i == len(h.parts)-1
			if (last && !e.isFile() && e.mode != filemode.Symlink) || (!last && !e.isDir()) {
				e = treeEntry{}
			}
			h.memo[i][cur] = e
		}
		cur = e.hash
	}
	return e, nil
}

// scanTree finds one entry in a raw tree without parsing the others into
// entries; a malformed tree has none.
func scanTree(raw []byte, name string) treeEntry {
	c := treeCursor{raw: raw}
	for {
		ok, err := c.next()
		if err != nil || !ok {
			return treeEntry{}
		}
		if string(c.name) == name {
			return treeEntry{name: name, mode: c.mode, hash: c.hash}
		}
	}
}

func (h *historian) run(ctx context.Context, path string, pol *policy) ([]HistoryEntry, error) {
	head, err := h.r.head()
	if err != nil || head.IsZero() {
		return []HistoryEntry{}, err
	}
	shallow, err := h.r.shallow()
	if err != nil {
		return nil, err
	}
	// One goroutine walks the commits while another resolves the path in
	// each commit's tree: the two halves of the work overlap. Without the
	// fast reader (go-git is not safe for concurrent use) both run here.
	commits := map[plumbing.Hash]*rawCommit{}
	entries := map[plumbing.Hash]treeEntry{} // by commit
	readCommit := func(c plumbing.Hash) ([]byte, error) {
		raw, _, err := h.r.readRaw(c, plumbing.CommitObject)
		return raw, err
	}
	h.readTree = func(t plumbing.Hash) ([]byte, error) {
		raw, _, err := h.r.readRaw(t, plumbing.TreeObject)
		return raw, err
	}
	var (
		ch      chan *rawCommit
		done    chan struct{}
		treeErr error
	)
	if h.r.fast != nil {
		readCommit = h.r.fast.readCommitHead
		view := h.r.fast.view()
		h.readTree = func(t plumbing.Hash) ([]byte, error) {
			typ, raw, err := view.read(t, largeObject)
			if err == nil && typ != plumbing.TreeObject {
				err = fmt.Errorf("%s is a %s, not a tree", t, typ)
			}
			return raw, err
		}
		ch, done = make(chan *rawCommit, 512), make(chan struct{})
		go func() {
			defer close(done)
			for rc := range ch {
				if treeErr != nil {
					continue
				}
				e, err := h.blobAt(rc.tree)
				if err != nil {
					treeErr = fmt.Errorf("commit %s: %w", rc.hash, err)
					continue
				}
				entries[rc.hash] = e
			}
		}()
	}
	walkErr := func() error {
		stack := []plumbing.Hash{head}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if _, ok := commits[c]; ok {
				continue
			}
			raw, err := readCommit(c)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			// Only the links for now; the few commits that changed the
			// file are read in full below.
			rc, err := parseCommitLinks(c, raw)
			if err != nil {
				return err
			}
			commits[c] = rc
			if ch != nil {
				ch <- rc
			} else {
				e, err := h.blobAt(rc.tree)
				if err != nil {
					return fmt.Errorf("commit %s: %w", c, err)
				}
				entries[c] = e
			}
			if !shallow[c] {
				stack = append(stack, rc.parents...)
			}
			if len(commits)%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	if ch != nil {
		close(ch)
		<-done
	}
	if walkErr != nil {
		return nil, walkErr
	}
	if treeErr != nil {
		return nil, treeErr
	}
	// From here on only this goroutine reads objects.
	h.readTree = func(t plumbing.Hash) ([]byte, error) {
		raw, _, err := h.r.readRaw(t, plumbing.TreeObject)
		return raw, err
	}

	var picked []*rawCommit
	for _, rc := range commits {
		cur := entries[rc.hash]
		differs := len(rc.parents) == 0 && !cur.hash.IsZero()
		if len(rc.parents) > 0 {
			differs = true
			for _, ph := range rc.parents {
				if _, ok := commits[ph]; !ok {
					// Missing or beyond a shallow boundary: unknown, so
					// treat as different only for single-parent commits.
					if len(rc.parents) > 1 {
						continue
					}
					break
				}
				if pe := entries[ph]; pe.hash == cur.hash && pe.mode == cur.mode {
					differs = false
					break
				}
			}
		}
		if differs {
			picked = append(picked, rc)
		}
	}

	// Order the whole graph, then keep the picked commits: ancestry among
	// them runs through commits that did not touch the file.
	isPicked := make(map[plumbing.Hash]bool, len(picked))
	for _, rc := range picked {
		isPicked[rc.hash] = true
	}
	trust := newTrustLoader(h.r)
	out := make([]HistoryEntry, 0, len(picked))
	for _, ch := range topoOrder(commits, head) {
		if !isPicked[ch] {
			continue
		}
		rc, err := h.r.readCommit(ch)
		if err != nil {
			return nil, err
		}
		e, err := h.entry(rc, commits, path, trust, pol)
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", ch, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func (h *historian) entry(rc *rawCommit, commits map[plumbing.Hash]*rawCommit, path string, trust *trustLoader, pol *policy) (HistoryEntry, error) {
	e := HistoryEntry{
		Commit:    rc.hash.String(),
		Author:    personOf(rc.author),
		Committer: personOf(rc.committer),
		Subject:   subjectOf(rc.message),
		Changes:   []FieldChange{},
	}
	for _, p := range rc.parents {
		e.Parents = append(e.Parents, p.String())
	}
	e.Trailers = parseTrailers(rc.message)
	if v := trailerValue(e.Trailers, "Casefile-Action"); v != "" {
		e.Action = v
	}
	if v := trailerValue(e.Trailers, "Casefile-Record"); v != "" {
		e.Record = v
	}

	// Signature, with trust from the parents (the root: its own tree).
	own, err := trust.at(rc.tree)
	if err != nil {
		return e, err
	}
	var trusts []*Trust
	for _, ph := range rc.parents {
		pc, ok := commits[ph]
		if !ok {
			continue
		}
		t, err := trust.at(pc.tree)
		if err != nil {
			return e, err
		}
		trusts = append(trusts, t)
	}
	if len(rc.parents) == 0 {
		trusts = []*Trust{own}
	}
	e.Signature = VerifySignature(rc.signature, rc.payload, append(append([]*Trust{}, trusts...), own)...)
	if len(trusts) == 0 && e.Signature.Valid {
		e.Signature.Rule, e.Signature.Reason = RuleShallow, "the parents are not in this clone, so trust cannot be decided"
	} else {
		applyTrust(&e.Signature, trusts, rc.author.Email, rc.committer.When, len(rc.parents) > 1, pol)
	}

	// Field-level summary against the first parent's version.
	cur, err := h.blobAt(rc.tree)
	if err != nil {
		return e, err
	}
	var prev treeEntry
	if len(rc.parents) > 0 {
		if pc, ok := commits[rc.parents[0]]; ok {
			if prev, err = h.blobAt(pc.tree); err != nil {
				return e, err
			}
		}
	}
	switch {
	case prev.hash.IsZero():
		e.File = FileAdded
	case cur.hash.IsZero():
		e.File = FileDeleted
	default:
		e.File = FileModified
	}
	oldData, oldErr := h.parseAt(prev.hash, path)
	newData, newErr := h.parseAt(cur.hash, path)
	switch {
	case newErr != nil:
		e.ParseError = newErr.Error()
	case oldErr != nil:
		e.ParseError = "previous version: " + oldErr.Error()
	default:
		e.Changes = DiffData(oldData, newData)
	}
	return e, nil
}

// parseAt parses a record blob into its data model; a zero hash is an
// absent file (nil data).
func (h *historian) parseAt(blob plumbing.Hash, path string) (map[string]any, error) {
	if blob.IsZero() {
		return nil, nil
	}
	data, err := h.r.readBlob(blob, maxRecordBlob)
	if err != nil {
		return nil, err
	}
	d, err := record.Parse(path, data)
	if err != nil {
		return nil, err
	}
	return d.Data, nil
}

// DiffData lists the field-level differences between two versions of a
// record's data model (record.Doc.Data); nil stands for an absent file.
// Map keys are visited in sorted order; lists are compared item by item,
// so appending reports "actions[3]" added and editing an item reports the
// fields inside it.
func DiffData(old, new map[string]any) []FieldChange {
	out := []FieldChange{}
	var o, n any
	if old != nil {
		o = old
	}
	if new != nil {
		n = new
	}
	diffValue("", o, n, &out)
	return out
}

func diffValue(path string, old, new any, out *[]FieldChange) {
	switch {
	case old == nil && new == nil:
		return
	case old == nil:
		if m, ok := new.(map[string]any); ok && path == "" {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				*out = append(*out, FieldChange{Path: k, Change: ChangeAdded, New: m[k]})
			}
			return
		}
		*out = append(*out, FieldChange{Path: path, Change: ChangeAdded, New: new})
		return
	case new == nil:
		*out = append(*out, FieldChange{Path: path, Change: ChangeRemoved, Old: old})
		return
	}
	switch o := old.(type) {
	case map[string]any:
		n, ok := new.(map[string]any)
		if !ok {
			break
		}
		keys := slices.Sorted(maps.Keys(o))
		for _, k := range slices.Sorted(maps.Keys(n)) {
			if _, ok := o[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			ov, oin := o[k]
			nv, nin := n[k]
			p := joinField(path, k)
			switch {
			case oin && !nin:
				*out = append(*out, FieldChange{Path: p, Change: ChangeRemoved, Old: ov})
			case !oin && nin:
				*out = append(*out, FieldChange{Path: p, Change: ChangeAdded, New: nv})
			default:
				diffValue(p, ov, nv, out)
			}
		}
		return
	case []any:
		n, ok := new.([]any)
		if !ok {
			break
		}
		for i := 0; i < max(len(o), len(n)); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(o):
				*out = append(*out, FieldChange{Path: p, Change: ChangeAdded, New: n[i]})
			case i >= len(n):
				*out = append(*out, FieldChange{Path: p, Change: ChangeRemoved, Old: o[i]})
			default:
				diffValue(p, o[i], n[i], out)
			}
		}
		return
	}
	if !reflect.DeepEqual(old, new) {
		*out = append(*out, FieldChange{Path: path, Change: ChangeChanged, Old: old, New: new})
	}
}

func joinField(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

var trailerLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$`)

// parseTrailers reads the trailer block of a commit message: the last
// paragraph, when every line in it is "Key: value" (or a continuation
// line starting with whitespace), as git interpret-trailers does for
// messages it wrote.
func parseTrailers(msg string) map[string][]string {
	paras := strings.Split(strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), "\n"), "\n\n")
	if len(paras) < 2 {
		return nil
	}
	last := strings.Split(strings.Trim(paras[len(paras)-1], "\n"), "\n")
	out := map[string][]string{}
	var lastKey string
	for _, line := range last {
		if lastKey != "" && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) {
			vs := out[lastKey]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		m := trailerLine.FindStringSubmatch(line)
		if m == nil {
			return nil
		}
		lastKey = m[1]
		out[lastKey] = append(out[lastKey], strings.TrimSpace(m[2]))
	}
	return out
}

// trailerValue returns the last value of a trailer, matching the key
// case-insensitively as git does.
func trailerValue(tr map[string][]string, key string) string {
	v := ""
	for k, vs := range tr {
		if strings.EqualFold(k, key) && len(vs) > 0 {
			v = vs[len(vs)-1]
		}
	}
	return v
}
