//go:build unix

package quickload

import (
	"golang.org/x/sys/unix"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regularfile"
)

// readFile reads a regular, non-empty file of at most record.MaxFileSize
// bytes into buf (grown as needed), with the four system calls it takes
// (regularfile.ReadAt); a symbolic link or anything but a regular file is
// left to the loader.
func readFile(path string, buf []byte) ([]byte, bool) {
	data, ok := regularfile.ReadAt(unix.AT_FDCWD, path, record.MaxFileSize, buf)
	return data, ok && len(data) > 0
}
