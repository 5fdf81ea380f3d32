//go:build unix

package regularfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadAt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dfd)
	if got, ok := ReadAt(dfd, "f", 5, nil); !ok || string(got) != "hello" {
		t.Errorf("ReadAt(f) = %q, %v", got, ok)
	}
	if got, ok := ReadAt(unix.AT_FDCWD, filepath.Join(dir, "f"), 5, nil); !ok || string(got) != "hello" {
		t.Errorf("ReadAt(AT_FDCWD, path) = %q, %v", got, ok)
	}
	for _, name := range []string{"link", "fifo", "missing"} {
		if _, ok := ReadAt(dfd, name, 1<<20, nil); ok {
			t.Errorf("ReadAt(%s) read it", name)
		}
	}
	if _, ok := ReadAt(dfd, "f", 4, nil); ok {
		t.Error("a file over the limit was read")
	}
}
