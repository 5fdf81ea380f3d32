package custody

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/record/quickload"
)

// DefaultSealPrefix is the ref prefix of seal tags made by `casefile seal`.
const DefaultSealPrefix = "refs/tags/casefile-seal-"

// Top-level paths whose changes make a commit part of the chain of
// custody.
var custodyPaths = []string{"records", "evidence", "casefile.yaml", TrustDir}

// VerifyOptions configure Verify. The zero value is the strict default.
type VerifyOptions struct {
	// From limits the walk to commits not reachable from this revision,
	// like `git log FROM..HEAD`. Trust is still taken from the parents of
	// the walked commits, wherever they are.
	From string
	// AllowAuthorMismatch accepts a trusted signer whatever the commit's
	// author e-mail. By default (RequireAuthorMatch) the author e-mail must
	// be one of the signing key's principals.
	AllowAuthorMismatch bool
	// PlatformPrincipals are principals of hosting-platform keys (for
	// example "noreply@github.com"): a merge commit signed by a key trusted
	// for one of them passes even though its author differs.
	PlatformPrincipals []string
	// SealPrefix selects the seal tags; empty means DefaultSealPrefix.
	SealPrefix string
	// Progress, when set, is called as commits are checked with the number
	// done and the total, at most a few hundred times per walk.
	Progress func(done, total int)
	// Workers is the number of goroutines, each with its own object
	// reader, that check the commits (signatures, records diffs), and as
	// many again check the records at HEAD alongside them; zero means
	// GOMAXPROCS.
	Workers int
	// CheckRecord, when set, is called (concurrently) with every record
	// file at HEAD, given its path and content. It returns the record as it
	// decoded it (nil when it could not; Verify then reads the file itself)
	// and the problems that make it invalid, each reported as a
	// RuleRecordLint violation. The caller supplies the rules (casefile's
	// linter), which this package does not know.
	CheckRecord func(path string, data []byte) (*record.Record, []RecordProblem)
}

// RecordProblem is one reason a record at HEAD is invalid, as returned by
// VerifyOptions.CheckRecord.
type RecordProblem struct {
	// Line is the 1-based line in the record file, 0 when unknown.
	Line int
	// Rule is the checker's rule ID (for example a lint rule).
	Rule string
	// Message says what is wrong.
	Message string
}

// Person is an author, committer or tagger as recorded in an object.
type Person struct {
	// Name is the display name.
	Name string `json:"name"`
	// Email is the address without angle brackets.
	Email string `json:"email"`
	// When is the recorded time with its original offset.
	When time.Time `json:"when"`
}

func personOf(s object.Signature) Person { return Person{Name: s.Name, Email: s.Email, When: s.When} }

// Violation is one broken rule of the chain of custody.
type Violation struct {
	// Commit is the commit (or, for seals, the tag ref) it concerns.
	Commit string `json:"commit,omitempty"`
	// File is the path it concerns, if any.
	File string `json:"file,omitempty"`
	// Rule is the rule ID, one of the Rule… constants.
	Rule string `json:"rule"`
	// Reason explains the violation to a human.
	Reason string `json:"reason"`
}

// String formats the violation for a text report:
// "<commit>: <file>: <reason> [<rule>]".
func (v Violation) String() string {
	var b strings.Builder
	if v.Commit != "" {
		b.WriteString(shortHash(v.Commit) + ": ")
	}
	if v.File != "" {
		b.WriteString(v.File + ": ")
	}
	b.WriteString(v.Reason + " [" + v.Rule + "]")
	return b.String()
}

func shortHash(h string) string {
	if len(h) == 40 && !strings.Contains(h, "/") {
		return h[:12]
	}
	return h
}

// CommitResult is what Verify found for one commit.
type CommitResult struct {
	// Hash is the commit hash.
	Hash string `json:"hash"`
	// Parents are the parent hashes.
	Parents []string `json:"parents,omitempty"`
	// Author and Committer are as recorded.
	Author    Person `json:"author"`
	Committer Person `json:"committer"`
	// Subject is the first line of the message.
	Subject string `json:"subject"`
	// Touched lists the custody paths (records, evidence, casefile.yaml,
	// .casefile) the commit changes relative to a parent.
	Touched []string `json:"touched,omitempty"`
	// Checked reports whether the custody rules applied (Touched is not
	// empty).
	Checked bool `json:"checked"`
	// Signature is the signature status; nil for unchecked commits.
	Signature *SignatureStatus `json:"signature,omitempty"`
	// Rules are the rule IDs of the commit's violations.
	Rules []string `json:"rules,omitempty"`
}

// SealResult is what Verify found for one seal tag.
type SealResult struct {
	// Ref is the full tag ref.
	Ref string `json:"ref"`
	// Tag is the tag object hash; empty for a lightweight tag.
	Tag string `json:"tag,omitempty"`
	// Commit is the sealed commit.
	Commit string `json:"commit"`
	// Tagger is who made the tag.
	Tagger Person `json:"tagger,omitzero"`
	// Signature is the tag signature's status.
	Signature SignatureStatus `json:"signature"`
	// Ancestor reports whether the sealed commit is an ancestor of HEAD.
	Ancestor bool `json:"ancestor"`
	// Rules are the rule IDs of the seal's violations.
	Rules []string `json:"rules,omitempty"`
}

// Counts summarize a verification.
type Counts struct {
	// Commits is the number of commits walked.
	Commits int `json:"commits"`
	// Checked is the number of commits that touch custody paths.
	Checked int `json:"checked"`
	// Signed is the number of walked commits that carry a signature.
	Signed int `json:"signed"`
	// Records is the number of record files at HEAD.
	Records int `json:"records"`
	// Evidence is the number of evidence files checked at HEAD.
	Evidence int `json:"evidence"`
	// Seals is the number of seal tags checked.
	Seals int `json:"seals"`
	// TrustFiles is the number of distinct trust-file blobs parsed.
	TrustFiles int `json:"trust_files"`
}

