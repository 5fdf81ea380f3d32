package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitStreams commits a file from a stream: git must see the same
// blob it would have made itself, the work-tree copy must match, and the
// index must be clean.
func TestCommitStreams(t *testing.T) {
	g := newGitRepo(t)
	r := g.open()
	src := filepath.Join(t.TempDir(), "capture.pcap")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	// 3 MiB of varied bytes, larger than any single buffer on the way.
	sum := sha256.New()
	w := io.MultiWriter(f, sum)
	for i := range 3 << 10 {
		if _, err := io.WriteString(w, strings.Repeat(string(rune('a'+i%26)), 1023)+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	want := hex.EncodeToString(sum.Sum(nil))

	c := change("records/2026/INC-2026-0001.yaml", "id: INC-2026-0001\n", "INC-2026-0001: evidence")
	c.Streams = map[string]string{"evidence/INC-2026-0001/capture.pcap": src}
	mustCommit(t, r, c)
	g.fsck()
	if st := g.status(); st != "" {
		t.Errorf("status after a streamed commit:\n%s", st)
	}
	blob := strings.TrimSpace(g.run("rev-parse", "HEAD:evidence/INC-2026-0001/capture.pcap"))
	if h := strings.TrimSpace(g.run("hash-object", src)); h != blob {
		t.Errorf("blob %s, git hash-object says %s", blob, h)
	}
	data, err := os.ReadFile(filepath.Join(g.dir, "evidence", "INC-2026-0001", "capture.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.Sum256(data)
	if hex.EncodeToString(got[:]) != want {
		t.Error("work-tree copy differs from the source")
	}
	// No temporary object files are left behind.
	tmps, _ := filepath.Glob(filepath.Join(g.dir, ".git", "objects", "tmp_obj_*"))
	if len(tmps) > 0 {
		t.Errorf("temporary objects left: %v", tmps)
	}

	// A path in both Files and Streams, and a source that is not a file,
	// are refused before anything changes.
	head := g.head()
	bad := change("evidence/x", "x", "bad")
	bad.Streams = map[string]string{"evidence/x": src}
	if _, err := r.Commit(t.Context(), bad); err == nil {
		t.Error("a path in Files and Streams was accepted")
	}
	dirSrc := change("records/a.yaml", "a\n", "dir")
	dirSrc.Streams = map[string]string{"evidence/d": t.TempDir()}
	if _, err := r.Commit(t.Context(), dirSrc); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory as a stream source: %v", err)
	}
	if g.head() != head {
		t.Error("a refused commit moved HEAD")
	}
	if _, err := os.Stat(filepath.Join(g.dir, "evidence", "d")); err == nil {
		t.Error("a refused commit wrote evidence/d")
	}
}
