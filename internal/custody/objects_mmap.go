//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package custody

import (
	"os"
	"syscall"
)

// mapFile maps a pack read-only, so that reading an object costs no system
// call; nil (and ReadAt) when mapping fails.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

func unmapFile(b []byte) {
	if b != nil {
		// Munmap fails only for a range that is not mapped.
		_ = syscall.Munmap(b)
	}
}