// Status values of a VerifyReport.
const (
	// StatusVerified means every rule held over the whole history.
	StatusVerified = "verified"
	// StatusFailed means at least one rule is broken.
	StatusFailed = "failed"
	// StatusUnverifiable means nothing is broken in what could be checked,
	// but the clone is shallow, so history past its boundary was not.
	StatusUnverifiable = "unverifiable"
)

// VerifyReport is the result of Verify.
type VerifyReport struct {
	// Head is the commit verified.
	Head string `json:"head"`
	// From is the excluded revision as resolved, if any.
	From string `json:"from,omitempty"`
	// Status is StatusVerified, StatusFailed or StatusUnverifiable.
	Status string `json:"status"`
	// Shallow lists the boundary commits of a shallow clone that the walk
	// reached; history behind them was not verified.
	Shallow []string `json:"shallow,omitempty"`
	// Counts summarize the walk.
	Counts Counts `json:"counts"`
	// Violations are every broken rule found, in walk order (newest commit
	// first), then evidence, then seals.
	Violations []Violation `json:"violations"`
	// Commits are the per-commit results, newest first (parents after all
	// their children).
	Commits []CommitResult `json:"commits"`
	// Seals are the per-seal results.
	Seals []SealResult `json:"seals"`
	// HeadRecords maps the path of every record file at HEAD to whether
	// the work tree's file holds exactly its committed content (proved by
	// its git hash). It is for callers that read the work tree, and is not
	// part of the JSON report.
	HeadRecords map[string]bool `json:"-"`
}

// OK reports whether the history verified completely.
func (r *VerifyReport) OK() bool { return r.Status == StatusVerified }

// Verify checks the chain of custody of everything reachable from HEAD:
//
//   - every commit that changes records/, evidence/, casefile.yaml or
//     .casefile/ relative to any parent (the root commit: relative to the
//     empty tree) is signed, the signature is valid, and the key is trusted
//     by the trust files of a parent commit for the author's e-mail at the
//     committer time. For a merge, trust in any one parent suffices: each
//     parent is a state that was itself verified, and a branch that adds a
//     key through a trusted signer may then be merged by that key. It is
//     still impossible to trust oneself in, since a key added by a commit
//     counts only for its children. The root commit bootstraps trust from
//     its own tree, as the first allowed_signers must come from somewhere;
//   - no file under records/ disappears in any commit, relative to any
//     parent (a merge that drops a record, or carries a deletion made on a
//     branch, is reported as well as the deleting commit);
//   - at HEAD every record parses and every evidence item with a path
//     exists and matches its sha256 and size;
//   - every seal tag is a signed tag object, signed by a key trusted at
//     the sealed commit for the tagger, and the sealed commit is an
//     ancestor of HEAD.
//
// It collects every violation rather than stopping at the first. An error
// is returned only when the repository cannot be read at all (or ctx is
// done); broken objects inside history are violations.
func Verify(ctx context.Context, repo *Repository, opts VerifyOptions) (*VerifyReport, error) {
	w := &walker{
		ctx:     ctx,
		r:       repo,
		opts:    opts,
		trust:   newTrustLoader(repo),
		commits: map[plumbing.Hash]*rawCommit{},
		pol:     &policy{allowAuthorMismatch: opts.AllowAuthorMismatch, platform: lowerAll(opts.PlatformPrincipals)},
		rep:     &VerifyReport{Violations: []Violation{}, Commits: []CommitResult{}, Seals: []SealResult{}},
	}
	if w.opts.Workers <= 0 {
		w.opts.Workers = runtime.GOMAXPROCS(0)
	}
	if w.opts.SealPrefix == "" {
		w.opts.SealPrefix = DefaultSealPrefix
	}
	defer func(old bool) { repo.checkHashes = old }(repo.checkHashes)
	repo.checkHashes = true
	if err := w.run(); err != nil {
		return nil, fmt.Errorf("verifying: %w", err)
	}
	return w.rep, nil
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(v)
	}
	return out
}

type walker struct {
	ctx   context.Context
	r     *Repository
	opts  VerifyOptions
	trust *trustLoader
	pol   *policy
	rep   *VerifyReport

	head     plumbing.Hash
	shallow  map[plumbing.Hash]bool
	excluded map[plumbing.Hash]bool
	commits  map[plumbing.Hash]*rawCommit // walked commits
	outside  map[plumbing.Hash]*rawCommit // parents outside the walk (From)
	bad      map[plumbing.Hash]error      // commits that could not be read
	order    []plumbing.Hash
	// reachable is every commit reachable from HEAD, computed lazily for
	// the seal check when From limits the walk.
	reachable map[plumbing.Hash]bool
}

func (w *walker) violate(commit, file, rule, reason string) {
	w.rep.Violations = append(w.rep.Violations, Violation{Commit: commit, File: file, Rule: rule, Reason: reason})
}

