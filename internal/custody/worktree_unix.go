//go:build unix

package custody

import (
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/casefile/casefile/internal/regularfile"
)

// workTree reads files of a work tree with the few system calls it takes.
// Folders are opened one component at a time from the top with O_NOFOLLOW,
// and kept open, so no path leads out of the work tree through a link;
// files are read relative to them by regularfile.ReadAt (no link, no
// FIFO, regular files only). A workTree is not safe for concurrent use.
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
	return regularfile.ReadAt(d, name, limit, nil)
}

func (t *workTree) close() {
	for _, fd := range t.dirs {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	t.dirs = nil
}
