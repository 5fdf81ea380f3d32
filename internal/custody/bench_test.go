package custody_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/custody"

	"github.com/casefile/casefile/internal/testtools"
)

var (
	benchCommits = flag.Int("custody.commits", 1000, "number of signed commits in the generated benchmark history")
	benchLoose   = flag.Bool("custody.loose", false, "leave the benchmark repository's objects loose instead of packing them as a clone would")
	benchSample  = flag.Int("custody.gitsample", 0, "time `git log --show-signature` on only the newest N commits (0: all); git's cost per commit is constant, so ns/commit stays comparable")
)

// benchLog is a generated records repository: a linear history of signed
// commits, each changing one record the way casefile does (a quarter of
// them creating a record, a tenth adding an evidence file), with the
// allowed_signers file growing every 500 commits.
type benchLog struct {
	dir        string
	env        []string
	allowed    string // allowed_signers file for git's verification
	historyOf  string // a record with a typical number of changes
	historyLen int
}

// objWriter writes loose objects without fsync: benchmark repositories
// are scratch data and fsync would dominate generation time.
type objWriter struct {
	tb  testing.TB
	dir string
	zw  *zlib.Writer
	buf bytes.Buffer
}

func (w *objWriter) write(typ string, content []byte) [20]byte {
	hdr := fmt.Sprintf("%s %d\x00", typ, len(content))
	h := sha1.New()
	h.Write([]byte(hdr))
	h.Write(content)
	var sum [20]byte
	copy(sum[:], h.Sum(nil))
	hexSum := hex.EncodeToString(sum[:])
	p := filepath.Join(w.dir, "objects", hexSum[:2], hexSum[2:])
	if _, err := os.Stat(p); err == nil {
		return sum
	}
	w.buf.Reset()
	w.zw.Reset(&w.buf)
	// Writes into a bytes.Buffer cannot fail.
	_, _ = w.zw.Write([]byte(hdr))
	_, _ = w.zw.Write(content)
	_ = w.zw.Close()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.tb.Fatal(err)
	}
	if err := os.WriteFile(p, w.buf.Bytes(), 0o444); err != nil {
		w.tb.Fatal(err)
	}
	return sum
}

type genEntry struct {
	name string
	dir  bool
	hash [20]byte
}

func (w *objWriter) tree(entries []genEntry) [20]byte {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i].name, entries[j].name
		if entries[i].dir {
			a += "/"
		}
		if entries[j].dir {
			b += "/"
		}
		return a < b
	})
	var b bytes.Buffer
	for _, e := range entries {
		mode := "100644"
		if e.dir {
			mode = "40000"
		}
		b.WriteString(mode + " " + e.name + "\x00")
		b.Write(e.hash[:])
	}
	return w.write("tree", b.Bytes())
}

