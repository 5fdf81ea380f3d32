//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package custody

import "os"

// mapFile is unavailable here; packs are read with ReadAt.
func mapFile(f *os.File, size int64) []byte { return nil }

func unmapFile(b []byte) {}
