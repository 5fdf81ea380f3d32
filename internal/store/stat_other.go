//go:build !linux && !darwin

package store

import "io/fs"

// statOf records only what the portable FileInfo offers; git then falls
// back to comparing content for these entries, which is slower but correct.
func statOf(fi fs.FileInfo) statData {
	return statData{
		ctimeSec:  uint32(fi.ModTime().Unix()),
		ctimeNsec: uint32(fi.ModTime().Nanosecond()),
		mtimeSec:  uint32(fi.ModTime().Unix()),
		mtimeNsec: uint32(fi.ModTime().Nanosecond()),
		size:      uint32(fi.Size()),
	}
}