func (w *walker) run() error {
	var err error
	if w.head, err = w.r.head(); err != nil {
		return err
	}
	if w.shallow, err = w.r.shallow(); err != nil {
		return err
	}
	if w.head.IsZero() {
		w.rep.Status = StatusVerified
		return nil
	}
	w.rep.Head = w.head.String()
	if w.opts.From != "" {
		from, err := w.r.resolve(w.opts.From)
		if err != nil {
			return err
		}
		w.rep.From = from.String()
		if w.excluded, err = w.ancestors(from); err != nil {
			return err
		}
	}
	if err := w.collect(); err != nil {
		return err
	}
	// The records at HEAD are checked while the commits are, each with
	// its own reader; their violations follow the commits'.
	hr, err := w.r.fork()
	if err != nil {
		return err
	}
	defer hr.Close()
	headDone := make(chan *headCheck, 1)
	go func() { headDone <- w.checkHead(hr) }()
	err = w.checkCommits()
	hc := <-headDone
	if err != nil {
		return err
	}
	w.rep.Violations = append(w.rep.Violations, hc.violations...)
	w.rep.Counts.Records, w.rep.Counts.Evidence = hc.records, hc.evidence
	w.rep.HeadRecords = hc.inWork
	if err := w.checkSeals(); err != nil {
		return err
	}
	w.rep.Counts.TrustFiles = w.trust.parsed
	w.rep.Status = StatusVerified
	for _, v := range w.rep.Violations {
		switch {
		case v.Rule != RuleShallow:
			w.rep.Status = StatusFailed
		case w.rep.Status == StatusVerified:
			w.rep.Status = StatusUnverifiable
		}
	}
	return nil
}

// ancestors returns every commit reachable from start (inclusive) that
// the repository has, reading only commit objects.
func (w *walker) ancestors(start plumbing.Hash) (map[plumbing.Hash]bool, error) {
	seen := map[plumbing.Hash]bool{}
	stack := []plumbing.Hash{start}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		var parents []plumbing.Hash
		if c, ok := w.commits[h]; ok {
			parents = c.parents
		} else {
			c, err := w.r.readCommit(h)
			if err != nil {
				continue // missing or corrupt: reported where the walk meets it
			}
			parents = c.parents
		}
		seen[h] = true
		if w.shallow[h] {
			continue
		}
		stack = append(stack, parents...)
		if len(seen)%1024 == 0 {
			if err := w.ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return seen, nil
}

// collect reads every commit to walk and orders them newest first with
// every commit before its parents.
func (w *walker) collect() error {
	w.bad = map[plumbing.Hash]error{}
	stack := []plumbing.Hash{w.head}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := w.commits[h]; ok || w.excluded[h] || w.bad[h] != nil {
			continue
		}
		c, err := w.r.readCommit(h)
		if err != nil {
			// Reported by the children that need it (or below, for HEAD).
			w.bad[h] = err
			continue
		}
		w.commits[h] = c
		if !w.shallow[h] {
			stack = append(stack, c.parents...)
		}
		if len(w.commits)%1024 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
	}
	w.order = topoOrder(w.commits, w.head)
	if err := w.bad[w.head]; err != nil {
		w.violate(w.head.String(), "", objectRule(err), "HEAD cannot be read: "+err.Error())
	}
	return nil
}

// objectRule classifies an object read error as a violation.
func objectRule(err error) string {
	if errors.Is(err, errCorruptObject) {
		return RuleObjectCorrupt
	}
	return RuleObjectMissing
}

// topoOrder sorts commits so that each comes before its parents, newest
// committer time first among those ready (git log --date-order).
func topoOrder(commits map[plumbing.Hash]*rawCommit, head plumbing.Hash) []plumbing.Hash {
	children := make(map[plumbing.Hash]int, len(commits))
	for _, c := range commits {
		for _, p := range c.parents {
			if _, ok := commits[p]; ok {
				children[p]++
			}
		}
	}
	q := &commitQueue{commits: commits}
	for h := range commits {
		if children[h] == 0 {
			heap.Push(q, h)
		}
	}
	order := make([]plumbing.Hash, 0, len(commits))
	for q.Len() > 0 {
		h := heap.Pop(q).(plumbing.Hash)
		order = append(order, h)
		for _, p := range commits[h].parents {
			if _, ok := commits[p]; !ok {
				continue
			}
			children[p]--
			if children[p] == 0 {
				heap.Push(q, p)
			}
		}
	}
	return order
}

// commitQueue is a heap of commits, newest committer time first.
type commitQueue struct {
	commits map[plumbing.Hash]*rawCommit
	hs      []plumbing.Hash
}

func (q *commitQueue) Len() int { return len(q.hs) }
func (q *commitQueue) Less(i, j int) bool {
	a, b := q.commits[q.hs[i]].committer.When, q.commits[q.hs[j]].committer.When
	if !a.Equal(b) {
		return a.After(b)
	}
	return q.hs[i].String() < q.hs[j].String()
}
func (q *commitQueue) Swap(i, j int) { q.hs[i], q.hs[j] = q.hs[j], q.hs[i] }
func (q *commitQueue) Push(x any)    { q.hs = append(q.hs, x.(plumbing.Hash)) }
func (q *commitQueue) Pop() any {
	h := q.hs[len(q.hs)-1]
	q.hs = q.hs[:len(q.hs)-1]
	return h
}

// parentCommit returns a parent's commit, inside or outside the walk, or
// the error that makes it unreadable.
func (w *walker) parentCommit(h plumbing.Hash) (*rawCommit, error) {
	if c, ok := w.commits[h]; ok {
		return c, nil
	}
	if c, ok := w.outside[h]; ok {
		return c, nil
	}
	if err := w.bad[h]; err != nil {
		return nil, err
	}
	c, err := w.r.readCommit(h)
	if err != nil {
		w.bad[h] = err
		return nil, err
	}
	if w.outside == nil {
		w.outside = map[plumbing.Hash]*rawCommit{}
	}
	w.outside[h] = c
	return c, nil
}

// sigJob is the signature check of one commit, run by a worker.
type sigJob struct {
	c       *rawCommit
	trusts  []*Trust // trust sets that may vouch (parents, or own for a root)
	keyring []*Trust // trust sets whose OpenPGP keys may check the signature
	st      SignatureStatus
}

// recordDiff is one comparison of a commit's records tree with a parent's,
// run by a worker.
type recordDiff struct {
	old, new plumbing.Hash
	parent   int // index of the parent compared with
}

