package lint

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/casefile/casefile/internal/atomicfile"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
)

// VerdictCache remembers which record files lint found clean and over what
// span of time that verdict holds, so that a later run with the same
// configuration and the same casefile gives the verdict without decoding
// or checking the file again. Only three rules depend on the clock, each
// one way: time-future holds from the record's latest time on,
// corrective-action-overdue until the earliest due date of an open
// action, notification-overdue until the earliest deadline of an open
// obligation; a clean record stays clean between those bounds (cleanSpan).
// The key is the SHA-256 of the file's path and content (the file name
// must match the ID). The file's header names the configuration and the
// casefile binary (whose schema and rules the verdicts are) they hold for;
// any other header, or a file that does not read back, is an empty cache.
// A VerdictCache is safe for concurrent use.
//
// Like the schema cache, it is only as trustworthy as the file: casefile
// uses it for the stamp of reports, never for casefile verify.
type VerdictCache struct {
	path, header string
	mu           sync.Mutex
	known        map[[32]byte]verdict
	used         map[[32]byte]verdict
	added        int
}

// verdict is a clean verdict: it holds for From <= now < Until (a zero
// bound: none), and carries what a caller needs of the record without
// decoding it.
type verdict struct {
	From, Until time.Time
	ID          string
	Evidence    []evidenceRef
}

func (v verdict) holds(now time.Time) bool {
	return !now.Before(v.From) && (v.Until.IsZero() || now.Before(v.Until))
}

// evidenceRef is what verify checks of an evidence item.
type evidenceRef struct {
	ID, Path, SHA256 string
	Size             int64
}

// VerdictFileName is the cache's file name inside the casefile folder of a
// repository's git directory.
const VerdictFileName = "lint-clean"

// verdictMagic starts the header, which names what the verdicts hold for.
const verdictMagic = "casefile lint verdicts 1"

// OpenVerdictCache reads the cache at path for the configuration whose
// casefile.yaml is config (nil: the defaults). A missing, unreadable or
// foreign file is an empty cache (Save replaces it). It returns nil, no
// cache, when the running casefile cannot be identified.
func OpenVerdictCache(path string, config []byte) *VerdictCache {
	if binaryID() == "" {
		return nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", verdictMagic, binaryID())
	h.Write(config)
	c := &VerdictCache{
		path: path, header: verdictMagic + " " + hex.EncodeToString(h.Sum(nil)) + "\n",
		known: map[[32]byte]verdict{}, used: map[[32]byte]verdict{},
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c
	}
	body, ok := bytes.CutPrefix(data, []byte(c.header))
	if !ok {
		return c
	}
	var entries []verdictEntry
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&entries); err != nil {
		return c
	}
	for _, e := range entries {
		c.known[e.Key] = e.V
	}
	return c
}

type verdictEntry struct {
	Key [32]byte
	V   verdict
}

// binaryID identifies the running casefile (its executable's SHA-256), so
// that verdicts found by other rules are not reused; "" when it cannot be
// read.
var binaryID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

func verdictKey(path string, data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(data)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *VerdictCache) get(k [32]byte, now time.Time) (verdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.used[k]
	if !ok {
		v, ok = c.known[k]
	}
	if !ok || !v.holds(now) {
		return verdict{}, false
	}
	c.used[k] = v
	return v, true
}

func (c *VerdictCache) add(k [32]byte, v verdict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used[k] = v
	c.added++
}

// Save writes the verdicts used or found in this run, so that the file
// holds those of the records just checked, when anything changed,
// replacing the file whole (atomicfile).
func (c *VerdictCache) Save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.added == 0 && len(c.used) == len(c.known) {
		return nil
	}
	entries := make([]verdictEntry, 0, len(c.used))
	for k, v := range c.used {
		entries = append(entries, verdictEntry{k, v})
	}
	var buf bytes.Buffer
	buf.WriteString(c.header)
	if err := gob.NewEncoder(&buf).Encode(entries); err != nil {
		return fmt.Errorf("saving the lint verdicts: %w", err)
	}
	if err := atomicfile.WriteBytes(c.path, 0o644, false, buf.Bytes()); err != nil {
		return fmt.Errorf("saving the lint verdicts: %w", err)
	}
	c.known, c.used, c.added = c.used, map[[32]byte]verdict{}, 0
	return nil
}

// Checked is what LintCached gives of one record file.
type Checked struct {
	Findings []Finding
	// Decoded: the content is a record, and ID and Evidence are its own
	// (of each evidence item, its ID, Path, SHA256 and Size only).
	Decoded  bool
	ID       string
	Evidence []record.Evidence
}

// LintCached is LintData through the verdict cache, when the Linter has
// one: content the cache knows was clean at a time whose span includes now
// gets its verdict without being decoded or checked; content found clean
// now is added, with the span its verdict holds for.
func (l *Linter) LintCached(path string, data []byte) Checked {
	var key [32]byte
	if l.verdicts != nil {
		key = verdictKey(path, data)
		if v, ok := l.verdicts.get(key, l.now); ok {
			ev := make([]record.Evidence, len(v.Evidence))
			for i, e := range v.Evidence {
				ev[i] = record.Evidence{ID: e.ID, Path: e.Path, SHA256: e.SHA256, Size: e.Size}
			}
			return Checked{Decoded: true, ID: v.ID, Evidence: ev}
		}
	}
	res, rec := l.LintData(path, data)
	out := Checked{Findings: res.Findings, Decoded: rec != nil}
	if rec == nil {
		return out
	}
	out.ID, out.Evidence = rec.ID, rec.Evidence
	if l.verdicts != nil && len(res.Findings) == 0 {
		from, until := l.cleanSpan(rec)
		v := verdict{From: from, Until: until, ID: rec.ID}
		for _, e := range rec.Evidence {
			v.Evidence = append(v.Evidence, evidenceRef{e.ID, e.Path, e.SHA256, e.Size})
		}
		l.verdicts.add(key, v)
	}
	return out
}

// cleanSpan returns the span of time [from, until) over which a record
// that is clean now stays clean (a zero bound: none). It mirrors the three
// rules that read the clock: time-future (a time more than clockSkew
// after now), corrective-action-overdue (an open action due before
// today) and notification-overdue (an open obligation past its deadline).
// Each bound is where its rule could first find something.
func (l *Linter) cleanSpan(rec *record.Record) (from, until time.Time) {
	earlier := func(t time.Time) {
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	for _, nt := range allTimes(rec) {
		if nt.t.IsSet() {
			if f := nt.t.Start().Add(-clockSkew); f.After(from) {
				from = f
			}
		}
	}
	for _, a := range rec.CorrectiveActions {
		if a.Due.IsSet() && (a.Status == record.CAOpen || a.Status == record.CAInProgress) {
			earlier(a.Due.End())
		}
	}
	if len(rec.Regimes) > 0 && l.cfg.Rules != nil {
		for _, st := range regime.Evaluate(rec, l.cfg.Rules, l.now, l.cfg.Location) {
			if st.State == regime.StateOpen {
				earlier(st.Deadline)
			}
		}
	}
	return from, until
}
