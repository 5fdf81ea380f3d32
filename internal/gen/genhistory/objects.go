package genhistory

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/casefile/casefile/internal/custody"
)

// objectWriter writes git objects for GenerateHistory: blobs, the trees
// they change and signed commits, into one pack file with its index (one
// file per object costs more in file creation than all the rest).
type objectWriter struct {
	gitDir  string
	tmp     *os.File // the pack's objects, without header and trailer
	off     int64    // offset of the next object in the final pack
	written map[[20]byte]bool
	entries []packEntry
	root    *treeNode
	head    string // hex of the last commit
	buf     bytes.Buffer
	z       *zlib.Writer
}

type packEntry struct {
	id  [20]byte
	off int64
	crc uint32
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
	tmp, err := os.CreateTemp(filepath.Join(gitDir, "objects", "pack"), "tmp-gen-")
	if err != nil {
		return nil, err
	}
	return &objectWriter{gitDir: gitDir, tmp: tmp, off: 12, written: map[[20]byte]bool{}, root: newTreeNode()}, nil
}

// Pack object types.
var packType = map[string]byte{"commit": 1, "tree": 2, "blob": 3}

// write stores one object and returns its id.
func (w *objectWriter) write(kind string, content []byte) ([20]byte, error) {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	var id [20]byte
	copy(id[:], h.Sum(nil))
	if w.written[id] {
		return id, nil
	}
	w.written[id] = true
	w.buf.Reset()
	// The header: type and size, seven bits at a time after the first four.
	size := len(content)
	c := packType[kind]<<4 | byte(size&0x0f)
	size >>= 4
	for size > 0 {
		w.buf.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	w.buf.WriteByte(c)
	if w.z == nil {
		w.z, _ = zlib.NewWriterLevel(&w.buf, zlib.BestSpeed)
	} else {
		w.z.Reset(&w.buf)
	}
	w.z.Write(content)
	if err := w.z.Close(); err != nil {
		return id, err
	}
	if _, err := w.tmp.Write(w.buf.Bytes()); err != nil {
		return id, err
	}
	w.entries = append(w.entries, packEntry{id, w.off, crc32.ChecksumIEEE(w.buf.Bytes())})
	w.off += int64(w.buf.Len())
	return id, nil
}

// finish writes the pack (header, objects, checksum) and its version 2
// index, and removes the temporary file.
func (w *objectWriter) finish() (err error) {
	defer os.Remove(w.tmp.Name())
	defer w.tmp.Close()
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	packDir := filepath.Join(w.gitDir, "objects", "pack")
	out, err := os.CreateTemp(packDir, "tmp-pack-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	sum := sha1.New()
	bw := bufio.NewWriter(io.MultiWriter(out, sum))
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(w.entries)))
	bw.Write(hdr[:])
	if _, err := io.Copy(bw, w.tmp); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	packSum := sum.Sum(nil)
	if _, err := out.Write(packSum); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	name := "pack-" + hex.EncodeToString(packSum)

	sort.Slice(w.entries, func(i, j int) bool { return bytes.Compare(w.entries[i].id[:], w.entries[j].id[:]) < 0 })
	var idx bytes.Buffer
	idx.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	var fan [256]uint32
	for _, e := range w.entries {
		fan[e.id[0]]++
	}
	var total uint32
	for i := range fan {
		total += fan[i]
		binary.Write(&idx, binary.BigEndian, total)
	}
	for _, e := range w.entries {
		idx.Write(e.id[:])
	}
	for _, e := range w.entries {
		binary.Write(&idx, binary.BigEndian, e.crc)
	}
	var large []uint64
	for _, e := range w.entries {
		if e.off < 1<<31 {
			binary.Write(&idx, binary.BigEndian, uint32(e.off))
			continue
		}
		binary.Write(&idx, binary.BigEndian, uint32(1<<31|len(large)))
		large = append(large, uint64(e.off))
	}
	for _, o := range large {
		binary.Write(&idx, binary.BigEndian, o)
	}
	idx.Write(packSum)
	idxSum := sha1.Sum(idx.Bytes())
	idx.Write(idxSum[:])
	if err := os.WriteFile(filepath.Join(packDir, name+".idx"), idx.Bytes(), 0o444); err != nil {
		return err
	}
	if err := os.Chmod(out.Name(), 0o444); err != nil {
		return err
	}
	return os.Rename(out.Name(), filepath.Join(packDir, name+".pack"))
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