// pending holds what the sequential pass found for one commit and the work
// it leaves to a worker, to be merged in order once both are done.
type pending struct {
	before []Violation // shallow, missing objects
	after  []Violation // trust problems, then deletions
	job    *sigJob
	diffs  []recordDiff
	// nParents is the commit's parent count, for the deletion messages.
	nParents int
}

// commitChunk is how many consecutive commits (in walk order) a worker
// takes at once. The records tree a commit's diff reads as new is the one
// its parent's diff reads as old, so a worker holding a run of commits
// finds it in its cache: only the first commit of a chunk reads a tree
// that another worker reads too.
const commitChunk = 128

// checkCommits checks every walked commit. This goroutine does the cheap,
// order-dependent part (root trees, trust sets; prepareCommit); workers,
// each with its own object reader, take chunks of consecutive commits and
// do the costly part: the signature and the records tree diffs.
func (w *walker) checkCommits() error {
	total := len(w.order)
	w.rep.Counts.Commits = total
	results := make([]CommitResult, total)
	pend := make([]pending, total)
	progress := w.progressCounter(total)

	readers, err := w.forks(w.opts.Workers)
	if err != nil {
		return err
	}
	defer closeAll(readers)
	chunks := make(chan [2]int, len(readers))
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				for i := c[0]; i < c[1] && w.ctx.Err() == nil; i++ {
					w.finishCommit(r, results[i].Hash, &pend[i])
				}
				progress(c[1] - c[0])
			}
		}()
	}
	start := 0
	for i, h := range w.order {
		if i%256 == 0 {
			if err = w.ctx.Err(); err != nil {
				break
			}
		}
		c := w.commits[h]
		res := &results[i]
		*res = CommitResult{Hash: h.String(), Author: personOf(c.author), Committer: personOf(c.committer), Subject: subjectOf(c.message)}
		for _, p := range c.parents {
			res.Parents = append(res.Parents, p.String())
		}
		if len(c.signature) > 0 {
			w.rep.Counts.Signed++
		}
		pend[i].nParents = len(c.parents)
		pend[i].job = w.prepareCommit(c, res, &pend[i])
		if i+1-start == commitChunk || i+1 == total {
			chunks <- [2]int{start, i + 1}
			start = i + 1
		}
	}
	close(chunks)
	wg.Wait()
	if err == nil {
		err = w.ctx.Err()
	}
	if err != nil {
		return err
	}
	for i := range results {
		res := &results[i]
		p := &pend[i]
		var vs []Violation
		vs = append(vs, p.before...)
		if p.job != nil {
			st := p.job.st
			res.Signature = &st
			if st.Rule != "" {
				vs = append(vs, Violation{Commit: res.Hash, Rule: st.Rule, Reason: st.Reason})
			}
		}
		vs = append(vs, p.after...)
		for _, v := range vs {
			res.Rules = mergeStrings(res.Rules, []string{v.Rule})
		}
		w.rep.Violations = append(w.rep.Violations, vs...)
	}
	w.rep.Commits = results
	return nil
}

// finishCommit is a worker's part of one commit, with its own reader r.
func (w *walker) finishCommit(r *Repository, hash string, p *pending) {
	if j := p.job; j != nil {
		j.st = VerifySignature(j.c.signature, j.c.payload, j.keyring...)
		applyTrust(&j.st, j.trusts, j.c.author.Email, j.c.committer.When, len(j.c.parents) > 1, w.pol)
	}
	for _, d := range p.diffs {
		vs, err := recordRemovals(r, hash, d, p.nParents)
		if err != nil {
			p.after = append(p.after, Violation{Commit: hash, File: "records", Rule: objectRule(err), Reason: err.Error()})
			continue
		}
		p.after = append(p.after, vs...)
	}
}

// progressCounter returns a function that workers call with the number of
// commits they finished; it reports to opts.Progress at most about 200
// times per walk, from one goroutine at a time.
func (w *walker) progressCounter(total int) func(n int) {
	if w.opts.Progress == nil {
		return func(int) {}
	}
	var mu sync.Mutex
	done, next, step := 0, 0, max(1, total/200)
	return func(n int) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if done >= next || done == total {
			next = done + step
			w.opts.Progress(done, total)
		}
	}
}

