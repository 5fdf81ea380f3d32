//go:build linux || darwin || freebsd || netbsd || openbsd

package quickload

import (
	"syscall"

	"github.com/casefile/casefile/internal/record"
)

// readFile reads a regular file of at most record.MaxFileSize bytes into
// buf (grown as needed), with the four system calls it takes: os.Open also
// tries to register the file with the network poller and sets a finalizer,
// which on 100,000 files costs more than the reading. O_NONBLOCK keeps a
// FIFO from blocking and O_NOFOLLOW refuses a symbolic link; anything but a
// regular file is left to the loader.
func readFile(path string, buf []byte) ([]byte, bool) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG ||
		st.Size <= 0 || st.Size > record.MaxFileSize {
		return nil, false
	}
	n := int(st.Size)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	for got := 0; got < n; {
		r, err := syscall.Read(fd, buf[got:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || r == 0 {
			return nil, false // unreadable, or shorter than it said
		}
		got += r
	}
	return buf, true
}
