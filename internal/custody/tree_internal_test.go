package custody

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// rawTreeOf encodes entries the way git does (they must be in git's order).
func rawTreeOf(entries ...treeEntry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(strings.TrimPrefix(e.mode.String(), "0") + " " + e.name + "\x00")
		b.Write(e.hash[:])
	}
	return b.Bytes()
}

func TestParseTree(t *testing.T) {
	h1, h2 := plumbing.NewHash(strings.Repeat("1", 40)), plumbing.NewHash(strings.Repeat("2", 40))
	want := []treeEntry{
		{name: "2026", mode: filemode.Dir, hash: h1},
		{name: "a b.yaml", mode: filemode.Regular, hash: h2},
		{name: "run.sh", mode: filemode.Executable, hash: h1},
	}
	raw := rawTreeOf(want...)
	got, err := parseTree(plumbing.ZeroHash, raw)
	if err != nil || len(got) != len(want) {
		t.Fatalf("parseTree = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if e := scanTree(raw, "a b.yaml"); e != want[1] {
		t.Errorf("scanTree = %+v", e)
	}
	if e := scanTree(raw, "missing"); e != (treeEntry{}) {
		t.Errorf("scanTree of a missing name = %+v", e)
	}
	hash := string(h1[:])
	for name, bad := range map[string]string{
		"no space":          "100644a\x00" + hash,
		"empty mode":        " a\x00" + hash,
		"mode not octal":    "100648 a\x00" + hash,
		"mode overflows":    "777777777777 a\x00" + hash,
		"no NUL":            "100644 a",
		"empty name":        "100644 \x00" + hash,
		"short hash":        "100644 a\x00" + hash[:19],
		"bad second entry":  "100644 a\x00" + hash + "x",
		"truncated entries": "100644 a\x00" + hash + "100644 b\x00",
	} {
		if _, err := parseTree(plumbing.ZeroHash, []byte(bad)); err == nil {
			t.Errorf("%s: parseTree accepted %q", name, bad)
		}
		if e := scanTree([]byte(bad), "b"); e != (treeEntry{}) {
			t.Errorf("%s: scanTree found %+v", name, e)
		}
	}
}

// TestCompareNames: compareNames sorts as git orders tree entries, a
// directory as if its name ended in "/", for both string and byte names.
func TestCompareNames(t *testing.T) {
	type ent struct {
		name string
		dir  bool
	}
	// git's order (as `git ls-tree` lists a tree holding them).
	want := []ent{{"a", false}, {"a-b", false}, {"a.yaml", false}, {"a", true}, {"a0", false}, {"b", false}, {"b", true}}
	got := append([]ent(nil), want...)
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	sort.SliceStable(got, func(i, j int) bool { return compareNames(got[i].name, got[j].name, got[i].dir, got[j].dir) < 0 })
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted = %v, want %v", got, want)
		}
		for j := range want {
			s := compareNames(want[i].name, want[j].name, want[i].dir, want[j].dir)
			b := compareNames([]byte(want[i].name), []byte(want[j].name), want[i].dir, want[j].dir)
			if s != b || (s < 0) != (i < j) || (s == 0) != (i == j) {
				t.Errorf("compareNames(%v, %v) = %d (bytes %d)", want[i], want[j], s, b)
			}
		}
	}
}
