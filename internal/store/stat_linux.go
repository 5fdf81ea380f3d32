//go:build linux

package store

import (
	"io/fs"
	"syscall"
)

// statOf extracts the stat fields git compares when deciding whether a
// work-tree file may have changed since it was indexed.
func statOf(fi fs.FileInfo) statData {
	st := statData{
		mtimeSec:  uint32(fi.ModTime().Unix()),
		mtimeNsec: uint32(fi.ModTime().Nanosecond()),
		size:      uint32(fi.Size()),
	}
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ctimeSec, st.ctimeNsec = uint32(s.Ctim.Sec), uint32(s.Ctim.Nsec)
		st.dev, st.ino = uint32(s.Dev), uint32(s.Ino)
		st.uid, st.gid = s.Uid, s.Gid
	}
	return st
}
