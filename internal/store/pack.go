package store

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// PackWriter writes git objects into one pack file with its version 2
// index, the way git stores objects it receives in bulk: one file for
// thousands of objects costs far less than one loose object file each
// (creation, and an fsync per file for durability). Objects are stored
// whole (no deltas), compressed with zlib's fastest level. The result is
// what `git index-pack` would make of the same objects, so git fsck,
// verify-pack, gc and every pack reader accept it.
//
// Write the objects, then Finish once; until then nothing is visible in
// the repository. A PackWriter is not safe for concurrent use.
type PackWriter struct {
	dir     string
	tmp     *os.File // the pack's objects, without header and trailer
	off     int64    // offset of the next object in the final pack
	written map[[20]byte]bool
	entries []packEntry
	buf     bytes.Buffer
	z       *zlib.Writer
}

type packEntry struct {
	id  [20]byte
	off int64
	crc uint32
}

// packTempPrefix starts the names of a PackWriter's temp files; git prune
// (run by git gc) removes old "tmp_" files of objects/pack that a killed
// writer left.
const packTempPrefix = "tmp_pack_casefile_"

// NewPackWriter starts a pack in packDir (a repository's objects/pack,
// created if missing).
func NewPackWriter(packDir string) (*PackWriter, error) {
	if err := os.MkdirAll(packDir, 0o777); err != nil {
		return nil, fmt.Errorf("starting a pack: %w", err)
	}
	tmp, err := os.CreateTemp(packDir, packTempPrefix+"obj_")
	if err != nil {
		return nil, fmt.Errorf("starting a pack: %w", err)
	}
	return &PackWriter{dir: packDir, tmp: tmp, off: 12, written: map[[20]byte]bool{}}, nil
}

// packTypes are the pack's object type numbers (gitformat-pack).
var packTypes = map[string]byte{"commit": 1, "tree": 2, "blob": 3, "tag": 4}

// Write adds one object of kind ("blob", "tree", "commit" or "tag") with
// the given content and returns its id. An object already in this pack
// is not added again.
func (w *PackWriter) Write(kind string, content []byte) ([20]byte, error) {
	t, ok := packTypes[kind]
	if !ok {
		return [20]byte{}, fmt.Errorf("writing a pack: unknown object type %q", kind)
	}
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	var id [20]byte
	copy(id[:], h.Sum(nil))
	if w.written[id] {
		return id, nil
	}
	w.buf.Reset()
	// The header: type and size, four bits of size first, then seven bits
	// at a time.
	size := len(content)
	c := t<<4 | byte(size&0x0f)
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
	_, _ = w.z.Write(content) // into a bytes.Buffer; Close reports any error
	if err := w.z.Close(); err != nil {
		return id, fmt.Errorf("writing a pack: compressing %s %x: %w", kind, id, err)
	}
	if _, err := w.tmp.Write(w.buf.Bytes()); err != nil {
		return id, fmt.Errorf("writing a pack: %w", err)
	}
	w.written[id] = true
	w.entries = append(w.entries, packEntry{id, w.off, crc32.ChecksumIEEE(w.buf.Bytes())})
	w.off += int64(w.buf.Len())
	return id, nil
}

// Len is the number of objects written so far.
func (w *PackWriter) Len() int { return len(w.entries) }

// Abort drops the pack; nothing of it stays in the repository.
func (w *PackWriter) Abort() {
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}

