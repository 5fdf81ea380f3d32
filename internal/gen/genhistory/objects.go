package genhistory

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"
)

// objectWriter writes git objects for GenerateHistory: blobs, the trees
// they change and signed commits, into one pack file with its index
// through store.PackWriter (one file per object costs more in file
// creation than all the rest).
type objectWriter struct {
	pack *store.PackWriter
	root *treeNode
	head string // hex of the last commit
}

// treeNode is a directory of the tree being built; dirty means it has
// changes not yet written.
type treeNode struct {
	files map[string][20]byte
	dirs  map[string]*treeNode
	hash  [20]byte
	dirty bool
}

func newTreeNode() *treeNode {
	return &treeNode{files: map[string][20]byte{}, dirs: map[string]*treeNode{}, dirty: true}
}

func newObjectWriter(gitDir string) (*objectWriter, error) {
	pack, err := store.NewPackWriter(filepath.Join(gitDir, "objects", "pack"))
	if err != nil {
		return nil, err
	}
	return &objectWriter{pack: pack, root: newTreeNode()}, nil
}

// write stores one object and returns its id.
func (w *objectWriter) write(kind string, content []byte) ([20]byte, error) {
	return w.pack.Write(kind, content)
}

// finish writes the pack and its index into the repository. A generated
// fixture need not survive a power cut, so nothing is fsynced.
func (w *objectWriter) finish() error {
	_, err := w.pack.Finish(false)
	return err
}

// add writes a blob for the file at the slash path p and puts it in the
// tree.
func (w *objectWriter) add(p string, data []byte) error {
	id, err := w.write("blob", data)
	if err != nil {
		return err
	}
	parts := strings.Split(p, "/")
	n := w.root
	n.dirty = true
	for _, d := range parts[:len(parts)-1] {
		c, ok := n.dirs[d]
		if !ok {
			c = newTreeNode()
			n.dirs[d] = c
		}
		c.dirty = true
		n = c
	}
	n.files[parts[len(parts)-1]] = id
	return nil
}

// flush writes the changed trees below and at n and returns n's id.
func (w *objectWriter) flush(n *treeNode) ([20]byte, error) {
	if !n.dirty {
		return n.hash, nil
	}
	type entry struct {
		name, sortKey, mode string
		id                  [20]byte
	}
	entries := make([]entry, 0, len(n.files)+len(n.dirs))
	for name, id := range n.files {
		entries = append(entries, entry{name, name, "100644", id})
	}
	for name, c := range n.dirs {
		id, err := w.flush(c)
		if err != nil {
			return id, err
		}
		// git orders a directory as if its name ended in '/'.
		entries = append(entries, entry{name, name + "/", "40000", id})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].sortKey < entries[j].sortKey })
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(e.mode + " " + e.name + "\x00")
		b.Write(e.id[:])
	}
	id, err := w.write("tree", b.Bytes())
	if err != nil {
		return id, err
	}
	n.hash, n.dirty = id, false
	return id, nil
}

// commit writes the tree and a commit of it on top of the last one, signed
// by signer as git commit -S signs: the signature of the commit object
// without it, in a gpgsig header.
func (w *objectWriter) commit(who, msg string, signer custody.Signer) error {
	tree, err := w.flush(w.root)
	if err != nil {
		return err
	}
	var hdr bytes.Buffer
	fmt.Fprintf(&hdr, "tree %s\n", hex.EncodeToString(tree[:]))
	if w.head != "" {
		fmt.Fprintf(&hdr, "parent %s\n", w.head)
	}
	fmt.Fprintf(&hdr, "author %s\ncommitter %s\n", who, who)
	payload := hdr.String() + "\n" + msg
	sig, err := signer.Sign(strings.NewReader(payload))
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	folded := strings.ReplaceAll(strings.TrimRight(string(sig), "\n"), "\n", "\n ")
	id, err := w.write("commit", []byte(hdr.String()+"gpgsig "+folded+"\n\n"+msg))
	if err != nil {
		return err
	}
	w.head = hex.EncodeToString(id[:])
	return nil
}
