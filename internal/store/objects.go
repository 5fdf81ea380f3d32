package store

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// packThreshold is the number of new blobs from which a commit writes its
// objects as one pack instead of loose objects: below it the fsync per
// object is cheap, above it (an import) it is most of the commit's time.
const packThreshold = 64

// objectSink receives the objects of one commit: loose objects, or one
// pack (see Tx.Commit).
type objectSink interface {
	put(t plumbing.ObjectType, content []byte) (plumbing.Hash, error)
}

// looseSink writes each object as a fsynced loose object.
type looseSink struct{ r *Repo }

func (s looseSink) put(t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	return s.r.writeObject(t, content)
}

// packSink collects the objects of a commit in one pack; finish makes it
// durable and visible. Objects the repository already has are skipped.
type packSink struct {
	r *Repo
	w *PackWriter
}

func (r *Repo) newPackSink() (*packSink, error) {
	w, err := NewPackWriter(filepath.Join(r.commonDir, "objects", "pack"))
	if err != nil {
		return nil, err
	}
	return &packSink{r: r, w: w}, nil
}

func (s *packSink) put(t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(t, content)
	if s.r.hasObject(h) {
		return h, nil
	}
	id, err := s.w.Write(t.String(), content)
	return plumbing.Hash(id), err
}

// finish writes the pack and its index, fsyncs them, renames them into
// objects/pack and tells the object reader about the new pack.
func (s *packSink) finish() error {
	if s.w.Len() == 0 {
		s.w.Abort()
		return nil
	}
	if _, err := s.w.Finish(true); err != nil {
		return err
	}
	s.r.reindex()
	return nil
}

// hasObject reports whether the repository has object h, loose or packed.
func (r *Repo) hasObject(h plumbing.Hash) bool {
	hex := h.String()
	if _, err := os.Stat(filepath.Join(r.commonDir, "objects", hex[:2], hex[2:])); err == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.objs.HasEncodedObject(h) == nil
}

// writeObject stores content as a loose object and returns its hash. It
// writes the file itself rather than through go-git so that it can fsync
// before the ref update makes the object reachable, and so that an object
// that already exists (loose or packed) is not rewritten.
func (r *Repo) writeObject(t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(t, content)
	hex := h.String()
	dir := filepath.Join(r.commonDir, "objects", hex[:2])
	final := filepath.Join(dir, hex[2:])
	if _, err := os.Stat(final); err == nil {
		return h, nil
	}
	r.mu.Lock()
	err := r.objs.HasEncodedObject(h)
	r.mu.Unlock()
	if err == nil {
		return h, nil
	}

	var buf bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&buf)
	fmt.Fprintf(zw, "%s %d\x00", t, len(content))
	_, _ = zw.Write(content) // into a bytes.Buffer; Close reports any error
	err = zw.Close()
	zlibWriters.Put(zw)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("compressing %s %s: %w", t, h, err)
	}

	if err := os.MkdirAll(dir, 0o777); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing %s %s: %w", t, h, err)
	}
	tmp := filepath.Join(dir, "tmp_obj_"+randomSuffix())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing %s %s: %w", t, h, err)
	}
	_, err = f.Write(buf.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return plumbing.ZeroHash, fmt.Errorf("writing %s %s: %w", t, h, err)
	}
	return h, nil
}

// writeBlobFromFile stores the content of the local file src as a loose
// blob, streaming it through the hasher and the compressor into a
// temporary object file, so a file of any size costs constant memory. A
// file that changes size while it is read is refused.
func (r *Repo) writeBlobFromFile(src string) (plumbing.Hash, error) {
	f, err := os.Open(src)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if !fi.Mode().IsRegular() {
		return plumbing.ZeroHash, fmt.Errorf("%s is not a regular file", src)
	}
	size := fi.Size()
	dir := filepath.Join(r.commonDir, "objects")
	tmp, err := os.CreateTemp(dir, "tmp_obj_")
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hasher := plumbing.NewHasher(plumbing.BlobObject, size)
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(tmp)
	fmt.Fprintf(zw, "%s %d\x00", plumbing.BlobObject, size)
	n, err := io.Copy(io.MultiWriter(zw, hasher), f)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading %s: %w", src, err)
	}
	if n != size {
		return plumbing.ZeroHash, fmt.Errorf("%s changed size while it was read (%d bytes, then %d)", src, size, n)
	}
	if err := zw.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("compressing blob: %w", err)
	}
	if err := tmp.Chmod(0o444); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob: %w", err)
	}
	h := hasher.Sum()
	hex := h.String()
	if err := os.MkdirAll(filepath.Join(dir, hex[:2]), 0o777); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob %s: %w", h, err)
	}
	final := filepath.Join(dir, hex[:2], hex[2:])
	if _, err := os.Stat(final); err == nil {
		return h, nil // already there; the deferred clean-up drops ours
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("writing blob %s: %w", h, err)
	}
	ok = true
	return h, nil
}