// Finish writes the pack (header, objects, checksum) and its index into
// temp files, fsyncs both when durable is set, and renames them to
// pack-<checksum>.pack and .idx (the pack first, as git does: readers find
// a pack through its index), then fsyncs the directory when durable. It
// returns the pack's name (pack-<checksum>). The PackWriter cannot be used
// afterwards.
func (w *PackWriter) Finish(durable bool) (name string, err error) {
	defer w.Abort()
	fail := func(err error) (string, error) { return "", fmt.Errorf("writing a pack: %w", err) }
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	out, err := os.CreateTemp(w.dir, packTempPrefix)
	if err != nil {
		return fail(err)
	}
	idxTmp := ""
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
			if idxTmp != "" {
				os.Remove(idxTmp)
			}
		}
	}()
	sum := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(out, sum), 1<<16)
	var hdr [12]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(w.entries)))
	_, _ = bw.Write(hdr[:]) // buffered: Flush below reports any error
	if _, err := io.Copy(bw, w.tmp); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	packSum := sum.Sum(nil)
	if _, err := out.Write(packSum); err != nil {
		return fail(err)
	}
	if err := out.Chmod(0o444); err != nil {
		return fail(err)
	}
	if durable {
		if err := out.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := out.Close(); err != nil {
		return fail(err)
	}
	name = "pack-" + hex.EncodeToString(packSum)

	idx := w.encodeIndex(packSum)
	f, err := os.CreateTemp(w.dir, packTempPrefix+"idx_")
	if err != nil {
		return fail(err)
	}
	idxTmp = f.Name()
	_, err = f.Write(idx)
	if err == nil {
		err = f.Chmod(0o444)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	final := filepath.Join(w.dir, name)
	if err := os.Rename(out.Name(), final+".pack"); err != nil {
		return fail(err)
	}
	if err := os.Rename(idxTmp, final+".idx"); err != nil {
		return fail(err)
	}
	if durable {
		syncDir(w.dir)
	}
	return name, nil
}

// encodeIndex returns the version 2 index of the pack whose checksum is
// packSum (gitformat-pack: fan-out, sorted ids, CRCs, offsets).
func (w *PackWriter) encodeIndex(packSum []byte) []byte {
	sort.Slice(w.entries, func(i, j int) bool { return bytes.Compare(w.entries[i].id[:], w.entries[j].id[:]) < 0 })
	var idx bytes.Buffer
	idx.Grow(8 + 256*4 + len(w.entries)*28 + 40)
	idx.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	var fan [256]uint32
	for _, e := range w.entries {
		fan[e.id[0]]++
	}
	var total uint32
	for i := range fan {
		total += fan[i]
		_ = binary.Write(&idx, binary.BigEndian, total)
	}
	for _, e := range w.entries {
		idx.Write(e.id[:])
	}
	for _, e := range w.entries {
		_ = binary.Write(&idx, binary.BigEndian, e.crc)
	}
	var large []uint64
	for _, e := range w.entries {
		if e.off < 1<<31 {
			_ = binary.Write(&idx, binary.BigEndian, uint32(e.off))
			continue
		}
		_ = binary.Write(&idx, binary.BigEndian, uint32(1<<31|len(large)))
		large = append(large, uint64(e.off))
	}
	for _, o := range large {
		_ = binary.Write(&idx, binary.BigEndian, o)
	}
	idx.Write(packSum)
	idxSum := sha1.Sum(idx.Bytes())
	idx.Write(idxSum[:])
	return idx.Bytes()
}

// packAwareStorer is the go-git object store with one addition: go-git
// lists the packs once, so an object missing from it may be in a pack
// written since (by this Repo's commit or another process); reading such
// an object re-reads the pack list and looks again. (HasEncodedObject is
// left alone: a miss there is the common case of a new object, and a
// stale answer only stores an object twice.)
type packAwareStorer struct {
	storage.Storer
}

// reindexer is go-git's filesystem storage, which can forget its pack list.
type reindexer interface{ Reindex() }

func (s packAwareStorer) Reindex() {
	if ri, ok := s.Storer.(reindexer); ok {
		ri.Reindex()
	}
}

func (s packAwareStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.Storer.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		s.Reindex()
		o, err = s.Storer.EncodedObject(t, h)
	}
	return o, err
}

// reindex makes the object reader see packs written since it last looked.
func (r *Repo) reindex() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ri, ok := r.objs.(reindexer); ok {
		ri.Reindex()
	}
}