// forks opens n readers of the walked repository for workers.
func (w *walker) forks(n int) ([]*Repository, error) {
	out := make([]*Repository, 0, n)
	for range n {
		r, err := w.r.fork()
		if err != nil {
			closeAll(out)
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func closeAll(rs []*Repository) {
	for _, r := range rs {
		r.Close()
	}
}

// prepareCommit does the object reading for one commit: which custody
// paths it touches, the trust sets of its parents, deleted records. It
// returns the signature check to run, or nil when the commit is not
// checked or cannot be. Objects that cannot be read are violations of the
// commit, not errors of the walk.
func (w *walker) prepareCommit(c *rawCommit, res *CommitResult, p *pending) *sigJob {
	hash := c.hash.String()
	broken := func(err error) *sigJob {
		res.Checked = true
		p.before = append(p.before, Violation{Commit: hash, Rule: objectRule(err), Reason: err.Error()})
		return nil
	}
	root, err := w.r.tree(c.tree)
	if err != nil {
		return broken(fmt.Errorf("tree %s: %w", c.tree, err))
	}
	shallow := w.shallow[c.hash]
	var parents []*rawCommit
	var parentRoots [][]treeEntry
	for _, ph := range c.parents {
		if shallow {
			break
		}
		pc, err := w.parentCommit(ph)
		if err != nil {
			return broken(fmt.Errorf("parent %s: %w", ph, err))
		}
		pt, err := w.r.tree(pc.tree)
		if err != nil {
			return broken(fmt.Errorf("tree %s of parent %s: %w", pc.tree, ph, err))
		}
		parents = append(parents, pc)
		parentRoots = append(parentRoots, pt)
	}

	if shallow {
		// Nothing about the parents is known: neither the trust they
		// granted nor what this commit changed.
		res.Touched = touchedPaths(root, nil)
		w.rep.Shallow = append(w.rep.Shallow, hash)
		p.before = append(p.before, Violation{
			Commit: hash, Rule: RuleShallow,
			Reason: "shallow clone boundary: the parents of this commit are not in the repository, so it and all history before it cannot be verified (fetch with --unshallow)",
		})
		return nil
	}
	if len(c.parents) == 0 {
		res.Touched = touchedPaths(root, nil)
	} else {
		for _, pr := range parentRoots {
			res.Touched = mergeStrings(res.Touched, touchedPaths(root, pr))
		}
	}
	sort.Strings(res.Touched)
	res.Checked = len(res.Touched) > 0
	if !res.Checked {
		return nil
	}
	w.rep.Counts.Checked++

	own, err := w.trust.at(c.tree)
	if err != nil {
		return broken(fmt.Errorf("trust files: %w", err))
	}
	job := &sigJob{c: c}
	if len(c.parents) == 0 {
		job.trusts = []*Trust{own}
	} else {
		for _, pc := range parents {
			t, err := w.trust.at(pc.tree)
			if err != nil {
				return broken(fmt.Errorf("trust files of parent %s: %w", pc.hash, err))
			}
			job.trusts = append(job.trusts, t)
		}
	}
	job.keyring = append(append([]*Trust{}, job.trusts...), own)

	// Trust files broken by this commit (new problems that no parent had).
	if len(own.Problems) > 0 && containsString(res.Touched, TrustDir) {
		seen := map[string]bool{}
		if len(c.parents) > 0 {
			for _, t := range job.trusts {
				for _, pr := range t.Problems {
					seen[pr] = true
				}
			}
		}
		for _, pr := range own.Problems {
			if !seen[pr] {
				p.after = append(p.after, Violation{
					Commit: hash, File: problemFile(pr), Rule: RuleTrustInvalid,
					Reason: pr + " (the line grants no trust)",
				})
			}
		}
	}

	// Records deleted or renamed relative to any parent: the diffs are
	// left to a worker (finishCommit).
	if containsString(res.Touched, "records") {
		newRec := dirHash(root, "records")
		for i, pr := range parentRoots {
			if oldRec := dirHash(pr, "records"); !oldRec.IsZero() && oldRec != newRec {
				p.diffs = append(p.diffs, recordDiff{old: oldRec, new: newRec, parent: i})
			}
		}
	}
	return job
}

func problemFile(p string) string {
	f, _, _ := strings.Cut(p, ":")
	return f
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// touchedPaths lists the custody paths whose entries differ between a root
// tree and a parent's (nil parent: the empty tree).
func touchedPaths(root, parent []treeEntry) []string {
	var out []string
	for _, name := range custodyPaths {
		a, okA := findEntry(root, name)
		b, okB := findEntry(parent, name)
		if okA != okB || a.hash != b.hash || a.mode != b.mode {
			out = append(out, name)
		}
	}
	return out
}

// dirHash returns the hash of a directory entry of a tree, zero when it is
// absent or not a directory.
func dirHash(t []treeEntry, name string) plumbing.Hash {
	if e, ok := findEntry(t, name); ok && e.isDir() {
		return e.hash
	}
	return plumbing.ZeroHash
}

// recordRemovals reports the files under records/ present in a parent's
// records tree and absent from the commit's, as deletions or, when the
// same content or file name appears elsewhere under records/, renames. It
// reads the trees through r.
func recordRemovals(r *Repository, commit string, d recordDiff, nParents int) ([]Violation, error) {
	// The files added matter only to tell a rename from a deletion, so
	// they are collected only when something was removed.
	var removed, added []fileAt
	if err := r.diffFiles(d.old, d.new, "records", &removed, nil); err != nil {
		return nil, err
	}
	if len(removed) == 0 {
		return nil, nil
	}
	removed = removed[:0]
	if err := r.diffFiles(d.old, d.new, "records", &removed, &added); err != nil {
		return nil, err
	}
	rel := ""
	if nParents > 1 {
		rel = fmt.Sprintf(" relative to parent %d of this merge", d.parent+1)
	}
	var out []Violation
	for _, r := range removed {
		to := ""
		for _, a := range added {
			if a.hash == r.hash || path.Base(a.path) == path.Base(r.path) {
				to = a.path
				break
			}
		}
		if to != "" {
			out = append(out, Violation{
				Commit: commit, File: r.path, Rule: RuleRecordRenamed,
				Reason: fmt.Sprintf("record renamed to %s%s; records are never renamed", to, rel),
			})
			continue
		}
		out = append(out, Violation{
			Commit: commit, File: r.path, Rule: RuleRecordDeleted,
			Reason: fmt.Sprintf("record deleted%s; records are never deleted (close it as rejected instead)", rel),
		})
	}
	return out, nil
}

type fileAt struct {
	path string
	hash plumbing.Hash
}

// diffFiles compares two trees level by level, descending only where hashes
// differ, and collects the files only in old (removed) and, unless added
// is nil, those only in new (added). Both trees are in git's canonical
// order, so one merge pass per level suffices; it steps through their
// encodings, as most entries of a records folder are the same on both
// sides.
func (r *Repository) diffFiles(oldTree, newTree plumbing.Hash, dir string, removed, added *[]fileAt) error {
	if oldTree == newTree {
		return nil
	}
	if strings.Count(dir, "/") > maxTreeDepth {
		return fmt.Errorf("%s: %w", dir, errTooDeep)
	}
	oraw, err := r.rawTree(oldTree)
	if err != nil {
		return err
	}
	nraw, err := r.rawTree(newTree)
	if err != nil {
		return err
	}
	if added == nil && bytes.HasPrefix(nraw, oraw) {
		// The usual change to a records folder: files added after the
		// last one (IDs grow). Every entry of old is in new, byte for
		// byte, hash included, so nothing below it differs either.
		return nil
	}
	all := func(c *treeCursor, into *[]fileAt) error {
		if into == nil {
			return nil
		}
		p := dir + "/" + string(c.name)
		if !c.isDir() {
			*into = append(*into, fileAt{p, c.hash})
			return nil
		}
		return r.walkFiles(c.hash, p, func(p string, e treeEntry) error {
			*into = append(*into, fileAt{p, e.hash})
			return nil
		})
	}
	o := treeCursor{tree: oldTree, raw: oraw}
	n := treeCursor{tree: newTree, raw: nraw}
	oOK, err := o.next()
	if err != nil {
		return err
	}
	nOK, err := n.next()
	if err != nil {
		return err
	}
	for oOK || nOK {
		var c int
		switch {
		case !oOK:
			c = 1
		case !nOK:
			c = -1
		default:
			c = compareNames(o.name, n.name, o.isDir(), n.isDir())
		}
		if c < 0 {
			if err := all(&o, removed); err != nil {
				return err
			}
		}
		if c > 0 {
			if err := all(&n, added); err != nil {
				return err
			}
		}
		if c == 0 && o.hash != n.hash && o.isDir() {
			if err := r.diffFiles(o.hash, n.hash, dir+"/"+string(o.name), removed, added); err != nil {
				return err
			}
		}
		if c <= 0 {
			if oOK, err = o.next(); err != nil {
				return err
			}
		}
		if c >= 0 {
			if nOK, err = n.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// compareNames orders tree entry names as git does, with directories
// compared as if their name ended in "/".
func compareNames[S string | []byte](an, bn S, aDir, bDir bool) int {
	n := min(len(an), len(bn))
	for i := range n {
		switch {
		case an[i] < bn[i]:
			return -1
		case an[i] > bn[i]:
			return 1
		}
	}
	ac, bc := byte(0), byte(0)
	if len(an) > n {
		ac = an[n]
	} else if aDir {
		ac = '/'
	}
	if len(bn) > n {
		bc = bn[n]
	} else if bDir {
		bc = '/'
	}
	switch {
	case ac < bc:
		return -1
	case ac > bc:
		return 1
	}
	// Same name: a file and a directory of that name differ.
	if len(an) == len(bn) && aDir != bDir {
		if aDir {
			return 1
		}
		return -1
	}
	return 0
}

// headCheck is what checkHead found at HEAD.
type headCheck struct {
	violations []Violation
	records    int             // record files
	evidence   int             // evidence items with a path
	inWork     map[string]bool // VerifyReport.HeadRecords
}

func (h *headCheck) violate(commit, file, rule, reason string) {
	h.violations = append(h.violations, Violation{Commit: commit, File: file, Rule: rule, Reason: reason})
}

// checkHead parses every record at HEAD, lints it (opts.CheckRecord) and
// checks its evidence files, reading through r. It runs alongside the
// commit walk and touches nothing of the walker but what it only reads.
func (w *walker) checkHead(r *Repository) *headCheck {
	h := &headCheck{}
	headCommit := w.commits[w.head]
	if headCommit == nil {
		return h
	}
	root, err := r.tree(headCommit.tree)
	if err != nil {
		return h // reported with the HEAD commit already
	}
	recs := dirHash(root, "records")
	if recs.IsZero() {
		return h
	}
	type recFile struct {
		path  string
		data  []byte
		err   error
		id    string
		ev    []record.Evidence
		probs []RecordProblem
		blob  plumbing.Hash
		// inWork: the work tree's file holds the committed content.
		inWork bool
		// Evidence items with a path, and the violations their check found.
		nEvidence  int
		evidenceVs []Violation
	}
	parse := func(f *recFile) {
		if f.err != nil {
			return
		}
		var rec *record.Record
		if w.opts.CheckRecord != nil {
			rec, f.probs = w.opts.CheckRecord(f.path, f.data)
		}
		// The fast decoder takes canonical records; anything else goes to
		// the full loader, whose result and errors are authoritative.
		ok := rec != nil
		if !ok {
			rec, ok = quickload.Decode(f.data)
		}
		if !ok {
			d, err := record.Parse(f.path, f.data)
			if err == nil {
				rec, err = d.Record()
			}
			if err != nil {
				f.err = err
				f.data = nil
				return
			}
		}
		f.data = nil
		f.id = rec.ID
		f.ev = rec.Evidence
	}
	// One goroutine lists the files and hands each to the workers through
	// a short queue; each worker reads the blob with its own reader and
	// parses it, so only a few records' text is in memory at once, however
	// large the log.
	readers, err := w.forks(w.opts.Workers)
	if err != nil {
		h.violate(w.head.String(), "records", RuleObjectMissing, "reading records at HEAD: "+err.Error())
		return h
	}
	defer closeAll(readers)
	// Files go out in batches, so that a large log costs few hand-offs.
	const batch = 64
	jobs := make(chan []*recFile, 2*w.opts.Workers)
	var wg sync.WaitGroup
	head := w.head.String()
	for _, rd := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashed := map[plumbing.Hash]blobSum{}
			for fs := range jobs {
				for _, f := range fs {
					if f.err == nil {
						f.data, f.inWork, f.err = rd.workFileBlob(f.path, f.blob, maxRecordBlob)
					}
					parse(f)
					if f.err == nil {
						f.evidenceVs, f.nEvidence = checkEvidence(rd, headCommit.tree, head, f.path, f.ev, hashed)
						f.ev = nil
					}
				}
			}
		}()
	}
	var files []*recFile
	err = r.walkFiles(recs, "records", func(p string, e treeEntry) error {
		if !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
			return nil
		}
		if len(files)%256 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		f := &recFile{path: p, blob: e.hash}
		if !e.isFile() {
			f.err = fmt.Errorf("%s: not a regular file (mode %o)", p, uint32(e.mode))
		}
		files = append(files, f)
		if len(files)%batch == 0 {
			jobs <- files[len(files)-batch:]
		}
		return nil
	})
	if rest := len(files) % batch; rest > 0 {
		jobs <- files[len(files)-rest:]
	}
	close(jobs)
	wg.Wait()
	if w.ctx.Err() != nil {
		return h // the walk reports the cancellation
	}
	if err != nil {
		h.violate(w.head.String(), "records", objectRule(err), "listing records at HEAD: "+err.Error())
	}
	h.records = len(files)
	h.inWork = make(map[string]bool, len(files))
	for _, f := range files {
		h.inWork[f.path] = f.inWork
	}

	// No two records at HEAD share an ID (lint's id-unique, which looks
	// across files and so cannot be a per-record check).
	firstWithID := map[string]string{}
	for _, f := range files {
		if f.err != nil || f.id == "" {
			continue
		}
		if other, dup := firstWithID[f.id]; dup {
			h.violate(head, f.path, RuleRecordLint, fmt.Sprintf("id-unique: id %s is also used by %s", f.id, other))
			continue
		}
		firstWithID[f.id] = f.path
	}
	for _, f := range files {
		if f.err != nil {
			rule := RuleRecordInvalid
			if errors.Is(f.err, errCorruptObject) {
				rule = RuleObjectCorrupt
			}
			h.violate(head, f.path, rule, fmt.Sprintf("record cannot be read, so its evidence is unchecked: %v", f.err))
			continue
		}
		for _, pr := range f.probs {
			file := f.path
			if pr.Line > 0 {
				file = fmt.Sprintf("%s:%d", f.path, pr.Line)
			}
			h.violate(head, file, RuleRecordLint, pr.Rule+": "+pr.Message)
		}
		h.violations = append(h.violations, f.evidenceVs...)
		h.evidence += f.nEvidence
	}
	return h
}

// blobSum is an evidence file's SHA-256 and size.
type blobSum struct {
	digest string
	size   int64
}

// checkEvidence checks the evidence items of the record at recPath against
// the files at HEAD (tree), reading through r; hashed holds the sums of the
// blobs already hashed by the caller. It returns the violations and the
// number of items with a path.
func checkEvidence(r *Repository, tree plumbing.Hash, head, recPath string, evs []record.Evidence, hashed map[plumbing.Hash]blobSum) ([]Violation, int) {
	var vs []Violation
	violate := func(file, rule, reason string) {
		vs = append(vs, Violation{Commit: head, File: file, Rule: rule, Reason: reason})
	}
	n := 0
	for _, ev := range evs {
		if ev.Path == "" {
			continue
		}
		n++
		what := fmt.Sprintf("evidence %s of %s", ev.ID, recPath)
		if err := checkRepoPath(ev.Path); err != nil {
			violate(ev.Path, RuleEvidencePath, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		e, ok, err := r.lookupPath(tree, ev.Path)
		if err != nil {
			violate(ev.Path, objectRule(err), fmt.Sprintf("%s: %v", what, err))
			continue
		}
		if !ok {
			violate(ev.Path, RuleEvidenceMissing, what+": file is not in the repository at HEAD")
			continue
		}
		if !e.isFile() {
			violate(ev.Path, RuleEvidenceMissing, fmt.Sprintf("%s: not a regular file at HEAD (mode %o)", what, uint32(e.mode)))
			continue
		}
		sum, ok := hashed[e.hash]
		if !ok {
			digest, size, err := r.hashBlob(e.hash)
			if err != nil {
				violate(ev.Path, RuleEvidenceMissing, fmt.Sprintf("%s: %v", what, err))
				continue
			}
			sum = blobSum{digest, size}
			hashed[e.hash] = sum
		}
		want := strings.ToLower(strings.TrimPrefix(ev.SHA256, "sha256:"))
		switch {
		case want == "":
			violate(ev.Path, RuleEvidenceMismatch, what+": the record states no sha256, so integrity cannot be checked")
		case want != sum.digest:
			violate(ev.Path, RuleEvidenceMismatch, fmt.Sprintf("%s: sha256 is %s, the record states %s", what, sum.digest, want))
		case ev.Size != 0 && ev.Size != sum.size:
			violate(ev.Path, RuleEvidenceMismatch, fmt.Sprintf("%s: size is %d bytes, the record states %d", what, sum.size, ev.Size))
		}
	}
	return vs, n
}

// smallBlob is the largest blob hashBlob reads whole.
const smallBlob = 1 << 20

// hashBlob returns a blob's SHA-256 and size. A blob bigger than smallBlob
// is streamed, so evidence of any size is hashed without holding it in
// memory.
func (r *Repository) hashBlob(h plumbing.Hash) (string, int64, error) {
	// A small blob is inflated whole with the reader's own decompressor:
	// a stream needs a new one, which costs more than a few KB of data.
	if r.fast != nil {
		if t, data, err := r.fast.read(h, smallBlob); err == nil && t == plumbing.BlobObject {
			sum := sha256.Sum256(data)
			return hex.EncodeToString(sum[:]), int64(len(data)), nil
		}
	}
	var rd io.ReadCloser
	var err error
	if r.fast != nil {
		rd, err = r.fast.stream(h)
	}
	if r.fast == nil || err != nil {
		o, err := r.st.EncodedObject(plumbing.BlobObject, h)
		if err != nil {
			return "", 0, fmt.Errorf("reading blob %s: %w", h, err)
		}
		if rd, err = o.Reader(); err != nil {
			return "", 0, fmt.Errorf("reading blob %s: %w", h, err)
		}
	}
	defer rd.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, rd)
	if err != nil {
		return "", 0, fmt.Errorf("reading blob %s: %w", h, err)
	}
	return hex.EncodeToString(sum.Sum(nil)), n, nil
}

// checkRepoPath mirrors store.CheckPath (which custody cannot import,
// since store imports custody): a clean, relative, slash-separated path
// without "..", "." or .git components.
func checkRepoPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case len(p) > 4096:
		return errors.New("path too long")
	case strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':'):
		return fmt.Errorf("path %q is absolute", p)
	case strings.ContainsRune(p, '\\'):
		return fmt.Errorf("path %q contains a backslash", p)
	case path.Clean(p) != p:
		return fmt.Errorf("path %q is not clean", p)
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("path %q contains a control character", p)
		}
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." {
			return fmt.Errorf("path %q leaves the repository", p)
		}
		if t := strings.TrimRight(part, ". "); strings.EqualFold(t, ".git") || strings.EqualFold(part, "git~1") {
			return fmt.Errorf("path %q contains a .git component", p)
		}
	}
	return nil
}