// zlibWriters recycles compressors: each holds several hundred KiB of
// state, and a commit compresses a handful of small objects.
var zlibWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// pathNode is one directory level of the set of changed paths.
type pathNode struct {
	children map[string]*pathNode
	leaf     *leafChange // non-nil for a file
}

// leafChange is one file to be written; mode is decided while rebuilding
// trees (an existing executable keeps its bit).
type leafChange struct {
	path string
	hash plumbing.Hash
	mode filemode.FileMode
}

func buildPathTree(leaves []*leafChange) *pathNode {
	root := &pathNode{children: map[string]*pathNode{}}
	for _, l := range leaves {
		n := root
		parts := strings.Split(l.path, "/")
		for i, part := range parts {
			c, ok := n.children[part]
			if !ok {
				c = &pathNode{children: map[string]*pathNode{}}
				n.children[part] = c
			}
			if i == len(parts)-1 {
				c.leaf = l
			}
			n = c
		}
	}
	return root
}

// rebuildTree writes new tree objects for the directories along the changed
// paths only, reusing every untouched subtree of base by hash. This is what
// keeps a commit independent of the repository size: the work is
// proportional to depth × directory width, not to the number of files.
func (r *Repo) rebuildTree(sink objectSink, base plumbing.Hash, n *pathNode, dir string) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !base.IsZero() {
		t, err := r.getTree(base)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, t.Entries...)
	}
	pos := make(map[string]int, len(entries))
	for i, e := range entries {
		pos[e.Name] = i
	}

	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		child := n.children[name]
		full := joinPath(dir, name)
		i, exists := pos[name]
		if child.leaf != nil {
			if len(child.children) > 0 {
				return plumbing.ZeroHash, fmt.Errorf("%w: %s is both a file and a directory in the change", ErrPathConflict, full)
			}
			mode := filemode.Regular
			if exists {
				switch entries[i].Mode {
				case filemode.Regular:
				case filemode.Executable:
					mode = filemode.Executable
				case filemode.Dir:
					return plumbing.ZeroHash, fmt.Errorf("%w: %s is a directory in HEAD", ErrPathConflict, full)
				case filemode.Symlink:
					return plumbing.ZeroHash, fmt.Errorf("%w: %s is a symlink in HEAD", ErrPathConflict, full)
				default:
					return plumbing.ZeroHash, fmt.Errorf("%w: %s is a submodule in HEAD", ErrPathConflict, full)
				}
			}
			child.leaf.mode = mode
			e := object.TreeEntry{Name: name, Mode: mode, Hash: child.leaf.hash}
			if exists {
				entries[i] = e
			} else {
				entries = append(entries, e)
			}
			continue
		}
		sub := plumbing.ZeroHash
		if exists {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%w: %s is a file in HEAD, not a directory", ErrPathConflict, full)
			}
			sub = entries[i].Hash
		}
		h, err := r.rebuildTree(sink, sub, child, full)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		e := object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		if exists {
			entries[i] = e
		} else {
			entries = append(entries, e)
		}
	}

	sort.Sort(object.TreeEntrySorter(entries))
	t := &object.Tree{Entries: entries}
	mo := &plumbing.MemoryObject{}
	if err := t.Encode(mo); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encoding tree %s: %w", dir, err)
	}
	content, err := readAllObject(mo)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return sink.put(plumbing.TreeObject, content)
}

func readAllObject(o plumbing.EncodedObject) ([]byte, error) {
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
