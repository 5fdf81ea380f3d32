package validate

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCacheRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "casefile", CacheFileName)
	a, b, c := Digest([]byte("a")), Digest([]byte("b")), Digest([]byte("c"))

	empty := OpenCache(path) // missing file: empty
	if empty.Known(a) {
		t.Fatal("an empty cache knows a digest")
	}
	empty.Add(a)
	empty.Add(b)
	if err := empty.Save(); err != nil {
		t.Fatal(err)
	}
	got := OpenCache(path)
	if !got.Known(a) || !got.Known(b) || got.Known(c) {
		t.Fatalf("reopened cache: a %v b %v c %v, want true true false", got.Known(a), got.Known(b), got.Known(c))
	}

	// Nothing new and everything used: the file is not rewritten.
	fi, _ := os.Stat(path)
	if err := os.Chtimes(path, fi.ModTime().Add(-3600e9), fi.ModTime().Add(-3600e9)); err != nil {
		t.Fatal(err)
	}
	old, _ := os.Stat(path)
	if err := got.Save(); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.Stat(path); !now.ModTime().Equal(old.ModTime()) {
		t.Error("Save rewrote a cache that did not change")
	}

	// A run that saw only b and c keeps those, and drops a.
	run := OpenCache(path)
	run.Known(b)
	run.Add(c)
	if err := run.Save(); err != nil {
		t.Fatal(err)
	}
	after := OpenCache(path)
	if after.Known(a) || !after.Known(b) || !after.Known(c) {
		t.Errorf("after a run that saw b and c: a %v b %v c %v", after.Known(a), after.Known(b), after.Known(c))
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the cache folder holds %d files, want the cache alone", len(entries))
	}
}

// TestCacheRefusesForeignFiles: a file for another schema, of another
// format, truncated or out of order is an empty cache.
func TestCacheRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	d := Digest([]byte("x"))
	good := cacheMagic + schemaID + "\n" + string(d[:])
	e := Digest([]byte("y"))
	lo, hi := d, e
	if string(lo[:]) > string(hi[:]) {
		lo, hi = hi, lo
	}
	for name, content := range map[string]string{
		"other schema":  cacheMagic + "0000\n" + string(d[:]),
		"other format":  "casefile schema cache 2\n" + schemaID + "\n" + string(d[:]),
		"truncated":     good[:len(good)-1],
		"out of order":  cacheMagic + schemaID + "\n" + string(hi[:]) + string(lo[:]),
		"duplicate key": cacheMagic + schemaID + "\n" + string(d[:]) + string(d[:]),
		"empty":         "",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		c := OpenCache(p)
		if c.Known(d) || c.Known(e) {
			t.Errorf("%s: the cache knows a digest", name)
		}
	}
	p := filepath.Join(dir, "good")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if !OpenCache(p).Known(d) {
		t.Error("a well-formed cache file is not read")
	}
}

// TestCacheSaveFailure: a cache that cannot be written says so and leaves
// no temporary file behind.
func TestCacheSaveFailure(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "casefile")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil { // a file where the folder goes
		t.Fatal(err)
	}
	c := OpenCache(filepath.Join(blocker, CacheFileName))
	c.Add(Digest([]byte("a")))
	if err := c.Save(); err == nil {
		t.Fatal("Save into a path under a file succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left, want only the blocking file", len(entries))
	}
}
