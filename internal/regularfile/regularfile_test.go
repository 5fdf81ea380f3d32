package regularfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	open := func() *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	buf := make([]byte, 0, 64)
	got, ok := ReadOpen(open(), 5, buf)
	if !ok || string(got) != "hello" || &got[0] != &buf[:1][0] {
		t.Errorf("ReadOpen = %q, %v (buffer reused: %v)", got, ok, ok && &got[0] == &buf[:1][0])
	}
	if _, ok := ReadOpen(open(), 4, nil); ok {
		t.Error("a file over the limit was read")
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, ok := ReadOpen(d, 1<<20, nil); ok {
		t.Error("a folder was read")
	}
}
