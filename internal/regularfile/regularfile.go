// Package regularfile reads whole regular files of bounded size with as few
// system calls as it can, for the loops that read every record of a large
// log (the record loader, verify's reader of the work tree): anything but a
// regular file (a link, a FIFO, a device) is refused, never followed or
// waited on, and the caller falls back to its slower, authoritative path.
package regularfile

import (
	"io"
	"os"
)

// ReadOpen reads the open file f whole into buf (grown as needed) when it is
// a regular file of at most limit bytes.
func ReadOpen(f *os.File, limit int64, buf []byte) ([]byte, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > limit {
		return nil, false
	}
	buf = grow(buf, int(st.Size()))
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, false
	}
	return buf, true
}

// grow returns buf resized to n bytes, reallocated when it is too small.
func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	return buf[:n]
}
