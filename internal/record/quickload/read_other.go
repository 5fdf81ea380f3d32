//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package quickload

import (
	"io"
	"os"

	"github.com/casefile/casefile/internal/record"
)

// readFile reads a regular file of at most record.MaxFileSize bytes into
// buf (grown as needed). A symbolic link is left to the loader.
func readFile(path string, buf []byte) ([]byte, bool) {
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || st.Size() > record.MaxFileSize {
		return nil, false
	}
	n := int(st.Size())
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, false
	}
	return buf, true
}
