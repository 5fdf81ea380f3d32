//go:build !unix

package quickload

import (
	"os"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regularfile"
)

// readFile reads a regular, non-empty file of at most record.MaxFileSize
// bytes into buf (grown as needed). A symbolic link is left to the loader.
func readFile(path string, buf []byte) ([]byte, bool) {
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, ok := regularfile.ReadOpen(f, record.MaxFileSize, buf)
	return data, ok && len(data) > 0
}