// checkSeals verifies every seal tag.
func (w *walker) checkSeals() error {
	iter, err := w.r.st.IterReferences()
	if err != nil {
		return fmt.Errorf("listing tags: %w", err)
	}
	type ref struct {
		name string
		hash plumbing.Hash
	}
	var refs []ref
	err = iter.ForEach(func(rf *plumbing.Reference) error {
		name := rf.Name().String()
		if !strings.HasPrefix(name, w.opts.SealPrefix) || rf.Type() != plumbing.HashReference {
			return nil
		}
		refs = append(refs, ref{name, rf.Hash()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing tags: %w", err)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].name < refs[j].name })
	for _, rf := range refs {
		if err := w.checkSeal(rf.name, rf.hash); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) checkSeal(name string, target plumbing.Hash) error {
	w.rep.Counts.Seals++
	res := SealResult{Ref: name, Commit: target.String()}
	fail := func(rule, reason string) {
		res.Rules = mergeStrings(res.Rules, []string{rule})
		w.violate(name, "", rule, reason)
	}
	defer func() { w.rep.Seals = append(w.rep.Seals, res) }()

	raw, typ, err := w.r.readRaw(target, plumbing.AnyObject)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		fail(RuleSealNotAncestor, fmt.Sprintf("seal points to %s, which is not in the repository", target))
		return nil
	}
	if err != nil {
		fail(objectRule(err), err.Error())
		return nil
	}
	var commit plumbing.Hash
	var tag *rawTag
	switch typ {
	case plumbing.CommitObject:
		commit = target
		res.Signature = SignatureStatus{Rule: RuleSealUnsigned, Reason: "lightweight tag"}
		fail(RuleSealUnsigned, "seal is a lightweight tag; a seal must be a signed annotated tag (casefile seal)")
	case plumbing.TagObject:
		tag, err = parseRawTag(target, raw)
		if err != nil {
			fail(RuleSealBadSignature, err.Error())
			return nil
		}
		res.Tag = target.String()
		res.Tagger = personOf(tag.tagger)
		commit, err = w.r.peelToCommit(tag.target)
		if errors.Is(err, plumbing.ErrObjectNotFound) && !errors.Is(err, errCorruptObject) {
			rule := RuleSealNotAncestor
			why := fmt.Sprintf("sealed object %s is not in the repository: history was rewritten", tag.target)
			if len(w.shallow) > 0 {
				rule, why = RuleShallow, fmt.Sprintf("sealed object %s is beyond the shallow clone boundary; the seal cannot be verified", tag.target)
			}
			res.Commit = tag.target.String()
			fail(rule, why)
			return nil
		}
		if err != nil {
			fail(objectRule(err), err.Error())
			return nil
		}
	default:
		fail(RuleSealUnsigned, fmt.Sprintf("seal points to a %s, not a tag", typ))
		return nil
	}
	res.Commit = commit.String()

	if tag != nil {
		sc, err := w.r.readCommit(commit)
		if err != nil {
			fail(objectRule(err), fmt.Sprintf("sealed commit: %v", err))
			return nil
		}
		trust, err := w.trust.at(sc.tree)
		if err != nil {
			fail(objectRule(err), fmt.Sprintf("trust files of the sealed commit: %v", err))
			return nil
		}
		st := VerifySignature(tag.signature, tag.payload, trust)
		applyTrust(&st, []*Trust{trust}, tag.tagger.Email, tag.tagger.When, false, w.pol)
		res.Signature = st
		switch st.Rule {
		case "":
		case RuleUnsigned:
			fail(RuleSealUnsigned, "seal tag is not signed")
		case RuleBadSignature:
			fail(RuleSealBadSignature, st.Reason)
		default:
			fail(RuleSealUntrusted, st.Reason+" (trust as of the sealed commit)")
		}
	}

	ok, err := w.isAncestor(commit)
	if err != nil {
		return err
	}
	res.Ancestor = ok
	if !ok {
		fail(RuleSealNotAncestor, fmt.Sprintf("sealed commit %s is not an ancestor of HEAD: history was rewritten after the seal", shortHash(commit.String())))
	}
	return nil
}

func (w *walker) isAncestor(h plumbing.Hash) (bool, error) {
	if _, ok := w.commits[h]; ok {
		return true, nil
	}
	if w.opts.From == "" {
		return false, nil
	}
	if w.reachable == nil {
		var err error
		if w.reachable, err = w.ancestors(w.head); err != nil {
			return false, err
		}
	}
	return w.reachable[h], nil
}

func subjectOf(msg string) string {
	s, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n")
	return strings.TrimSpace(s)
}
