//go:build unix

package custody

import (
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// workTree reads files of a work tree with the few system calls it takes
// (os.Open also registers each file with the network poller, which on
// 100,000 records costs more than the reading). Folders are opened one
// component at a time from the top with O_NOFOLLOW, and kept open, so no
// path leads out of the work tree through a link; files are opened with
// O_NOFOLLOW and O_NONBLOCK (a FIFO cannot block) and only regular ones
// are read. A workTree is not safe for concurrent use.
type workTree struct {
	root string
	dirs map[string]int // descriptor by slash path ("" is the top); -1: cannot be opened
}

func newWorkTree(root string) *workTree { return &workTree{root: root, dirs: map[string]int{}} }

// dir returns the descriptor of the folder at slash path d, or -1.
func (t *workTree) dir(d string) int {
	if fd, ok := t.dirs[d]; ok {
		return fd
	}
	if len(t.dirs) >= maxWorkDirs {
		return -1 // the objects serve; no more descriptors are held
	}
	fd := -1
	if d == "" {
		if f, err := unix.Open(t.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
			fd = f
		}
	} else {
		parent, name := path.Split(d)
		if p := t.dir(strings.TrimSuffix(parent, "/")); p >= 0 {
			if f, err := unix.Openat(p, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0); err == nil {
				fd = f
			}
		}
	}
	t.dirs[d] = fd
	return fd
}

// read returns the content of the regular file at the clean slash path p
// (checkRepoPath), when it is at most limit bytes.
func (t *workTree) read(p string, limit int64) ([]byte, bool) {
	dir, name := path.Split(p)
	d := t.dir(strings.TrimSuffix(dir, "/"))
	if d < 0 {
		return nil, false
	}
	fd, err := unix.Openat(d, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < 0 || st.Size > limit {
		return nil, false
	}
	data := make([]byte, st.Size)
	for got := 0; got < len(data); {
		n, err := unix.Read(fd, data[got:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return nil, false // unreadable, or shorter than it said
		}
		got += n
	}
	return data, true
}

func (t *workTree) close() {
	for _, fd := range t.dirs {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	t.dirs = nil
}
