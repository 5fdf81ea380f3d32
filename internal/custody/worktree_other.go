//go:build !unix

package custody

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/casefile/casefile/internal/regularfile"
)

// workTree reads files of a work tree through os.Root folders (nothing
// below one leads out of it), kept open. Only regular files are read. A
// workTree is not safe for concurrent use.
type workTree struct {
	root string
	dirs map[string]*os.Root // by slash path ("" is the top); nil: cannot be opened
}

func newWorkTree(root string) *workTree { return &workTree{root: root, dirs: map[string]*os.Root{}} }

func (t *workTree) dir(d string) *os.Root {
	if r, ok := t.dirs[d]; ok {
		return r
	}
	if len(t.dirs) >= maxWorkDirs {
		return nil
	}
	var r *os.Root
	if d == "" {
		r, _ = os.OpenRoot(t.root)
	} else {
		parent, name := path.Split(d)
		if p := t.dir(strings.TrimSuffix(parent, "/")); p != nil {
			r, _ = p.OpenRoot(name)
		}
	}
	t.dirs[d] = r
	return r
}

// read returns the content of the regular file at the clean slash path p
// (checkRepoPath), when it is at most limit bytes.
func (t *workTree) read(p string, limit int64) ([]byte, bool) {
	dir, name := path.Split(p)
	d := t.dir(strings.TrimSuffix(dir, "/"))
	if d == nil {
		return nil, false
	}
	// Only a regular file: not a link, nor a FIFO that would block open.
	if fi, err := d.Lstat(filepath.FromSlash(name)); err != nil || !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, false
	}
	f, err := d.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	return regularfile.ReadOpen(f, limit, nil)
}

func (t *workTree) close() {
	for _, r := range t.dirs {
		if r != nil {
			r.Close()
		}
	}
	t.dirs = nil
}