// newBenchLog generates the repository in a temporary directory.
func newBenchLog(tb testing.TB, commits int) *benchLog {
	tb.Helper()
	testtools.Require(tb, "git")
	start := time.Now()
	l := newTestLog(tb)
	w := &objWriter{tb: tb, dir: filepath.Join(l.dir, ".git"), zw: zlib.NewWriter(nil)}
	rng := rand.New(rand.NewPCG(7, 7))

	var keys []*testKey
	for i := range 4 {
		keys = append(keys, newSSHKey(tb, fmt.Sprintf("Analyst %d", i), fmt.Sprintf("analyst%d@example.com", i)))
	}
	trusted := 2
	allowedText := func() string {
		var b strings.Builder
		b.WriteString("# casefile trusted signers\n")
		for _, k := range keys[:trusted] {
			b.WriteString(k.allowedLine(`namespaces="git"`))
		}
		return b.String()
	}

	type rec struct {
		id, year, path string
		actions        []string
		evidence       []string
		status         string
	}
	var recs []*rec
	years := map[string]map[string][20]byte{} // year → file name → blob
	evidence := map[string][20]byte{}         // "ID/file" → blob
	confBlob := w.write("blob", []byte("organisation: Example Ltd\nsigning:\n  policy: required\n"))
	allowedBlob := w.write("blob", []byte(allowedText()))
	statuses := []string{"reported", "assessed", "responding", "contained", "recovered", "closed"}
	changes := map[string]int{}
	yearTrees := map[string][20]byte{}
	evTrees := map[string][20]byte{}
	var evRoot [20]byte
	evChanged := ""

	var parent [20]byte
	when := time.Date(2019, 1, 2, 9, 0, 0, 0, time.UTC)
	for i := range commits {
		when = when.Add(time.Duration(3+rng.IntN(600)) * time.Minute)
		var r *rec
		action := "update"
		switch {
		case i > 0 && i%500 == 0 && trusted < len(keys):
			// A trust change, signed by a key already trusted.
			trusted++
			allowedBlob = w.write("blob", []byte(allowedText()))
		case len(recs) == 0 || rng.IntN(4) == 0:
			year := fmt.Sprint(2019 + min(7, i*8/commits))
			r = &rec{id: fmt.Sprintf("INC-%s-%04d", year, len(recs)+1), year: year, status: "reported"}
			r.path = "records/" + r.year + "/" + r.id + ".yaml"
			recs = append(recs, r)
			action = "new"
		default:
			r = recs[len(recs)-1-min(len(recs)-1, int(rng.ExpFloat64()*20))]
			r.status = statuses[min(len(statuses)-1, len(r.actions)/2+1)]
			r.actions = append(r.actions, fmt.Sprintf("  - at: %s\n    by: %s\n    type: containment\n    text: step %d of the response, %s\n",
				when.Format(time.RFC3339), keys[i%trusted].email, len(r.actions)+1, strings.Repeat("details ", 6+rng.IntN(10))))
			if rng.IntN(10) == 0 {
				name := fmt.Sprintf("ev-%d.txt", len(r.evidence)+1)
				content := fmt.Sprintf("evidence %s %d\n%s", r.id, i, strings.Repeat("log line\n", 20+rng.IntN(50)))
				sum := sha256.Sum256([]byte(content))
				p := "evidence/" + r.id + "/" + name
				evidence[r.id+"/"+name] = w.write("blob", []byte(content))
				evChanged = r.id
				r.evidence = append(r.evidence, fmt.Sprintf("  - id: EV-%d\n    description: collected file\n    path: %s\n    sha256: %s\n    size: %d\n",
					len(r.evidence)+1, p, hex.EncodeToString(sum[:]), len(content)))
			}
		}
		if r != nil {
			changes[r.path]++
			var b strings.Builder
			fmt.Fprintf(&b, "id: %s\nkind: incident\ntitle: Phishing led to mailbox compromise at site %d\nstatus: %s\ntlp: amber\n", r.id, i%17, r.status)
			fmt.Fprintf(&b, "reported: {at: %s, by: reporter@example.com, channel: email}\n", when.Format(time.RFC3339))
			b.WriteString("description: >-\n  " + strings.Repeat("A user reported a suspicious message and the mailbox rules. ", 4) + "\n")
			b.WriteString("affected: {systems: [mail], processes: [payroll]}\n")
			if len(r.actions) > 0 {
				b.WriteString("actions:\n" + strings.Join(r.actions, ""))
			}
			if len(r.evidence) > 0 {
				b.WriteString("evidence:\n" + strings.Join(r.evidence, ""))
			}
			if years[r.year] == nil {
				years[r.year] = map[string][20]byte{}
			}
			years[r.year][r.id+".yaml"] = w.write("blob", []byte(b.String()))
		}

		// Rebuild the trees along the changed paths only.
		if r != nil {
			var es []genEntry
			for name, h := range years[r.year] {
				es = append(es, genEntry{name: name, hash: h})
			}
			yearTrees[r.year] = w.tree(es)
		}
		var recTree []genEntry
		for y, h := range yearTrees {
			recTree = append(recTree, genEntry{name: y, dir: true, hash: h})
		}
		root := []genEntry{
			{name: "casefile.yaml", hash: confBlob},
			{name: ".casefile", dir: true, hash: w.tree([]genEntry{{name: "allowed_signers", hash: allowedBlob}})},
			{name: "records", dir: true, hash: w.tree(recTree)},
		}
		if evChanged != "" {
			var es []genEntry
			for k, h := range evidence {
				if id, name, _ := strings.Cut(k, "/"); id == evChanged {
					es = append(es, genEntry{name: name, hash: h})
				}
			}
			evTrees[evChanged] = w.tree(es)
			var evTree []genEntry
			for id, h := range evTrees {
				evTree = append(evTree, genEntry{name: id, dir: true, hash: h})
			}
			evRoot = w.tree(evTree)
			evChanged = ""
		}
		if len(evTrees) > 0 {
			root = append(root, genEntry{name: "evidence", dir: true, hash: evRoot})
		}
		rootHash := w.tree(root)

		signer := keys[i%trusted]
		if i == 0 || r == nil {
			signer = keys[0] // the root and trust changes: a key trusted before
		}
		var c strings.Builder
		fmt.Fprintf(&c, "tree %x\n", rootHash)
		if i > 0 {
			fmt.Fprintf(&c, "parent %x\n", parent)
		}
		ident := fmt.Sprintf("%s <%s> %d +0000", signer.name, signer.email, when.Unix())
		fmt.Fprintf(&c, "author %s\ncommitter %s\n", ident, ident)
		var msg string
		if r != nil {
			msg = fmt.Sprintf("\n%s: %s\n\nCasefile-Record: %s\nCasefile-Action: %s\n", r.id, action, r.id, action)
		} else {
			msg = "\ntrust: add a signer\n\nCasefile-Action: trust-add\n"
		}
		payload := c.String() + msg
		sig, err := signer.signer.Sign(strings.NewReader(payload))
		if err != nil {
			tb.Fatal(err)
		}
		c.WriteString("gpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n")
		parent = w.write("commit", []byte(c.String()+msg))
	}
	head := hex.EncodeToString(parent[:])
	l.git(nil, "update-ref", "refs/heads/main", head)

	// A seal on the newest commit.
	tagPayload := fmt.Sprintf("object %s\ntype commit\ntag casefile-seal-bench\ntagger %s <%s> %d +0000\n\nbenchmark seal\n",
		head, keys[0].name, keys[0].email, when.Unix())
	tagSig, err := keys[0].signer.Sign(strings.NewReader(tagPayload))
	if err != nil {
		tb.Fatal(err)
	}
	tag := w.write("tag", []byte(tagPayload+string(tagSig)))
	l.git(nil, "update-ref", "refs/tags/casefile-seal-bench", hex.EncodeToString(tag[:]))
	if !*benchLoose {
		l.git(nil, "repack", "-adq")
		l.git(nil, "prune-packed")
	}

	b := &benchLog{dir: l.dir, env: l.env, allowed: filepath.Join(tb.TempDir(), "allowed_signers")}
	var all strings.Builder
	for _, k := range keys {
		all.WriteString(k.allowedLine(""))
	}
	if err := os.WriteFile(b.allowed, []byte(all.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	// The record with the median number of changes among those with more
	// than one: a typical `casefile history` target.
	var counts []int
	for _, n := range changes {
		counts = append(counts, n)
	}
	sort.Ints(counts)
	median := counts[len(counts)*3/4]
	for _, r := range recs {
		if changes[r.path] == median {
			b.historyOf, b.historyLen = r.path, median
			break
		}
	}
	tb.Logf("generated %d commits, %d records in %s (history target %s, %d changes)", commits, len(recs), time.Since(start).Round(time.Millisecond), b.historyOf, b.historyLen)
	return b
}

// gitLogShowSignature runs `git log --show-signature` over the whole
// history the way an auditor would check it with stock git: one
// ssh-keygen process per signed commit.
func (b *benchLog) gitLogShowSignature(tb testing.TB, n int) {
	b.run(tb, "-c", "gpg.ssh.allowedSignersFile="+b.allowed, "log", "--show-signature", "--format=%H", fmt.Sprintf("-n%d", n))
}

func (b *benchLog) run(tb testing.TB, args ...string) []byte {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = b.dir, b.env
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// BenchmarkVerify compares Verify with `git log --show-signature` on the
// same generated history (-custody.commits, default 1000).
func BenchmarkVerify(b *testing.B) {
	l := newBenchLog(b, *benchCommits)
	b.Run("casefile", func(b *testing.B) {
		for b.Loop() {
			rep := verifyAt(b, l.dir, custody.VerifyOptions{})
			if !rep.OK() || rep.Counts.Commits != *benchCommits {
				b.Fatalf("benchmark history does not verify:\n%s", dump(rep))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**benchCommits), "ns/commit")
	})
	b.Run("casefile-1worker", func(b *testing.B) {
		for b.Loop() {
			verifyAt(b, l.dir, custody.VerifyOptions{Workers: 1})
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**benchCommits), "ns/commit")
	})
	b.Run("git-log-show-signature", func(b *testing.B) {
		n := *benchCommits
		if *benchSample > 0 {
			n = min(n, *benchSample)
		}
		for b.Loop() {
			l.gitLogShowSignature(b, n)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/commit")
	})
}

// BenchmarkHistory compares History of one record with `git log
// --format=%H -- <path>` on the same generated history.
func BenchmarkHistory(b *testing.B) {
	l := newBenchLog(b, *benchCommits)
	want := len(strings.Fields(string(l.run(b, "log", "--format=%H", "--", l.historyOf))))
	b.Run("casefile", func(b *testing.B) {
		r, err := custody.OpenRepository(l.dir)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		for b.Loop() {
			h, err := custody.History(context.Background(), r, l.historyOf, custody.HistoryOptions{})
			if err != nil || len(h) != want {
				b.Fatalf("history: %d entries (git: %d), %v", len(h), want, err)
			}
		}
	})
	b.Run("casefile-reopen", func(b *testing.B) {
		for b.Loop() {
			r, err := custody.OpenRepository(l.dir)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := custody.History(context.Background(), r, l.historyOf, custody.HistoryOptions{}); err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
	b.Run("git-log-path", func(b *testing.B) {
		for b.Loop() {
			l.run(b, "log", "--format=%H", "--", l.historyOf)
		}
	})
}

// TestBenchLogVerifies keeps the generator honest at a small size: its
// history verifies, its commits pass stock git's verification, and
// History agrees with git log.
func TestBenchLogVerifies(t *testing.T) {
	l := newBenchLog(t, 60)
	rep := verifyAt(t, l.dir, custody.VerifyOptions{})
	if !rep.OK() || rep.Counts.Commits != 60 || rep.Counts.Seals != 1 {
		t.Fatalf("generated history:\n%s", dump(rep))
	}
	out := string(l.run(t, "-c", "gpg.ssh.allowedSignersFile="+l.allowed, "log", "--format=%G?"))
	if strings.Count(out, "G") != 60 {
		t.Fatalf("git does not accept the generated signatures:\n%s", out)
	}
	r, err := custody.OpenRepository(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	hist, err := custody.History(context.Background(), r, l.historyOf, custody.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gitHashes := strings.Fields(string(l.run(t, "log", "--format=%H", "--", l.historyOf)))
	var ours []string
	for _, e := range hist {
		ours = append(ours, e.Commit)
		if !e.Signature.OK() {
			t.Errorf("history entry %s: %+v", e.Commit[:8], e.Signature)
		}
	}
	if strings.Join(ours, " ") != strings.Join(gitHashes, " ") {
		t.Errorf("history = %v\ngit log  = %v", ours, gitHashes)
	}
}
