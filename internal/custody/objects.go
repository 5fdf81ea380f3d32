package custody

import (
	"bufio"
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zlib"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectDB reads loose and packed objects directly from the object
// directory. It exists for speed: verify and history read every commit and
// every changed tree of the history, and go-git's generic pack reader
// costs several times what git itself needs for that. It handles what git
// writes (loose objects, pack index v2, OFS and REF deltas, alternates);
// anything it does not understand makes the caller fall back to go-git.
type objectDB struct {
	dirs  []string // objects directory and its alternates
	packs []*packFile
	// bases caches inflated objects by pack position, so that walking
	// consecutive versions of a tree resolves each delta chain once, as
	// git's delta base cache does.
	bases *byteLRU
	zr    io.ReadCloser
	br    *bufio.Reader
	mr    bytes.Reader
}

// maxDeltaDepth bounds delta chains; git's default maximum is 50, 4095 is
// its hard limit.
const maxDeltaDepth = 4096

type packFile struct {
	f       *os.File
	data    []byte // the mapped pack, or nil
	size    int64
	n       int
	fanout  [256]uint32
	names   []byte // n × 20
	off32   []byte // n × 4
	off64   []byte
	idxPath string
}

var errNotHandled = errors.New("object format not handled by the fast reader")

// openObjectDB opens the object directory; it fails (and the caller uses
// go-git alone) on anything unusual.
func openObjectDB(objectsDir string) (*objectDB, error) {
	db := &objectDB{bases: newByteLRU(64 << 20)}
	if err := db.addDir(objectsDir, 0); err != nil {
		db.close()
		return nil, err
	}
	return db, nil
}

func (db *objectDB) addDir(dir string, depth int) error {
	if depth > 5 {
		return errors.New("alternates nested too deeply")
	}
	db.dirs = append(db.dirs, dir)
	idxs, err := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
	if err != nil {
		return err
	}
	sort.Strings(idxs)
	for _, idx := range idxs {
		p, err := openPack(idx)
		if err != nil {
			return err
		}
		db.packs = append(db.packs, p)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "info", "alternates")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !filepath.IsAbs(line) {
				line = filepath.Join(dir, line)
			}
			if err := db.addDir(filepath.Clean(line), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func openPack(idxPath string) (*packFile, error) {
	idx, err := os.ReadFile(idxPath)
	if err != nil {
		return nil, err
	}
	if len(idx) < 8+256*4 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:]) != 2 {
		return nil, fmt.Errorf("%s: %w (not a version 2 index)", idxPath, errNotHandled)
	}
	p := &packFile{idxPath: idxPath}
	for i := range 256 {
		p.fanout[i] = binary.BigEndian.Uint32(idx[8+4*i:])
	}
	p.n = int(p.fanout[255])
	pos := 8 + 256*4
	need := pos + p.n*(20+4+4)
	if len(idx) < need+40 {
		return nil, fmt.Errorf("%s: truncated index", idxPath)
	}
	p.names = idx[pos : pos+20*p.n]
	pos += 20 * p.n
	pos += 4 * p.n // CRCs
	p.off32 = idx[pos : pos+4*p.n]
	pos += 4 * p.n
	p.off64 = idx[pos : len(idx)-40]
	f, err := os.Open(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	p.f, p.size = f, fi.Size()
	p.data = mapFile(f, p.size)
	return p, nil
}

// packObjectHeader decodes the type and inflated size at the start of a
// pack entry and returns the header's length.
func packObjectHeader(b []byte) (typ byte, size int64, n int, err error) {
	c := b[0]
	typ, size = (c>>4)&7, int64(c&0x0f)
	n, shift := 1, 4
	for c&0x80 != 0 {
		if n >= len(b) || shift > 56 {
			return 0, 0, 0, errors.New("pack: bad object header")
		}
		c = b[n]
		n++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	return typ, size, n, nil
}

// view returns a reader sharing db's packs (read-only) with its own
// decompressor and cache, for use by another goroutine. Only db itself
// may be closed.
func (db *objectDB) view() *objectDB {
	return &objectDB{dirs: db.dirs, packs: db.packs, bases: newByteLRU(32 << 20)}
}

func (db *objectDB) close() {
	for _, p := range db.packs {
		unmapFile(p.data)
		p.f.Close()
	}
	db.packs = nil
}

// find returns the pack offset of h.
func (p *packFile) find(h plumbing.Hash) (int64, bool) {
	lo := uint32(0)
	if h[0] > 0 {
		lo = p.fanout[h[0]-1]
	}
	hi := p.fanout[h[0]]
	for lo < hi {
		mid := (lo + hi) / 2
		c := bytes.Compare(p.names[mid*20:mid*20+20], h[:])
		switch {
		case c == 0:
			off := binary.BigEndian.Uint32(p.off32[mid*4:])
			if off&0x80000000 == 0 {
				return int64(off), true
			}
			i := int(off & 0x7fffffff)
			if len(p.off64) < 8*(i+1) {
				return 0, false
			}
			return int64(binary.BigEndian.Uint64(p.off64[8*i:])), true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// read returns an object's type and content. limit bounds the size of the
// result (and of every delta base on the way); a bigger object yields
// errNotHandled so that the caller can stream it through go-git.
func (db *objectDB) read(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	for i, p := range db.packs {
		if off, ok := p.find(h); ok {
			return db.readPacked(i, off, limit, 0)
		}
	}
	for _, dir := range db.dirs {
		hx := h.String()
		b, err := os.ReadFile(filepath.Join(dir, hx[:2], hx[2:]))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		return db.inflateLoose(h, b, limit)
	}
	return 0, nil, plumbing.ErrObjectNotFound
}

func (db *objectDB) inflateLoose(h plumbing.Hash, b []byte, limit int64) (plumbing.ObjectType, []byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return 0, nil, fmt.Errorf("loose object %s: %w", h, err)
	}
	defer zr.Close()
	br := bufio.NewReader(zr)
	hdr, err := br.ReadString(0)
	if err != nil {
		return 0, nil, fmt.Errorf("loose object %s: bad header", h)
	}
	typName, sizeText, ok := strings.Cut(strings.TrimSuffix(hdr, "\x00"), " ")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if !ok || err != nil || size < 0 {
		return 0, nil, fmt.Errorf("loose object %s: bad header", h)
	}
	t, err := plumbing.ParseObjectType(typName)
	if err != nil {
		return 0, nil, fmt.Errorf("loose object %s: %w", h, err)
	}
	if size > limit {
		return 0, nil, errNotHandled
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(br, out); err != nil {
		return 0, nil, fmt.Errorf("loose object %s: %w", h, err)
	}
	return t, out, nil
}

type baseKey struct {
	pack int
	off  int64
}

type baseVal struct {
	t    plumbing.ObjectType
	data []byte
}

// Pack object types (pack-format.txt).
const (
	packCommit   = 1
	packTree     = 2
	packBlob     = 3
	packTag      = 4
	packOfsDelta = 6
	packRefDelta = 7
)

func (db *objectDB) readPacked(pi int, off int64, limit int64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaDepth {
		return 0, nil, errors.New("pack: delta chain too long")
	}
	if v, ok := db.bases.get(baseKey{pi, off}); ok {
		bv := v.(baseVal)
		return bv.t, bv.data, nil
	}
	p := db.packs[pi]
	var b []byte
	if p.data != nil {
		if off >= int64(len(p.data)) {
			return 0, nil, errors.New("pack: offset out of range")
		}
		b = p.data[off:min(int64(len(p.data)), off+32)]
	} else {
		var hdr [32]byte
		n, err := p.f.ReadAt(hdr[:], off)
		if err != nil && (!errors.Is(err, io.EOF) || n == 0) {
			return 0, nil, fmt.Errorf("pack %s at %d: %w", filepath.Base(p.idxPath), off, err)
		}
		b = hdr[:n]
	}
	if len(b) == 0 {
		return 0, nil, errors.New("pack: truncated object header")
	}
	typ, size, i, err := packObjectHeader(b)
	if err != nil {
		return 0, nil, err
	}
	next := func() (byte, bool) {
		if i >= len(b) {
			return 0, false
		}
		c := b[i]
		i++
		return c, true
	}
	var c byte
	var ok bool
	var baseOff int64 = -1
	var baseHash plumbing.Hash
	switch typ {
	case packOfsDelta:
		c, ok = next()
		if !ok {
			return 0, nil, errors.New("pack: bad delta offset")
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, ok = next(); !ok || rel > 1<<55 {
				return 0, nil, errors.New("pack: bad delta offset")
			}
			rel = ((rel + 1) << 7) | int64(c&0x7f)
		}
		baseOff = off - rel
		if baseOff < 0 || baseOff >= off {
			return 0, nil, errors.New("pack: bad delta offset")
		}
	case packRefDelta:
		if len(b)-i < 20 {
			return 0, nil, errors.New("pack: truncated delta base")
		}
		copy(baseHash[:], b[i:i+20])
		i += 20
	case packCommit, packTree, packBlob, packTag:
		if size > limit {
			return 0, nil, errNotHandled
		}
	default:
		return 0, nil, fmt.Errorf("pack: unknown object type %d", typ)
	}
	if size > limit+limit/2+1<<20 {
		// A delta bigger than the object may be is not worth inflating.
		return 0, nil, errNotHandled
	}
	data, err := db.inflateAt(p, off+int64(i), size)
	if err != nil {
		return 0, nil, fmt.Errorf("pack %s at %d: %w", filepath.Base(p.idxPath), off, err)
	}
	var t plumbing.ObjectType
	switch typ {
	case packOfsDelta, packRefDelta:
		var base []byte
		if typ == packOfsDelta {
			t, base, err = db.readPacked(pi, baseOff, limit, depth+1)
		} else {
			t, base, err = db.read(baseHash, limit)
		}
		if err != nil {
			return 0, nil, err
		}
		if data, err = applyDelta(base, data, limit); err != nil {
			return 0, nil, fmt.Errorf("pack %s at %d: %w", filepath.Base(p.idxPath), off, err)
		}
	default:
		t = plumbing.ObjectType(typ)
	}
	// Keep delta bases and trees (the next version of a tree is usually a
	// delta on this one); commits and final blobs are read once.
	if depth > 0 || t == plumbing.TreeObject {
		db.bases.put(baseKey{pi, off}, baseVal{t, data}, len(data)+64)
	}
	return t, data, nil
}

// readCommitHead returns a prefix of a commit that holds at least its
// tree, parent and committer lines. A packed, undeltified commit (the
// usual case) is inflated only that far, which skips its signature and
// message; otherwise the whole object is read.
func (db *objectDB) readCommitHead(h plumbing.Hash) ([]byte, error) {
	for _, p := range db.packs {
		off, ok := p.find(h)
		if !ok || p.data == nil {
			continue
		}
		b := p.data[off:min(int64(len(p.data)), off+16)]
		if len(b) == 0 || (b[0]>>4)&7 != packCommit {
			break
		}
		_, size, j, err := packObjectHeader(b)
		if err != nil {
			return nil, err
		}
		db.mr.Reset(p.data[off+int64(j):])
		if db.zr == nil {
			db.zr, err = zlib.NewReader(&db.mr)
		} else {
			err = db.zr.(zlib.Resetter).Reset(&db.mr, nil)
		}
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, min(size, 512))
		for int64(len(out)) < size {
			chunk := min(size-int64(len(out)), 256)
			start := len(out)
			out = append(out, make([]byte, chunk)...)
			if _, err := io.ReadFull(db.zr, out[start:]); err != nil {
				return nil, err
			}
			if i := bytes.Index(out, []byte("\ncommitter ")); i >= 0 && bytes.IndexByte(out[i+1:], '\n') >= 0 {
				break
			}
		}
		return out, nil
	}
	t, data, err := db.read(h, largeObject)
	if err == nil && t != plumbing.CommitObject {
		err = fmt.Errorf("%s is a %s, not a commit", h, t)
	}
	return data, err
}

// stream returns a reader over a blob's content that inflates as it is
// read: loose objects and undeltified packed objects (how git stores big
// files) are never held in memory whole. Deltified objects are resolved
// in memory, as git does.
func (db *objectDB) stream(h plumbing.Hash) (io.ReadCloser, error) {
	for i, p := range db.packs {
		off, ok := p.find(h)
		if !ok {
			continue
		}
		var b []byte
		if p.data != nil {
			b = p.data[off:min(int64(len(p.data)), off+32)]
		} else {
			var hdr [32]byte
			n, _ := p.f.ReadAt(hdr[:], off)
			b = hdr[:n]
		}
		if len(b) == 0 {
			return nil, errors.New("pack: truncated object header")
		}
		typ := (b[0] >> 4) & 7
		if typ != packBlob {
			t, data, err := db.readPacked(i, off, 1<<62, 0)
			if err != nil {
				return nil, err
			}
			if t != plumbing.BlobObject {
				return nil, plumbing.ErrObjectNotFound
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}
		_, size, j, err := packObjectHeader(b)
		if err != nil {
			return nil, err
		}
		var src io.Reader
		if p.data != nil {
			src = bytes.NewReader(p.data[off+int64(j):])
		} else {
			src = bufio.NewReader(io.NewSectionReader(p.f, off+int64(j), p.size-off-int64(j)))
		}
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, err
		}
		return &sizedReader{r: io.LimitReader(zr, size), c: zr, want: size}, nil
	}
	for _, dir := range db.dirs {
		hx := h.String()
		f, err := os.Open(filepath.Join(dir, hx[:2], hx[2:]))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		zr, err := zlib.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return nil, err
		}
		br := bufio.NewReader(zr)
		hdr, err := br.ReadString(0)
		typName, sizeText, _ := strings.Cut(strings.TrimSuffix(hdr, "\x00"), " ")
		size, perr := strconv.ParseInt(sizeText, 10, 64)
		if err != nil || perr != nil || typName != "blob" {
			f.Close()
			return nil, fmt.Errorf("loose object %s: not a blob", h)
		}
		return &sizedReader{r: io.LimitReader(br, size), c: f, want: size}, nil
	}
	return nil, plumbing.ErrObjectNotFound
}

// sizedReader fails when the stream ends before the size its header
// promised.
type sizedReader struct {
	r    io.Reader
	c    io.Closer
	want int64
	got  int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.got += int64(n)
	if err == io.EOF && s.got != s.want {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func (s *sizedReader) Close() error { return s.c.Close() }

// inflateAt inflates size bytes of zlib data starting at off.
func (db *objectDB) inflateAt(p *packFile, off, size int64) ([]byte, error) {
	var src io.Reader
	if p.data != nil {
		db.mr.Reset(p.data[off:])
		src = &db.mr
	} else {
		if db.br == nil {
			db.br = bufio.NewReaderSize(nil, 4096)
		}
		db.br.Reset(io.NewSectionReader(p.f, off, p.size-off))
		src = db.br
	}
	var err error
	if db.zr == nil {
		db.zr, err = zlib.NewReader(src)
	} else {
		err = db.zr.(zlib.Resetter).Reset(src, nil)
	}
	if err != nil {
		return nil, err
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(db.zr, out); err != nil {
		return nil, err
	}
	return out, nil
}

// applyDelta applies a git delta to base.
func applyDelta(base, delta []byte, limit int64) ([]byte, error) {
	varint := func() (int64, bool) {
		var v int64
		shift := 0
		for len(delta) > 0 && shift < 63 {
			c := delta[0]
			delta = delta[1:]
			v |= int64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
			shift += 7
		}
		return 0, false
	}
	src, ok1 := varint()
	dst, ok2 := varint()
	if !ok1 || !ok2 || src != int64(len(base)) {
		return nil, errors.New("delta does not fit its base")
	}
	if dst > limit {
		return nil, errNotHandled
	}
	out := make([]byte, 0, dst)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, size uint64
			for i := range 4 {
				if op&(1<<i) != 0 {
					if len(delta) == 0 {
						return nil, errors.New("truncated delta")
					}
					off |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			for i := range 3 {
				if op&(0x10<<i) != 0 {
					if len(delta) == 0 {
						return nil, errors.New("truncated delta")
					}
					size |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) || int64(len(out))+int64(size) > dst {
				return nil, errors.New("delta copy out of range")
			}
			out = append(out, base[off:off+size]...)
		case op != 0:
			if int(op) > len(delta) || int64(len(out))+int64(op) > dst {
				return nil, errors.New("delta insert out of range")
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return nil, errors.New("delta opcode 0")
		}
	}
	if int64(len(out)) != dst {
		return nil, errors.New("delta result has the wrong size")
	}
	return out, nil
}

// byteLRU is an LRU cache bounded by the approximate bytes it holds.
type byteLRU struct {
	max, size int
	ll        *list.List
	items     map[any]*list.Element
}

type lruItem struct {
	key  any
	val  any
	size int
}

func newByteLRU(max int) *byteLRU {
	return &byteLRU{max: max, ll: list.New(), items: map[any]*list.Element{}}
}

func (c *byteLRU) get(k any) (any, bool) {
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*lruItem).val, true
}

func (c *byteLRU) put(k, v any, size int) {
	if size > c.max/4 {
		return
	}
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&lruItem{key: k, val: v, size: size})
	c.size += size
	for c.size > c.max {
		el := c.ll.Back()
		it := el.Value.(*lruItem)
		c.ll.Remove(el)
		delete(c.items, it.key)
		c.size -= it.size
	}
}
